"""Score claim matching on MRPC (pair decisions) and Emergent (ranking), with candidate recall of the index.

* MRPC train half (the only half shared): accuracy and F1 of the same-claim decision, by 10-fold
  cross-validation. Weights and threshold are refitted inside each training fold, so no pair is scored
  by a model that saw it (C comes from the trainer's own CV search on the same file).
* Emergent training claims: for each claim, all distinct article headlines of the file are ranked by
  similarity to the claim; average precision of its own headlines, averaged over claims (MAP). The
  `against` MAP ranks only each claim's denying headlines among all other claims' headlines: a report
  that disputes a claim must still be found as being about that claim. Emergent never trains anything.
* Baseline: TF-IDF cosine (word unigrams, sublinear tf, idf fitted on the sentences of the data set
  scored), with its MRPC cut-off cross-validated the same way.
* Candidate recall: the share of true matches (MRPC paraphrases, Emergent claim-headline pairs) that
  `ClaimIndex` proposes, and the share of the matches that exhaustive scoring accepts (the matcher's
  decision on every pair) which survive candidate generation.

Run ``python -m sourcetrace.eval.matching --mrpc FILE --emergent FILE`` or
``sourcetrace eval matching --mrpc FILE --emergent FILE``.
"""

from __future__ import annotations

import argparse
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from sourcetrace.matching import semantic as sem
from sourcetrace.matching.data import EmergentRow, Mrpc, read_emergent, read_mrpc

if TYPE_CHECKING:
    from rich.table import Table

    from sourcetrace.matching.model import Matcher
    from sourcetrace.training.matching import Negatives

BASELINE = "tf-idf cosine (baseline)"


@dataclass(frozen=True, slots=True)
class SystemScores:
    mrpc_accuracy: float
    mrpc_f1: float
    emergent_map: float
    against_map: float


@dataclass(frozen=True, slots=True)
class RecallRow:
    data: str
    gold: int  # true matches
    proposed: int  # of those, proposed by the index
    accepted: int  # true matches that exhaustive scoring accepts (the matcher's decision)
    accepted_proposed: int  # of those, proposed by the index
    mean_candidates: float
    index_size: int

    @property
    def recall(self) -> float:
        return self.proposed / self.gold if self.gold else 0.0

    @property
    def recall_accepted(self) -> float:
        return self.accepted_proposed / self.accepted if self.accepted else 0.0


@dataclass(slots=True)
class MatchingResult:
    mrpc_pairs: int
    mrpc_positive: int
    emergent_claims: int
    emergent_headlines: int
    against_claims: int
    configuration: str  # the matcher configuration the corpus uses here
    scores: dict[str, SystemScores] = field(default_factory=dict)
    recall: list[RecallRow] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)


# ------------------------------------------------------------------------------------------- Emergent


@dataclass(frozen=True, slots=True)
class EmergentGold:
    claims: list[str]  # claim text per claim
    headlines: list[str]  # distinct headlines
    own: list[set[int]]  # per claim, rows of its headlines
    against: list[set[int]]  # per claim, rows of its `against` headlines


def emergent_gold(rows: Sequence[EmergentRow]) -> EmergentGold:
    claim_row: dict[str, int] = {}
    claims: list[str] = []
    headline_row: dict[str, int] = {}
    own: defaultdict[int, set[int]] = defaultdict(set)
    against: defaultdict[int, set[int]] = defaultdict(set)
    for row in rows:
        if row.claim_id not in claim_row:
            claim_row[row.claim_id] = len(claims)
            claims.append(row.claim)
        c = claim_row[row.claim_id]
        # A headline carried by two claims' articles is relevant to both.
        h = headline_row.setdefault(row.headline, len(headline_row))
        own[c].add(h)
        if row.stance == "against":
            against[c].add(h)
    return EmergentGold(claims, list(headline_row), [own[c] for c in range(len(claims))],
                        [against[c] for c in range(len(claims))])


def average_precision(scores: np.ndarray, relevant: np.ndarray) -> float:
    """AP of a ranking by descending score; ties are broken against the relevant items (pessimistic)."""
    order = np.lexsort((relevant, -scores))  # among equal scores, irrelevant first
    hits = relevant[order]
    if not hits.any():
        return 0.0
    ranks = np.flatnonzero(hits) + 1
    return float(np.mean(np.arange(1, len(ranks) + 1) / ranks))


