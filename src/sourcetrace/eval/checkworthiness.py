"""Score the check-worthiness model on CheckThat! 2024 English dev (ClaimBuster sentences).

Data: ``<data>/CT24_checkworthy_english_{train,dev}.tsv`` (header ``Sentence_id  Text  class_label``,
labels Yes / No). Metric: precision, recall and F1 of the positive class (Yes), the task's official
measure. A sentence is predicted check-worthy when its probability reaches the model's threshold
(chosen by cross-validation on train, never on dev).

Baseline, measured the same way: word 1-2-gram TF-IDF + logistic regression (class-balanced), fitted
on train, positive when its probability >= 0.5.

Run ``python -m sourcetrace.eval.checkworthiness --data ../shared/data/checkworthiness`` for a table.
"""

from __future__ import annotations

import csv
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from sourcetrace.errors import InputError
from sourcetrace.eval.arguments import model_eval_parser

if TYPE_CHECKING:
    from rich.table import Table

    from sourcetrace.nlp.checkworthiness.model import CheckworthinessModel

DEFAULT_DATA = Path("../shared/data/checkworthiness")
FILE_PATTERN = "CT24_checkworthy_english_{split}.tsv"
POSITIVE = "Yes"


@dataclass(frozen=True, slots=True)
class Split:
    ids: list[str]
    texts: list[str]
    labels: list[int]  # 1 = check-worthy


@dataclass(frozen=True, slots=True)
class PRF:
    precision: float
    recall: float
    f1: float
    tp: int
    fp: int
    fn: int

    @classmethod
    def from_predictions(cls, gold: Sequence[int], predicted: Sequence[int]) -> PRF:
        """Positive-class (1) figures of 0/1 labels; 0.0 where a ratio has nothing below it."""
        from sklearn.metrics import precision_recall_fscore_support

        g, p = np.asarray(gold, dtype=bool), np.asarray(predicted, dtype=bool)
        if g.shape != p.shape:
            raise ValueError(f"{len(g)} gold labels but {len(p)} predictions")
        tp, fp, fn = int(np.sum(g & p)), int(np.sum(~g & p)), int(np.sum(g & ~p))
        if not len(g):  # scikit-learn refuses empty input
            return cls(0.0, 0.0, 0.0, tp, fp, fn)
        precision, recall, f1, _ = precision_recall_fscore_support(g, p, average="binary", zero_division=0)
        return cls(float(precision), float(recall), float(f1), tp, fp, fn)


@dataclass(slots=True)
class CheckworthinessResult:
    split: str
    n_sentences: int
    n_positive: int
    scores: dict[str, PRF] = field(default_factory=dict)  # system name -> positive-class P/R/F1
    seconds: dict[str, float] = field(default_factory=dict)  # system name -> scoring (+ fitting) time

    def as_dict(self) -> dict[str, object]:
        return {
            "split": self.split,
            "n_sentences": self.n_sentences,
            "n_positive": self.n_positive,
            "scores": {
                name: {"precision": s.precision, "recall": s.recall, "f1": s.f1}
                for name, s in self.scores.items()
            },
        }


def load_split(data_dir: Path | str, split: str) -> Split:
    """Read one TSV split; InputError when the file is missing or malformed."""
    path = Path(data_dir) / FILE_PATTERN.format(split=split)
    if not path.is_file():
        raise InputError(f"no check-worthiness {split} file (expected {path.name})", source=str(data_dir))
    ids: list[str] = []
    texts: list[str] = []
    labels: list[int] = []
    with path.open(encoding="utf-8", newline="") as fh:
        # QUOTE_NONE: sentences contain bare double quotes that are part of the text.
        reader = csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
        header = next(reader, None)
        if header is None or [h.strip() for h in header[:3]] != ["Sentence_id", "Text", "class_label"]:
            raise InputError(f"unexpected header {header!r}", source=str(path))
        for line_no, row in enumerate(reader, start=2):
            if len(row) != 3 or row[2].strip() not in ("Yes", "No"):
                raise InputError(f"line {line_no}: expected id<TAB>text<TAB>Yes|No", source=str(path))
            ids.append(row[0])
            texts.append(row[1])
            labels.append(int(row[2].strip() == POSITIVE))
    return Split(ids, texts, labels)


