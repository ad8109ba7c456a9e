"""Conformance: testdata-format cases (corpus), and the suite a device target runs to qualify (issue #6)."""
