"""Readers for the claim-matching gold: MRPC (train half) and Emergent (training claims).

Both raise `InputError` with the file and line on a malformed file, so the CLI can print one line.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from sourcetrace.errors import InputError

MRPC_FILE = Path("mrpc") / "msr_paraphrase_train.txt"
EMERGENT_FILE = Path("emergent") / "emergent_train.csv"
EMERGENT_COLUMNS = ("claimHeadline", "articleHeadline", "articleHeadlineStance", "claimId")
STANCES = ("for", "against", "observing")


@dataclass(frozen=True, slots=True)
class Mrpc:
    pairs: list[tuple[str, str]]
    labels: list[int]  # 1 = paraphrase (same claim)


@dataclass(frozen=True, slots=True)
class EmergentRow:
    claim_id: str
    claim: str
    headline: str
    stance: str  # for / against / observing


def read_mrpc(path: Path | str) -> Mrpc:
    """The MRPC TSV (`Quality, #1 ID, #2 ID, #1 String, #2 String`)."""
    path = Path(path)
    if not path.is_file():
        raise InputError("no such MRPC file (expected msr_paraphrase_train.txt)", source=str(path))
    pairs: list[tuple[str, str]] = []
    labels: list[int] = []
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            # QUOTE_NONE: sentences contain bare double quotes that are part of the text.
            reader = csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
            header = next(reader, None)
            if header is None or [h.strip() for h in header[:1]] != ["Quality"] or len(header) != 5:
                raise InputError(f"unexpected MRPC header {header!r}", source=str(path))
            for line_no, row in enumerate(reader, start=2):
                if len(row) != 5 or row[0] not in ("0", "1"):
                    raise InputError(f"line {line_no}: expected 0|1<TAB>id<TAB>id<TAB>text<TAB>text",
                                     source=str(path))
                pairs.append((row[3], row[4]))
                labels.append(int(row[0]))
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text ({exc.reason})", source=str(path)) from exc
    if not pairs:
        raise InputError("no sentence pairs", source=str(path))
    return Mrpc(pairs, labels)


def read_emergent(path: Path | str) -> list[EmergentRow]:
    """The Emergent CSV: one row per (claim, article headline, stance)."""
    path = Path(path)
    if not path.is_file():
        raise InputError("no such Emergent file (expected emergent_train.csv)", source=str(path))
    rows: list[EmergentRow] = []
    try:
        with path.open(encoding="utf-8", newline="") as fh:
            reader = csv.DictReader(fh)
            missing = [c for c in EMERGENT_COLUMNS if c not in (reader.fieldnames or [])]
            if missing:
                raise InputError(f"not an Emergent CSV: missing columns {', '.join(missing)}",
                                 source=str(path))
            for line_no, row in enumerate(reader, start=2):
                stance = (row["articleHeadlineStance"] or "").strip()
                if stance not in STANCES or not row["claimHeadline"] or not row["articleHeadline"]:
                    raise InputError(f"line {line_no}: expected a claim, a headline and a stance "
                                     f"({'/'.join(STANCES)})", source=str(path))
                rows.append(EmergentRow(row["claimId"], row["claimHeadline"], row["articleHeadline"], stance))
    except (UnicodeDecodeError, csv.Error) as exc:
        raise InputError(f"unreadable CSV ({exc})", source=str(path)) from exc
    if not rows:
        raise InputError("no rows", source=str(path))
    return rows