def baseline_scores(train: Split, texts: Sequence[str]) -> list[float]:
    """The TF-IDF + logistic-regression baseline: fit on `train`, return P(check-worthy) for `texts`."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    pipe = make_pipeline(
        TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=2),
        LogisticRegression(class_weight="balanced", max_iter=2000),
    )
    pipe.fit(train.texts, train.labels)
    return pipe.predict_proba(list(texts))[:, 1].tolist()


def evaluate(
    data_dir: Path | str = DEFAULT_DATA,
    model: CheckworthinessModel | None = None,
    *,
    split: str = "dev",
    baseline: bool = True,
    semantic: bool | None = None,
) -> CheckworthinessResult:
    """P/R/F1 of the positive class on `split` for the model (packaged one by default) and baseline.

    `semantic`: also score the packaged semantic model (extra `semantic`); by default it is scored
    when no `model` is given and the extra and its model file are installed.
    """
    from sourcetrace.nlp.checkworthiness.model import CheckworthinessModel

    gold = load_split(data_dir, split)
    result = CheckworthinessResult(split, len(gold.texts), sum(gold.labels))
    if semantic is None:
        semantic = model is None and _semantic_installed()
    if model is None:
        model = CheckworthinessModel.load()
    _score(result, "model", model, gold)
    if semantic:
        from sourcetrace.nlp.checkworthiness.semantic import SemanticCheckworthinessModel

        _score(result, "semantic (MiniLM, extra)", SemanticCheckworthinessModel.load(nlp=model.nlp), gold)
    if baseline:
        start = time.perf_counter()
        base = baseline_scores(load_split(data_dir, "train"), gold.texts)
        result.seconds["tfidf+lr baseline"] = time.perf_counter() - start
        result.scores["tfidf+lr baseline"] = PRF.from_predictions(gold.labels, [int(p >= 0.5) for p in base])
    return result


def _score(result: CheckworthinessResult, name: str, model: CheckworthinessModel, gold: Split) -> None:
    start = time.perf_counter()
    probs = model.score(gold.texts)
    result.seconds[name] = time.perf_counter() - start
    result.scores[name] = PRF.from_predictions(gold.labels, [int(model.is_checkworthy(p)) for p in probs])


def _semantic_installed() -> bool:
    from sourcetrace.nlp.checkworthiness.model import MODEL_DIR
    from sourcetrace.nlp.checkworthiness.semantic import SEMANTIC_FILE, semantic_available

    return semantic_available() and (MODEL_DIR / SEMANTIC_FILE).is_file()


def scores_table(result: CheckworthinessResult) -> Table:
    from rich.table import Table

    table = Table(
        title=f"Check-worthiness, CheckThat! 2024 English {result.split} "
        f"({result.n_sentences} sentences, {result.n_positive} check-worthy): positive class"
    )
    table.add_column("system")
    for metric in ("P", "R", "F1", "TP", "FP", "FN"):
        table.add_column(metric, justify="right")
    for name, s in result.scores.items():
        table.add_row(
            name, f"{s.precision:.3f}", f"{s.recall:.3f}", f"{s.f1:.3f}", str(s.tp), str(s.fp), str(s.fn)
        )
    return table


def main(argv: Sequence[str] | None = None) -> None:
    from rich.console import Console

    from sourcetrace.nlp.checkworthiness.model import CheckworthinessModel

    args = model_eval_parser(__doc__, DEFAULT_DATA, "check-worthiness data directory").parse_args(argv)
    result = evaluate(
        args.data, CheckworthinessModel.load(args.model), split=args.split, baseline=not args.no_baseline
    )
    Console().print(scores_table(result))


if __name__ == "__main__":
    main()
