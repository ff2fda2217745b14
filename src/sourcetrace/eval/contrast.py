"""Claim relations on the contrast set: accuracy per kind, `same_claim` accuracy, contradiction recall.

The set (`tests/gold/contrast`) is invented pairs written blind by two helpers; `split.json` names the
locked third (seed committed before any scoring). `--part tune` is what `make eval` prints;
`make eval-locked` scores `--part locked` once and appends the run to `locked_runs.jsonl`.
Beside the relation, the similarity matcher alone (`same` when the matcher accepts the raw pair, the
decision the corpus made before relations existed) is scored for comparison.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from rich.table import Table

from sourcetrace.errors import InputError
from sourcetrace.matching.data import read_emergent, read_mrpc
from sourcetrace.matching.model import default_matcher
from sourcetrace.matching.relation import RELATIONS, explain_pairs

Part = Literal["tune", "locked", "all"]


@dataclass(frozen=True, slots=True)
class Pair:
    id: str
    kind: str
    a: str
    b: str
    relation: str


@dataclass
class ContrastResult:
    part: str
    pairs: int
    by_kind: dict[str, tuple[int, int]] = field(default_factory=dict)  # kind -> (right, total)
    same_right: int = 0  # same_claim decision right (relation == same vs gold == same)
    baseline_same_right: int = 0  # the raw matcher's decision right
    contradictions: int = 0
    contradictions_found: int = 0
    confusion: Counter[tuple[str, str]] = field(default_factory=Counter)  # (gold, predicted)

    @property
    def accuracy(self) -> float:
        right = sum(r for r, _ in self.by_kind.values())
        return right / self.pairs if self.pairs else 0.0


def read_pairs(directory: Path, part: Part) -> list[Pair]:
    files = sorted(directory.glob("pairs_*.jsonl"))
    if not files:
        raise InputError(f"{directory}: no pairs_*.jsonl files (expected the contrast set folder)")
    pairs: list[Pair] = []
    for path in files:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                pair = Pair(row["id"], row["kind"], row["a"], row["b"], row["relation"])
            except (ValueError, KeyError, TypeError) as exc:
                raise InputError(f"{path}:{number}: not a contrast pair ({exc})") from exc
            if pair.relation not in RELATIONS:
                raise InputError(f"{path}:{number}: relation {pair.relation!r} is not one of {RELATIONS}")
            pairs.append(pair)
    if part == "all":
        return pairs
    split = directory / "split.json"
    try:
        locked = set(json.loads(split.read_text(encoding="utf-8"))["locked"])
    except (OSError, ValueError, KeyError) as exc:
        raise InputError(f"{split}: cannot read the locked ids ({exc})") from exc
    return [p for p in pairs if (p.id in locked) == (part == "locked")]


def score(pairs: Sequence[Pair], predicted: Sequence[str], baseline_same: Sequence[bool], part: str
          ) -> ContrastResult:
    result = ContrastResult(part=part, pairs=len(pairs))
    tally: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for pair, relation, base in zip(pairs, predicted, baseline_same, strict=True):
        tally[pair.kind][0] += relation == pair.relation
        tally[pair.kind][1] += 1
        result.same_right += (relation == "same") == (pair.relation == "same")
        result.baseline_same_right += base == (pair.relation == "same")
        if pair.relation == "contradicts":
            result.contradictions += 1
            result.contradictions_found += relation == "contradicts"
        result.confusion[(pair.relation, relation)] += 1
    result.by_kind = {k: (v[0], v[1]) for k, v in sorted(tally.items())}
    return result


def evaluate(directory: Path, part: Part) -> tuple[ContrastResult, list[tuple[Pair, str]]]:
    pairs = read_pairs(directory, part)
    predicted, baseline = _relations_and_matcher([(p.a, p.b) for p in pairs])
    return score(pairs, predicted, baseline, part), list(zip(pairs, predicted, strict=True))


def _pct(right: int, total: int) -> str:
    return f"{right / total:.3f} ({right}/{total})" if total else "-"


def scores_table(result: ContrastResult) -> Table:
    table = Table(title=f"Claim relations, contrast set, {result.part} part ({result.pairs} pairs)")
    table.add_column("kind")
    table.add_column("relation right", justify="right")
    for kind, (right, total) in result.by_kind.items():
        table.add_row(kind, _pct(right, total))
    table.add_row("all kinds", _pct(sum(r for r, _ in result.by_kind.values()), result.pairs))
    table.add_row("same_claim right", _pct(result.same_right, result.pairs))
    table.add_row("same_claim right, matcher alone (before relations)",
                  _pct(result.baseline_same_right, result.pairs))
    table.add_row("contradiction recall", _pct(result.contradictions_found, result.contradictions))
    return table


def confusion_table(result: ContrastResult) -> Table:
    table = Table(title="gold (rows) x predicted (columns)")
    table.add_column("gold")
    for relation in RELATIONS:
        table.add_column(relation, justify="right")
    for gold in RELATIONS:
        table.add_row(gold, *(str(result.confusion[(gold, p)]) for p in RELATIONS))
    return table


def log_locked(directory: Path, result: ContrastResult, commit: str) -> None:
    """Append one locked run to `locked_runs.jsonl`: the locked part is meant to be scored once."""
    entry = {
        "at": datetime.now(UTC).isoformat(timespec="seconds"), "commit": commit, "pairs": result.pairs,
        "accuracy": round(result.accuracy, 4),
        "same_claim": round(result.same_right / max(result.pairs, 1), 4),
        "contradiction_recall": round(result.contradictions_found / max(result.contradictions, 1), 4),
        "by_kind": {k: list(v) for k, v in result.by_kind.items()},
    }
    with (directory / "locked_runs.jsonl").open("a", encoding="utf-8") as out:
        out.write(json.dumps(entry) + "\n")


@dataclass
class PublicPairs:
    """The relation layer on public pairs it was not written from."""

    emergent_against: tuple[int, int] = (0, 0)  # (found contradicts, total against)
    emergent_for_kept: tuple[int, int] = (0, 0)  # `for` headlines not called contradicts
    mrpc_relation_right: tuple[int, int] = (0, 0)  # same_claim (relation) vs the MRPC label
    mrpc_matcher_right: tuple[int, int] = (0, 0)  # the matcher alone vs the MRPC label
    mrpc_positives_kept: tuple[int, int] = (0, 0)  # paraphrases the matcher accepts that stay `same`


def _relations_and_matcher(pairs: list[tuple[str, str]]) -> tuple[list[str], list[bool]]:
    """The relation of each pair and the matcher's own verdict, the matcher run once."""
    same = [bool(v) for v in default_matcher().same(pairs)]
    return [e.relation for e in explain_pairs(pairs, similar=same)], same


