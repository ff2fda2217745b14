"""Fit the contradiction model (`matching/contradiction.py`) and report it by cross-validation.

    python -m sourcetrace.training.contradiction --data ../shared/data/matching \
        --out src/sourcetrace/models/matching

Training pairs, all from public data (the contrast set in tests/gold/contrast is never read here):

* **Emergent** claims x the headlines that report them: `against` = contradicts (1), `for` and
  `observing` = not (0); plus two headlines of *other* claims per claim (0), so the model sees unrelated
  text with polarity words too.
* **Contrast pairs made by rule from real sentences** (MRPC's news sentences): a paraphrase pair with
  one side negated (`will` -> `will not`, `approved` -> `did not approve`, a negation removed) = 1; a
  sentence and its negation, or its antonym (`rose` -> `fell`), = 1; a non-paraphrase pair with one side
  negated = 0 (different claims stay different whatever their polarity); MRPC's own pairs = 0.

Only pairs the relation rules would parse (a polarity word differs between the sides) are the model's
domain, so only they are fitted; the others can never be called `contradicts` by it. C and the threshold
are chosen by 5-fold cross-validation grouped by Emergent claim / MRPC pair, with nested folds for the
figure reported: Emergent `against` recall and precision of the whole `claim_relation` with the
out-of-fold model, by cross-validation.
"""

from __future__ import annotations

import argparse
import hashlib
import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import precision_recall_fscore_support
from sklearn.model_selection import GroupKFold
from sklearn.preprocessing import StandardScaler

from sourcetrace.matching.contradiction import FEATURES, MODEL_FILE, pair_features
from sourcetrace.matching.data import MRPC_FILE, read_emergent, read_mrpc
from sourcetrace.matching.model import LEXICAL, LinearModel, default_matcher
from sourcetrace.matching.relation import (
    _antonym_flip,
    _nlp,
    antonyms,
    differing_words,
    explain,
    facts_of,
)

if TYPE_CHECKING:
    from spacy.tokens import Doc

EMERGENT_FILE = "emergent/emergent_train.csv"
C_GRID = (0.03, 0.1, 0.3, 1.0)
THRESHOLDS = np.round(np.arange(0.30, 0.91, 0.02), 2)
FOLDS = 5
SEED = 20261207
#: Cross-claim negatives per Emergent claim.
OTHER_HEADLINES = 6
_AUX = frozenset({"be", "have", "will", "would", "can", "could", "should", "must", "may", "might", "do"})
_DO = {"VBD": "did", "VBZ": "does", "VBP": "do"}


@dataclass(slots=True)
class Pairs:
    """Training pairs with their label (1 = contradicts), group and origin."""

    texts: list[tuple[str, str]]
    labels: list[int]
    groups: list[str]
    origins: list[str]  # emergent-against / emergent-for / emergent-observing / emergent-other / mrpc-...

    def add(self, pair: tuple[str, str], label: int, group: str, origin: str) -> None:
        self.texts.append(pair)
        self.labels.append(label)
        self.groups.append(group)
        self.origins.append(origin)


def negated(doc: Doc) -> str | None:
    """The sentence with its main verb's polarity flipped, or None when no safe edit exists."""
    root = next((t for t in doc if t.dep_ == "ROOT"), None)
    if root is None or root.pos_ not in ("VERB", "AUX"):
        return None
    text = doc.text
    negs = [c for c in root.children if c.dep_ == "neg"]
    if negs:
        neg = negs[0]
        if neg.text.lower() == "n't":
            return None  # `won't`, `can't`: no clean positive spelling
        start = neg.idx - (1 if neg.idx and text[neg.idx - 1] == " " else 0)
        return text[:start] + text[neg.idx + len(neg.text):]
    aux = [c for c in root.children if c.dep_ in ("aux", "auxpass") and c.lemma_.lower() in _AUX]
    if root.pos_ == "AUX" and root.lemma_.lower() in _AUX:
        aux = [root]
    if aux:
        end = aux[0].idx + len(aux[0].text)
        return text[:end] + " not" + text[end:]
    helper = _DO.get(root.tag_)
    if helper is None:
        return None
    return text[:root.idx] + f"{helper} not {root.lemma_}" + text[root.idx + len(root.text):]


