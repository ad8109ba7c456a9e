"""Runtime: ByRE reader and verifier, ExecutionPlan, Session (issue #4)."""