def emergent_maps(gold: EmergentGold, scores: np.ndarray) -> tuple[float, float]:
    """(MAP of own headlines, MAP of own `against` headlines among other claims' headlines)."""
    n = len(gold.headlines)
    own_ap, against_ap = [], []
    for c in range(len(gold.claims)):
        relevant = np.zeros(n, dtype=bool)
        relevant[list(gold.own[c])] = True
        own_ap.append(average_precision(scores[c], relevant))
        if gold.against[c]:
            # Drop the claim's for/observing headlines: only how denials rank against other claims counts.
            keep = ~relevant
            keep[list(gold.against[c])] = True
            rel = np.zeros(n, dtype=bool)
            rel[list(gold.against[c])] = True
            against_ap.append(average_precision(scores[c][keep], rel[keep]))
    return float(np.mean(own_ap)), float(np.mean(against_ap)) if against_ap else 0.0


def _pairs_grid(left: Sequence[str], right: Sequence[str]) -> list[tuple[str, str]]:
    return [(a, b) for a in left for b in right]


# ------------------------------------------------------------------------------------------- scoring


def tfidf_cosine(pairs: Sequence[tuple[str, str]], corpus: Sequence[str]) -> np.ndarray:
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer(sublinear_tf=True).fit(corpus)
    a = vectorizer.transform([p[0] for p in pairs])
    b = vectorizer.transform([p[1] for p in pairs])
    return np.asarray(a.multiply(b).sum(axis=1)).ravel()


def _mrpc_decisions(
    x: np.ndarray, y: np.ndarray, c: float, features: Sequence[str] = (), negatives: Negatives | None = None
) -> tuple[float, float, np.ndarray]:
    from sourcetrace.training.matching import accuracy_f1, nested_predictions, signs_for

    decisions = nested_predictions(x, y, c, signs_for(features) if features else None, negatives)
    acc, f1 = accuracy_f1(y.astype(bool), decisions)
    return acc, f1, decisions


def candidate_recall(
    name: str, queries: Sequence[str], indexed: Sequence[str], gold: Sequence[tuple[int, int]],
    accepted: Sequence[bool],
) -> RecallRow:
    """Index `indexed`, query each of `queries`; gold = (query row, indexed row) true matches."""
    from sourcetrace.matching.minhash import ClaimIndex

    index = ClaimIndex()
    index.add_many((str(i), text) for i, text in enumerate(indexed))
    found: dict[int, set[int]] = {}
    total = 0
    for q in sorted({q for q, _ in gold}):
        found[q] = {int(k) for k in index.candidates(queries[q])}
        total += len(found[q])
    hit = [h in found[q] for q, h in gold]
    return RecallRow(
        data=name,
        gold=len(gold),
        proposed=sum(hit),
        accepted=sum(accepted),
        accepted_proposed=sum(1 for h, a in zip(hit, accepted, strict=True) if h and a),
        mean_candidates=total / max(1, len(found)),
        index_size=len(indexed),
    )