def with_antonym(doc: Doc) -> str | None:
    """The sentence with its first word in base form that has an antonym replaced by it."""
    table = antonyms()
    for token in doc:
        opposites = table.get(token.lower_)
        if opposites and token.lower_ == token.lemma_.lower() and token.pos_ in ("ADJ", "VERB", "ADV"):
            return doc.text[:token.idx] + sorted(opposites)[0] + doc.text[token.idx + len(token.text):]
    return None


def training_pairs(data: Path) -> Pairs:
    pairs = Pairs([], [], [], [])
    rows = read_emergent(data / EMERGENT_FILE)
    rng = random.Random(SEED)
    headlines = [(r.claim_id, r.headline) for r in rows]
    for row in rows:
        pairs.add((row.claim, row.headline), int(row.stance == "against"), f"e{row.claim_id}",
                  f"emergent-{row.stance}")
    for claim_id, claim in sorted({(r.claim_id, r.claim) for r in rows}):
        others = [h for c, h in headlines if c != claim_id]
        for headline in rng.sample(others, OTHER_HEADLINES):
            pairs.add((claim, headline), 0, f"e{claim_id}", "emergent-other")
    mrpc = read_mrpc(data / MRPC_FILE)
    seconds = list(_nlp().pipe([b for _, b in mrpc.pairs], batch_size=256))
    for i, ((a, b), label, doc) in enumerate(zip(mrpc.pairs, mrpc.labels, seconds, strict=True)):
        group = f"m{i}"
        pairs.add((a, b), 0, group, "mrpc-pair")
        flipped = negated(doc)
        if flipped is not None:
            pairs.add((a, flipped), int(label == 1), group, "mrpc-negated-paraphrase" if label else
                      "mrpc-negated-other")
            if i % 4 == 0:
                pairs.add((b, flipped), 1, group, "mrpc-negated-self")
        opposite = with_antonym(doc)
        if opposite is not None and i % 2 == 0:
            pairs.add((b, opposite), 1, group, "mrpc-antonym-self")
    return pairs


@dataclass(frozen=True, slots=True)
class Prepared:
    """The model's domain (pairs the rules parse) with features, and every pair's relation either way."""

    x: np.ndarray  # feature rows of the domain
    domain: np.ndarray  # indices (into all pairs) of the domain rows
    without: list[str]  # each pair's relation when the model says no
    with_model: list[str]  # ... when it says yes


def _in_domain(a: str, b: str, similar: bool) -> bool:
    """The rows the model is fitted on: the pairs it decides (a polarity word differs, see
    `relation.differing_words`) and, as more examples of what is no contradiction, the pairs the
    matcher accepts whose names or word order differ (what the relation parsed when the model was
    designed). Fitted on the first kind alone it keeps fewer false alarms but finds fewer denials
    (Emergent `against` recall 0.41 against 0.55 by cross-validation, 2026-12-07)."""
    diff = differing_words(a, b)
    return diff.polar or (similar and diff.names_or_order_differ())


def prepare(pairs: Pairs) -> Prepared:
    lexical = default_matcher(LEXICAL)
    similar = lexical.same(pairs.texts)
    domain = [i for i, (a, b) in enumerate(pairs.texts) if _in_domain(a, b, bool(similar[i]))]
    facts = facts_of([t for i in domain for t in pairs.texts[i]])
    parsed = [(facts[pairs.texts[i][0]], facts[pairs.texts[i][1]]) for i in domain]
    neutral_similarity, neutral = lexical.scores([(a.neutral, b.neutral) for a, b in parsed])
    overlap = lexical.features([pairs.texts[i] for i in domain])
    x = pair_features(parsed, overlap, neutral_similarity, [_antonym_flip(a, b) for a, b in parsed])
    without = ["same" if s else "different" for s in similar]
    with_model = list(without)
    for k, i in enumerate(domain):
        alike = bool(similar[i] or neutral[k])
        without[i] = explain(*parsed[k], alike, denies=False).relation
        with_model[i] = explain(*parsed[k], alike, denies=True).relation
    return Prepared(x, np.asarray(domain), without, with_model)


def _fit(x: np.ndarray, y: np.ndarray, c: float) -> tuple[StandardScaler, LogisticRegression]:
    scaler = StandardScaler().fit(x)
    model = LogisticRegression(C=c, max_iter=2000, class_weight="balanced").fit(scaler.transform(x), y)
    return scaler, model


