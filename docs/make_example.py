"""Regenerate the examples in the docs from a real run on examples/demo.txt (`make example`).

Writes docs/example-report.json (the full JSON report) and rewrites the blocks between
`<!-- example:NAME:start -->` and `<!-- example:NAME:end -->` markers in README.md, docs/usage.md and
docs/json-contract.md, so the documentation shows what the current code really prints.
"""

from __future__ import annotations

import io
import json
import re
import sys
from pathlib import Path
from typing import Any

from rich.console import Console

REPO = Path(__file__).resolve().parents[1]
README_CLAIMS = 6
DEMO = Path("examples/demo.txt")  # relative, so the report's document.path does not name this machine


def _excerpt(report: dict[str, Any]) -> dict[str, Any]:
    """The deepest claim with the attributions and sources its chain goes through."""
    claim = max(report["claims"], key=lambda c: len(c["chain"]))
    attribution_ids = {link["attribution_id"] for link in claim["chain"] if link["attribution_id"]}
    source_ids = {link["source_id"] for link in claim["chain"]}
    return {
        "schema_version": report["schema_version"],
        "document": {k: v for k, v in report["document"].items() if k != "text"} | {"text": "…"},
        "attributions": [a for a in report["attributions"] if a["id"] in attribution_ids],
        "sources": [s for s in report["sources"] if s["id"] in source_ids],
        "claims": [claim],
        "profile": report["profile"],
        "headline": report["headline"],
        "provenance": report["provenance"] | {"model_hashes": {"…": "…"}},
        "warnings": report["warnings"],
    }


def _readme_excerpt(report: dict[str, Any]) -> dict[str, Any]:
    """Smaller: the deepest claim, the innermost attribution it rests on and that attribution's source."""
    claim = max(report["claims"], key=lambda c: len(c["chain"]))
    attribution = next(a for a in report["attributions"] if a["id"] == claim["attribution_id"])
    source = next(s for s in report["sources"] if s["id"] == attribution["source"]["source_id"])
    return {"claims": [claim], "attributions": [attribution], "sources": [source], "…": "…"}


def _dumps(data: Any) -> str:
    text = json.dumps(data, ensure_ascii=False, indent=2)
    # Offset pairs on one line each: [224, 258] rather than four lines.
    return re.sub(r"\[\s*(\d+),\s*(\d+)\s*\]", r"[\1, \2]", text)


def _replace_block(path: Path, name: str, body: str) -> None:
    text = path.read_text(encoding="utf-8")
    pattern = re.compile(
        rf"(<!-- example:{name}:start -->\n).*?(\n<!-- example:{name}:end -->)", re.DOTALL
    )
    if not pattern.search(text):
        raise SystemExit(f"{path}: no example:{name} markers")
    path.write_text(pattern.sub(lambda m: m.group(1) + body + m.group(2), text), encoding="utf-8")


def main() -> int:
    import sourcetrace
    from sourcetrace.report.text import render

    report = sourcetrace.analyze(REPO / DEMO)
    report = report.model_copy(update={"document": report.document.model_copy(update={"path": str(DEMO)})})
    data = report.to_dict()
    (REPO / "docs" / "example-report.json").write_text(
        json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )

    _replace_block(REPO / "docs" / "json-contract.md", "json", f"```json\n{_dumps(_excerpt(data))}\n```")

    buffer = io.StringIO()
    render(report, Console(file=buffer, width=100, color_system=None, force_terminal=False))
    lines = [line.rstrip() for line in buffer.getvalue().splitlines()]
    # The README shows the head of the report; the rest is the same shape.
    cut = next((i for i, line in enumerate(lines) if line.startswith(f"#{README_CLAIMS + 1} ")), None)
    if cut is not None:
        lines = lines[:cut] + [f"… and {len(report.claims) - README_CLAIMS} more claims"]
    text_block = "```\n$ sourcetrace analyze examples/demo.txt\n" + "\n".join(lines) + "\n```"
    _replace_block(REPO / "README.md", "text", text_block)
    _replace_block(REPO / "docs" / "usage.md", "json", f"```json\n{_dumps(_readme_excerpt(data))}\n```")
    print("wrote docs/example-report.json; updated README.md, docs/usage.md and docs/json-contract.md",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