def public_pairs(emergent: Path | None, mrpc: Path | None) -> PublicPairs:
    result = PublicPairs()
    if emergent is not None:
        rows = [r for r in read_emergent(emergent) if r.stance in ("for", "against")]
        relations, _ = _relations_and_matcher([(r.claim, r.headline) for r in rows])
        against = [rel for r, rel in zip(rows, relations, strict=True) if r.stance == "against"]
        support = [rel for r, rel in zip(rows, relations, strict=True) if r.stance == "for"]
        result.emergent_against = (sum(r == "contradicts" for r in against), len(against))
        result.emergent_for_kept = (sum(r != "contradicts" for r in support), len(support))
    if mrpc is not None:
        data = read_mrpc(mrpc)
        relations, matcher = _relations_and_matcher(list(data.pairs))
        labels = [bool(label) for label in data.labels]
        result.mrpc_relation_right = (
            sum((r == "same") == y for r, y in zip(relations, labels, strict=True)), len(labels)
        )
        matcher_right = sum(bool(m) == y for m, y in zip(matcher, labels, strict=True))
        result.mrpc_matcher_right = (matcher_right, len(labels))
        accepted = [r for r, m, y in zip(relations, matcher, labels, strict=True) if m and y]
        result.mrpc_positives_kept = (sum(r == "same" for r in accepted), len(accepted))
    return result


def public_table(result: PublicPairs) -> Table:
    table = Table(title="Claim relations on public pairs (no rule written from these; the contradiction "
                  "model fitted on Emergent)")
    table.add_column("check")
    table.add_column("figure", justify="right")
    rows = (
        # The contradiction model is fitted on Emergent: its cross-validated figures are printed by
        # `python -m sourcetrace.training.contradiction` and kept in the model card.
        ("Emergent: 'against' headlines called contradicts (recall; model fitted here: in-sample)",
         result.emergent_against),
        ("Emergent: 'for' headlines not called contradicts (in-sample)", result.emergent_for_kept),
        ("MRPC train: same_claim (relation) right (matcher fitted here: in-sample)",
         result.mrpc_relation_right),
        ("MRPC train: matcher alone right (in-sample)", result.mrpc_matcher_right),
        ("MRPC train: true paraphrases the matcher accepts that stay 'same'", result.mrpc_positives_kept),
    )
    for label, (right, total) in rows:
        if total:
            table.add_row(label, _pct(right, total))
    return table