def out_of_fold(x: np.ndarray, y: np.ndarray, groups: np.ndarray, c: float) -> np.ndarray:
    oof = np.zeros(len(y))
    for train, test in GroupKFold(FOLDS).split(x, y, groups):
        scaler, model = _fit(x[train], y[train], c)
        oof[test] = model.predict_proba(scaler.transform(x[test]))[:, 1]
    return oof


def choose(x: np.ndarray, y: np.ndarray, groups: np.ndarray) -> tuple[float, float, float]:
    """(C, threshold, F1) with the best out-of-fold F1 of `contradicts` over the domain."""
    best = (-1.0, 0.0, 0.5)
    for c in C_GRID:
        oof = out_of_fold(x, y, groups, c)
        for t in THRESHOLDS:
            f1 = precision_recall_fscore_support(y, oof >= t, average="binary", zero_division=0)[2]
            if f1 > best[0]:
                best = (float(f1), c, float(t))
    return best[1], best[2], best[0]


def nested_predictions(x: np.ndarray, y: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Outer-fold verdicts, each from C and threshold chosen on its own training folds only."""
    verdict = np.zeros(len(y), dtype=bool)
    for train, test in GroupKFold(FOLDS).split(x, y, groups):
        c, threshold, _ = choose(x[train], y[train], groups[train])
        scaler, model = _fit(x[train], y[train], c)
        verdict[test] = model.predict_proba(scaler.transform(x[test]))[:, 1] >= threshold
    return verdict


def report(pairs: Pairs, prepared: Prepared, verdict: np.ndarray) -> dict[str, dict[str, float]]:
    """Per origin: how often the whole relation (with out-of-fold model verdicts) says `contradicts`."""
    relation = list(prepared.without)
    for k, i in enumerate(prepared.domain):
        if verdict[k]:
            relation[i] = prepared.with_model[i]
    out: dict[str, dict[str, float]] = {}
    for origin in sorted(set(pairs.origins)):
        rows = [i for i, o in enumerate(pairs.origins) if o == origin]
        called = sum(relation[i] == "contradicts" for i in rows)
        rules = sum(prepared.without[i] == "contradicts" for i in rows)
        out[origin] = {"pairs": len(rows), "contradicts": called, "rules_alone": rules}
    return out


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--data", type=Path, required=True, help="matching data folder (emergent/, mrpc/)")
    parser.add_argument("--out", type=Path, required=True, help="model directory to write")
    args = parser.parse_args(argv)

    pairs = training_pairs(args.data)
    prepared = prepare(pairs)
    y = np.asarray(pairs.labels)[prepared.domain]
    groups = np.asarray(pairs.groups)[prepared.domain]
    by_origin = report(pairs, prepared, nested_predictions(prepared.x, y, groups))
    c, threshold, f1 = choose(prepared.x, y, groups)
    scaler, model = _fit(prepared.x, y, c)
    meta = {
        "trained_on": "Emergent train claims x headlines (against = 1) and contrast pairs made by rule from "
                      "MRPC train sentences; only pairs whose polarity words differ",
        "emergent_sha256": hashlib.sha256((args.data / EMERGENT_FILE).read_bytes()).hexdigest(),
        "mrpc_sha256": hashlib.sha256((args.data / MRPC_FILE).read_bytes()).hexdigest(),
        "domain_pairs": len(y), "domain_contradictions": int(y.sum()), "folds": FOLDS, "seed": SEED,
        "cv_f1": round(f1, 4), "nested_cv_by_origin": by_origin,
    }
    linear = LinearModel(FEATURES, scaler.mean_, scaler.scale_, model.coef_[0], float(model.intercept_[0]),
                         threshold, meta)
    args.out.mkdir(parents=True, exist_ok=True)
    linear.save(args.out, MODEL_FILE)
    print(f"contradiction: C={c} threshold={threshold:.2f} cv F1 (domain)={f1:.4f} on {len(y)} pairs")
    for origin, row in by_origin.items():
        print(f"  {origin:28} {row['contradicts']:5d} / {row['pairs']:5d} called contradicts "
              f"(rules alone {row['rules_alone']})")


if __name__ == "__main__":
    main()