def evaluate(
    mrpc_path: Path | str, emergent_path: Path | str, *, semantic: bool | None = None
) -> MatchingResult:
    """Every system on both data sets; `semantic=None` includes the semantic one when installed."""
    from sourcetrace.matching.model import LEXICAL, SEMANTIC, load_matcher
    from sourcetrace.training.matching import NEGATIVES, random_negatives

    mrpc: Mrpc = read_mrpc(mrpc_path)
    gold = emergent_gold(read_emergent(emergent_path))
    y = np.asarray(mrpc.labels)
    use_semantic = sem.available() if semantic is None else semantic
    result = MatchingResult(
        len(y), int(y.sum()), len(gold.claims), len(gold.headlines),
        sum(1 for a in gold.against if a), SEMANTIC if use_semantic else LEXICAL,
    )
    grid = _pairs_grid(gold.claims, gold.headlines)
    shape = (len(gold.claims), len(gold.headlines))

    start = time.perf_counter()
    mrpc_texts = sorted({t for p in mrpc.pairs for t in p})
    base_mrpc = tfidf_cosine(mrpc.pairs, mrpc_texts)[:, None]
    acc, f1, _ = _mrpc_decisions(base_mrpc, y, 1.0)
    base_grid = tfidf_cosine(grid, gold.claims + gold.headlines).reshape(shape)
    result.scores[BASELINE] = SystemScores(acc, f1, *emergent_maps(gold, base_grid))
    result.seconds[BASELINE] = time.perf_counter() - start

    matchers: list[Matcher] = [load_matcher(LEXICAL)]
    if use_semantic:
        matchers.append(load_matcher(SEMANTIC))
    decisions: dict[str, np.ndarray] = {}
    emergent_scores: dict[str, np.ndarray] = {}
    for matcher in matchers:
        start = time.perf_counter()
        x = matcher.features(mrpc.pairs)
        # The same random negatives the trainer adds, rebuilt inside each fold from its training pairs.
        negatives = random_negatives(mrpc.pairs, matcher.features, NEGATIVES[matcher.name])
        acc, f1, decisions[matcher.name] = _mrpc_decisions(
            x, y, float(matcher.model.meta.get("C", 1.0)), matcher.model.features, negatives
        )
        x_grid = matcher.features(grid)
        emergent_scores[matcher.name] = matcher.model.probabilities(x_grid).reshape(shape)
        label = f"{matcher.name} (torch-free)" if matcher.name == LEXICAL else f"{matcher.name} (MiniLM)"
        result.scores[label] = SystemScores(acc, f1, *emergent_maps(gold, emergent_scores[matcher.name]))
        result.seconds[label] = time.perf_counter() - start
        if matcher.name == SEMANTIC:
            # The embedding cosine alone (first semantic column), to show what the learned model adds.
            cos_col = len(matcher.model.features) - len(sem.SEMANTIC_FEATURES)
            acc, f1, _ = _mrpc_decisions(x[:, [cos_col]], y, 1.0)
            cos_grid = x_grid[:, cos_col].reshape(shape)
            result.scores["MiniLM cosine alone"] = SystemScores(acc, f1, *emergent_maps(gold, cos_grid))

    # Candidate recall for the matcher configuration the corpus uses: proposed by the index vs all true
    # matches, and vs the true matches that exhaustive scoring (the matcher over every pair) would accept.
    used = result.configuration
    positives = [i for i, label in enumerate(mrpc.labels) if label]
    result.recall.append(candidate_recall(
        "MRPC paraphrases", [a for a, _ in mrpc.pairs], [b for _, b in mrpc.pairs],
        [(i, i) for i in positives], [bool(decisions[used][i]) for i in positives],
    ))
    matcher_threshold = next(m.threshold for m in matchers if m.name == used)
    emergent_gold_pairs = [(c, h) for c in range(len(gold.claims)) for h in sorted(gold.own[c])]
    result.recall.append(candidate_recall(
        "Emergent claim-headline", gold.claims, gold.headlines, emergent_gold_pairs,
        [bool(emergent_scores[used][c, h] >= matcher_threshold) for c, h in emergent_gold_pairs],
    ))
    return result


# ------------------------------------------------------------------------------------------- output


def scores_table(result: MatchingResult) -> Table:
    from rich.table import Table

    table = Table(
        title=(
            f"Claim matching. MRPC: {result.mrpc_pairs} train-half pairs "
            f"({result.mrpc_positive} paraphrases), "
            "10-fold cross-validated (only the train half is shared). Emergent: "
            f"{result.emergent_claims} claims ranked over {result.emergent_headlines} headlines; "
            f"'against' MAP over the {result.against_claims} claims with denying headlines. "
            f"the corpus matcher: {result.configuration}."
        )
    )
    table.add_column("system")
    for metric in ("MRPC acc", "MRPC F1", "Emergent MAP", "against MAP"):
        table.add_column(metric, justify="right")
    for name, s in result.scores.items():
        table.add_row(name, f"{s.mrpc_accuracy:.3f}", f"{s.mrpc_f1:.3f}", f"{s.emergent_map:.3f}",
                      f"{s.against_map:.3f}")
    return table


def recall_table(result: MatchingResult) -> Table:
    from rich.table import Table

    table = Table(
        title=(
            f"ClaimIndex candidate recall (MinHash LSH), scorer: {result.configuration}. "
            "'vs exhaustive' = share of the true matches that the matcher accepts when every pair is "
            "scored which the index also proposes."
        )
    )
    for column in ("true matches", "gold", "proposed", "recall", "accepted", "vs exhaustive",
                   "candidates/query", "index size"):
        table.add_column(column, justify="left" if column == "true matches" else "right")
    for r in result.recall:
        table.add_row(r.data, str(r.gold), str(r.proposed), f"{r.recall:.3f}", str(r.accepted),
                      f"{r.recall_accepted:.3f}", f"{r.mean_candidates:.1f}", str(r.index_size))
    return table


def main(argv: Sequence[str] | None = None) -> None:
    from rich.console import Console

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--mrpc", type=Path, required=True, help="msr_paraphrase_train.txt")
    parser.add_argument("--emergent", type=Path, required=True, help="emergent_train.csv")
    parser.add_argument("--no-semantic", action="store_true", help="torch-free figures only")
    args = parser.parse_args(argv)
    result = evaluate(args.mrpc, args.emergent, semantic=False if args.no_semantic else None)
    console = Console(width=160)
    console.print(scores_table(result))
    console.print(recall_table(result))


if __name__ == "__main__":
    main()
