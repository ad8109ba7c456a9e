"""Conformance reports: JSON (machine-readable) and markdown (for people), from a SuiteResult."""

from __future__ import annotations

import datetime
import json
import os
import platform
from pathlib import Path
from typing import Any

from byteir_sdk.conformance.suite import SuiteResult, tolerance_table

__all__ = ["to_json", "to_markdown", "coverage", "write_reports"]

_MARK = {"pass": "ok", "fail": "FAIL", "error": "ERR", "unsupported": "n/a", "xfail": "xfail", "xpass": "XPASS"}
_WORSE = ["pass", "unsupported", "xfail", "xpass", "fail", "error"]


def coverage(result: SuiteResult) -> dict[str, dict[str, str]]:
    """op -> dtype -> the worst status over that op/dtype's cases (ops tier)."""
    table: dict[str, dict[str, str]] = {}
    for r in result.results:
        if r.tier != "ops":
            continue
        row = table.setdefault(r.op, {})
        prev = row.get(r.dtype)
        row[r.dtype] = r.status if prev is None or _WORSE.index(r.status) > _WORSE.index(prev) else prev
    return table


def to_json(result: SuiteResult) -> dict[str, Any]:
    from byteir_sdk import __version__

    return {
        "target": result.target, "sdk_version": __version__, "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "host": platform.platform(), "tiers": list(result.tiers), "strict": result.strict, "level": result.level,
        "seconds": round(result.seconds, 3), "counts": result.counts(), "failed": [r.id for r in result.failed()],
        "tolerance_policy": [{"rule": a, "tolerance": b} for a, b in tolerance_table()], "coverage": coverage(result),
        "cases": [{"id": r.id, "tier": r.tier, "op": r.op, "dtype": r.dtype, "status": r.status, "reason": r.reason,
                   "seconds": round(r.seconds, 4), "outputs": r.outputs} for r in result.results],
    }  # fmt: skip


def to_markdown(result: SuiteResult) -> str:
    counts = result.counts()
    lines = [f"# Conformance report: target `{result.target}`", "",
             f"**Level: {result.level}** -- tiers {', '.join(result.tiers)}; "
             + ", ".join(f"{counts[k]} {k}" for k in _WORSE if k in counts) + f"; {result.seconds:.1f} s", ""]  # fmt: skip
    failed = result.failed()
    if failed:
        lines += ["## Failures", "", "| case | status | reason |", "|---|---|---|"]
        lines += [f"| `{r.id}` | {r.status} | {r.reason.replace('|', '/')[:400]} |" for r in failed]
        lines.append("")
    table = coverage(result)
    if table:
        dtypes = sorted({d for row in table.values() for d in row})
        lines += ["## Op x dtype coverage (ops tier)", "", "| op | " + " | ".join(dtypes) + " |", "|---|" + "---|" * len(dtypes)]
        lines += [f"| {op} | " + " | ".join(_MARK.get(row.get(d, ""), "") for d in dtypes) + " |" for op, row in sorted(table.items())]
        lines.append("")
    for tier in result.tiers:
        rows = [r for r in result.results if r.tier == tier and r.tier != "ops"]
        if not rows:
            continue
        lines += [f"## {tier} tier", "", "| case | status | max abs | max rel | max ULP | worst element |", "|---|---|---|---|---|---|"]
        for r in rows:
            worst = max(r.outputs, key=lambda o: o["max_abs"], default=None)
            figures = (f"{worst['max_abs']:.3g} | {worst['max_rel']:.3g} | {worst['max_ulp']} | {worst['worst_index']}" if worst else "- | - | - | -")
            lines.append(f"| `{r.id}` | {_MARK[r.status]} | {figures} |")
        lines.append("")
    known = [r for r in result.results if r.status in ("unsupported", "xfail")]
    if known:
        lines += ["## Known gaps (manifest)", "", "| case | status | reason |", "|---|---|---|"]
        lines += [f"| `{r.id}` | {r.status} | {r.reason.replace('|', '/')[:300]} |" for r in known]
        lines.append("")
    lines += ["## Tolerance policy", "", "| results | tolerance |", "|---|---|"]
    lines += [f"| {a} | {b} |" for a, b in tolerance_table()]
    return "\n".join(lines) + "\n"


def write_reports(result: SuiteResult, json_path: str | os.PathLike[str] | None, markdown_path: str | os.PathLike[str] | None) -> list[Path]:
    written = []
    for path, text in ((json_path, lambda: json.dumps(to_json(result), indent=1)), (markdown_path, lambda: to_markdown(result))):
        if path:
            out = Path(path)
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(text())
            written.append(out)
    return written
