"""`sourcetrace eval chains tests/gold/real`: run the analysis over the real gold and print the scores.

The tuning part is what `make eval` prints. The locked part is scored by `make eval-locked`, and every
run of it is appended to `tests/gold/real/locked_runs.jsonl` (time, commit, figures), so the number of
looks at it is on record.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sourcetrace.eval.realgold.gold import GoldArticle, load_gold_dir
from sourcetrace.eval.realgold.names import NAMED_TYPES
from sourcetrace.eval.realgold.scoring import LABELS, Scores, score
from sourcetrace.eval.realgold.shared import TEHRAN_TIMES

if TYPE_CHECKING:
    from rich.table import Table

PARTS = ("tune", "locked", "all")
LOCKED_LOG = "locked_runs.jsonl"
MODES = {"with outlet": True, "without outlet": False}


class RealGoldError(ValueError):
    """The real gold folder is missing or inconsistent."""


def is_real_gold(directory: Path) -> bool:
    return (directory / "articles").is_dir() and (directory / "selection.json").is_file()


def load_part(directory: Path, part: str) -> list[GoldArticle]:
    if part not in PARTS:
        raise RealGoldError(f"unknown part {part!r}: one of {', '.join(PARTS)}")
    golds = load_gold_dir(directory / "articles")
    if not golds:
        raise RealGoldError(f"{directory}/articles holds no gold files")
    return [g for g in golds if part == "all" or g.split == part]


def evaluate(
    directory: Path, data: Path, part: str, model: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Scores]:
    """Scores per mode (`with outlet`, `without outlet`) on one part of the real gold."""
    from sourcetrace.analyzer import Analyzer

    if not (data / "RESERVED.txt").is_file():
        raise RealGoldError(f"{data}: not the shared data folder (no RESERVED.txt)")
    golds = load_part(directory, part)
    analyzer = Analyzer(model)
    out = {}
    for mode, with_outlet in MODES.items():
        if progress:
            progress(f"{mode}: {len(golds)} articles")
        out[mode] = score(golds, data, analyzer.analyze, with_outlet=with_outlet)
    return out


def _cell(scores: Scores, key: str) -> str:
    num, den = scores.counts()[key]
    return f"{num / den:.3f} ({num}/{den})" if den else "-"


def scores_table(results: dict[str, Scores], title: str) -> Table:
    from rich.table import Table

    with_outlet = results["with outlet"]
    columns = {
        "with outlet": with_outlet,
        "without outlet": results["without outlet"],
        "state media (with)": with_outlet.subset([TEHRAN_TIMES]),
        "other outlets (with)": Scores([a for a in with_outlet.articles if a.folder != TEHRAN_TIMES]),
    }
    table = Table(title=title)
    table.add_column("metric")
    for name in columns:
        table.add_column(name, justify="right")
    for key, label in LABELS.items():
        table.add_row(label, *(_cell(s, key) for s in columns.values()))
    return table


def details_table(scores: Scores, limit: int | None = None) -> Table:
    from rich.table import Table

    def chain(hops: Any) -> str:
        if hops is None:
            return "(no claim)"
        return " > ".join(f"{h.type}:{h.name}" if h.type in NAMED_TYPES or h.name else h.type for h in hops)

    table = Table(title="Claims without an exact chain (with outlet)", show_lines=True)
    for name in ("article", "gold claim", "gold chain", "predicted chain"):
        table.add_column(name, overflow="fold")
    wrong = [c for c in scores.claims if not c.exact()]
    for c in wrong[:limit] if limit else wrong:
        table.add_row(c.article, c.excerpt[:160], chain(c.gold.chain), chain(c.predicted))
    return table


def _commit() -> str | None:
    try:
        head = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True, check=True)
        dirty = subprocess.run(["git", "status", "--porcelain", "src"], capture_output=True, text=True)
    except (OSError, subprocess.CalledProcessError):
        return None
    return head.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "")


def log_locked_run(directory: Path, results: dict[str, Scores]) -> Path:
    """Append one locked-part run to the log: when, on which code, and every figure."""
    path = directory / LOCKED_LOG
    entry = {
        "time": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "commit": _commit(),
        "articles": len(results["with outlet"].articles),
        "claims": len(results["with outlet"].claims),
        "figures": {
            mode: {k: [n, d] for k, (n, d) in scores.counts().items()} for mode, scores in results.items()
        },
    }
    with path.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(entry) + "\n")
    return path
