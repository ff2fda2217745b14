"""Score the propaganda-technique model on the Propaganda Techniques Corpus (SemEval-2020 Task 11).

Data: ``<data>/{train,dev}-articles/article<ID>.txt`` and the technique labels
(``train-task2-TC.labels``, ``dev-gold-labels/dev-task-TC.labels``; tab-separated
``article_id technique start end``, character offsets, end exclusive).

Three figures, all on dev:

* **Span identification** (task SI): the task's partial-overlap precision and recall. Within an
  article, overlapping spans are merged first (SI is a binary task: technique labels are ignored).
  With S the predicted and T the gold spans over the whole split, and ``|s & t|`` the number of
  characters two spans share (pairs from the same article only)::

      P = 1/|S| * sum_s sum_t |s & t| / |s|        R = 1/|T| * sum_s sum_t |s & t| / |t|

  so a prediction covering half of a gold span earns half a hit on both sides.
* **Technique classification given the gold spans** (task TC): every gold span gets one label;
  a span annotated with k techniques gets the classifier's k best distinct labels. Micro-F1 (equal
  to accuracy, since there are as many predictions as gold labels) plus per-technique P/R/F1.
* **Joint** (what users of the report see): each gold span takes the technique of the predicted span
  that overlaps it most; a gold span that no prediction overlaps counts as wrong. Micro-F1 over gold
  spans (again equal to accuracy) and per technique.

The baseline for technique classification is a word 1-2-gram TF-IDF + logistic regression on the
span text, fitted on train.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from sourcetrace.errors import InputError
from sourcetrace.eval import scoring
from sourcetrace.eval.arguments import model_eval_parser

if TYPE_CHECKING:
    from rich.table import Table

    from sourcetrace.nlp.framing.model import FramingModel

DEFAULT_DATA = Path("../shared/data/ptc")
LABEL_FILES = {
    "train": "train-task2-TC.labels",
    "dev": "dev-gold-labels/dev-task-TC.labels",
}

Span = tuple[int, int]


@dataclass(frozen=True, slots=True)
class GoldSpan:
    article_id: str
    technique: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class PTCSplit:
    name: str
    articles: dict[str, str]  # article id -> text
    spans: list[GoldSpan]

    def spans_by_article(self) -> dict[str, list[GoldSpan]]:
        out: dict[str, list[GoldSpan]] = defaultdict(list)
        for span in self.spans:
            out[span.article_id].append(span)
        return out


@dataclass(frozen=True, slots=True)
class PRF:
    precision: float
    recall: float
    f1: float
    support: int = 0  # gold items (spans or labels) behind the figure

    @classmethod
    def of(cls, precision: float, recall: float, support: int = 0) -> PRF:
        return cls(precision, recall, scoring.f1(precision, recall), support)

    @classmethod
    def from_counts(cls, tp: float, fp: float, fn: float) -> PRF:
        return cls(*scoring.prf(tp, tp + fp, tp + fn), int(round(tp + fn)))


# ------------------------------------------------------------------------------------------ reading


def load_split(data_dir: Path | str, split: str) -> PTCSplit:
    """Articles and technique spans of one split; InputError when a file is missing or malformed."""
    data_dir = Path(data_dir)
    articles_dir = data_dir / f"{split}-articles"
    labels = data_dir / LABEL_FILES.get(split, f"{split}-task2-TC.labels")
    if not articles_dir.is_dir():
        raise InputError(
            f"no {articles_dir.name}/ folder (is this the ptc data folder?)", source=str(data_dir)
        )
    if not labels.is_file():
        raise InputError(f"no {split} labels (expected {labels.relative_to(data_dir)})", source=str(data_dir))
    articles = {}
    for path in sorted(articles_dir.glob("article*.txt")):
        # newline="" keeps \r\n as two characters: the gold offsets count them.
        with path.open(encoding="utf-8", newline="") as fh:
            articles[path.stem.removeprefix("article")] = fh.read()
    if not articles:
        raise InputError(f"no article*.txt files in {articles_dir.name}/", source=str(data_dir))
    spans = list(read_labels(labels, articles))
    return PTCSplit(split, articles, spans)


def read_labels(path: Path, articles: Mapping[str, str]) -> Iterable[GoldSpan]:
    for line_no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        parts = line.rstrip("\n").split("\t")
        try:
            article_id, technique, start, end = parts[0], parts[1], int(parts[2]), int(parts[3])
        except (IndexError, ValueError):
            raise InputError(
                f"line {line_no}: expected id<TAB>technique<TAB>start<TAB>end", source=str(path)
            ) from None
        text = articles.get(article_id)
        if text is None or not 0 <= start < end <= len(text):
            raise InputError(
                f"line {line_no}: span {start}-{end} outside article {article_id}", source=str(path)
            )
        yield GoldSpan(article_id, technique, start, end)


# ------------------------------------------------------------------------------------------ metrics


def merge_spans(spans: Iterable[Span]) -> list[Span]:
    """Union of possibly overlapping spans, as sorted disjoint spans (touching spans stay apart)."""
    merged: list[list[int]] = []
    for start, end in sorted(s for s in spans if s[1] > s[0]):
        if merged and start < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(s, e) for s, e in merged]


def overlap(a: Span, b: Span) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def span_identification(
    predicted: Mapping[str, Sequence[Span]], gold: Mapping[str, Sequence[Span]]
) -> PRF:
    """SemEval-2020 Task 11 SI precision/recall/F1 (partial overlap; see the module docstring)."""
    n_pred = n_gold = 0
    p_sum = r_sum = 0.0
    for article_id in set(predicted) | set(gold):
        pred = merge_spans(predicted.get(article_id, ()))
        true = merge_spans(gold.get(article_id, ()))
        n_pred += len(pred)
        n_gold += len(true)
        for s in pred:
            for t in true:
                shared = overlap(s, t)
                if shared:
                    p_sum += shared / (s[1] - s[0])
                    r_sum += shared / (t[1] - t[0])
    precision = p_sum / n_pred if n_pred else 0.0
    recall = r_sum / n_gold if n_gold else 0.0
    return PRF.of(precision, recall, n_gold)


@dataclass(slots=True)
class LabelScores:
    """Micro-F1 over all labels plus P/R/F1 per technique."""

    micro: PRF
    per_technique: dict[str, PRF]


def label_scores(pairs: Iterable[tuple[Sequence[str], Sequence[str | None]]]) -> LabelScores:
    """Score (gold labels, predicted labels) per item.

    A None prediction (no span to take a label from) is wrong: a miss for the gold label and a false
    positive in the micro count, so micro P = R = accuracy when every item has one prediction.

    Labels of one item are compared as multisets, so a span annotated twice with different techniques
    is scored on both, in any order.
    """
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    unlabelled = 0
    for gold, predicted in pairs:
        unlabelled += sum(1 for label in predicted if label is None)
        g = Counter(gold)
        p = Counter(label for label in predicted if label is not None)
        hit = g & p
        tp.update(hit)
        fp.update(p - hit)
        fn.update(g - hit)
    techniques = sorted(set(tp) | set(fp) | set(fn))
    per = {t: PRF.from_counts(tp[t], fp[t], fn[t]) for t in techniques}
    micro = PRF.from_counts(sum(tp.values()), sum(fp.values()) + unlabelled, sum(fn.values()))
    return LabelScores(micro, per)


def group_gold(spans: Iterable[GoldSpan]) -> dict[tuple[str, int, int], list[str]]:
    """Gold techniques per distinct (article, start, end): the unit the TC protocol labels."""
    groups: dict[tuple[str, int, int], list[str]] = defaultdict(list)
    for span in spans:
        groups[(span.article_id, span.start, span.end)].append(span.technique)
    return dict(groups)


def joint_labels(
    gold: Sequence[GoldSpan], predicted: Sequence[tuple[str, int, int]]
) -> list[str | None]:
    """For each gold span (of one article), the technique of the predicted span overlapping it most.

    `predicted` holds (technique, start, end). None when no prediction overlaps the gold span.
    """
    out: list[str | None] = []
    for g in gold:
        best: str | None = None
        best_overlap = 0
        for technique, start, end in predicted:
            shared = overlap((g.start, g.end), (start, end))
            if shared > best_overlap:
                best, best_overlap = technique, shared
        out.append(best)
    return out


# ---------------------------------------------------------------------------------------- evaluation


@dataclass(slots=True)
class PTCResult:
    split: str
    n_articles: int
    n_gold_spans: int
    span_identification: PRF | None = None
    classification: dict[str, LabelScores] = field(default_factory=dict)  # system -> TC on gold spans
    joint: LabelScores | None = None
    seconds: dict[str, float] = field(default_factory=dict)
    #: Other span finders (the `[semantic]` extra's): name -> (span identification, joint).
    span_finders: dict[str, tuple[PRF, LabelScores]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        def prf(s: PRF) -> dict[str, float]:
            return {"precision": s.precision, "recall": s.recall, "f1": s.f1}

        return {
            "split": self.split,
            "n_articles": self.n_articles,
            "n_gold_spans": self.n_gold_spans,
            "span_identification": prf(self.span_identification) if self.span_identification else None,
            "classification_micro_f1": {k: v.micro.f1 for k, v in self.classification.items()},
            "joint_micro_f1": self.joint.micro.f1 if self.joint else None,
            "span_finders": {
                k: {"span_identification": prf(si), "joint_micro_f1": joint.micro.f1}
                for k, (si, joint) in self.span_finders.items()
            },
        }


def classify_gold(model: FramingModel, split: PTCSplit) -> list[tuple[list[str], list[str]]]:
    """TC protocol: the model's k best techniques for every distinct gold span with k gold labels."""
    groups = group_gold(split.spans)
    keys = list(groups)
    ranked = model.rank_techniques(split.articles, [(a, s, e) for a, s, e in keys])
    return [(groups[k], list(r[: len(groups[k])])) for k, r in zip(keys, ranked, strict=True)]


def baseline_classify(train: PTCSplit, split: PTCSplit) -> list[tuple[list[str], list[str]]]:
    """TF-IDF (word 1-2-grams of the span) + logistic regression, fitted on train gold spans."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    pipe = make_pipeline(
        TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=2),
        LogisticRegression(max_iter=2000, C=10.0),
    )
    texts = [train.articles[s.article_id][s.start : s.end] for s in train.spans]
    pipe.fit(texts, [s.technique for s in train.spans])
    groups = group_gold(split.spans)
    keys = list(groups)
    probs = pipe.predict_proba([split.articles[a][s:e] for a, s, e in keys])
    classes = pipe.classes_
    out = []
    for k, row in zip(keys, probs, strict=True):
        order = row.argsort()[::-1][: len(groups[k])]
        out.append((groups[k], [str(classes[i]) for i in order]))
    return out


SEMANTIC = "semantic (MiniLM, extra)"


def span_scores(model: FramingModel, gold: PTCSplit) -> tuple[PRF, LabelScores]:
    """Span identification and the joint figure of the model's detected spans."""
    ids = list(gold.articles)
    found = model.detect_texts([gold.articles[i] for i in ids])
    predicted = {i: spans for i, spans in zip(ids, found, strict=True)}
    by_article = gold.spans_by_article()
    si = span_identification(
        {i: [(s.start, s.end) for s in spans] for i, spans in predicted.items()},
        {i: [(s.start, s.end) for s in spans] for i, spans in by_article.items()},
    )
    joint_pairs: list[tuple[list[str], list[str | None]]] = []
    for article_id, spans in by_article.items():
        labels = joint_labels(spans, [(s.technique, s.start, s.end) for s in predicted.get(article_id, [])])
        joint_pairs.extend(([g.technique], [p]) for g, p in zip(spans, labels, strict=True))
    return si, label_scores(joint_pairs)


def evaluate(
    data_dir: Path | str = DEFAULT_DATA,
    model: FramingModel | None = None,
    *,
    split: str = "dev",
    baseline: bool = True,
    semantic: bool | None = None,
) -> PTCResult:
    """SI, TC-on-gold and joint figures for the model (the packaged one by default) and the baseline.

    `semantic`: also score the packaged semantic span finder (extra `semantic`); by default it is
    scored when no `model` is given and the extra and its model file are installed.
    """
    from sourcetrace.nlp.framing.model import FramingModel

    gold = load_split(data_dir, split)
    result = PTCResult(split, len(gold.articles), len(gold.spans))
    if semantic is None:
        semantic = model is None and _semantic_installed()
    if model is None:
        model = FramingModel.load()

    start = time.perf_counter()
    result.span_identification, result.joint = span_scores(model, gold)
    result.seconds["detect"] = time.perf_counter() - start
    if semantic:
        from sourcetrace.nlp.framing.semantic import SemanticSpans

        start = time.perf_counter()
        finder, model.semantic = model.semantic, SemanticSpans.load()
        try:
            result.span_finders[SEMANTIC] = span_scores(model, gold)
        finally:
            model.semantic = finder
        result.seconds[SEMANTIC] = time.perf_counter() - start

    start = time.perf_counter()
    result.classification["model"] = label_scores(classify_gold(model, gold))
    result.seconds["model"] = time.perf_counter() - start
    if baseline:
        start = time.perf_counter()
        base = baseline_classify(load_split(data_dir, "train"), gold)
        result.classification["tfidf+lr baseline"] = label_scores(base)
        result.seconds["tfidf+lr baseline"] = time.perf_counter() - start
    return result


def _semantic_installed() -> bool:
    from sourcetrace.nlp.framing.model import MODEL_DIR
    from sourcetrace.nlp.framing.semantic import SEMANTIC_FILE, semantic_available

    return semantic_available() and (MODEL_DIR / SEMANTIC_FILE).is_file()


# --------------------------------------------------------------------------------------------- tables


def scores_table(result: PTCResult) -> Table:
    from rich.table import Table

    table = Table(
        title=f"Propaganda techniques, PTC {result.split} "
        f"({result.n_articles} articles, {result.n_gold_spans} gold technique spans)"
    )
    table.add_column("task")
    table.add_column("system")
    for metric in ("P", "R", "F1"):
        table.add_column(metric, justify="right")
    if result.span_identification is not None:
        s = result.span_identification
        table.add_row("span identification (partial overlap)", "model",
                      f"{s.precision:.3f}", f"{s.recall:.3f}", f"{s.f1:.3f}")
    for name, (si, _) in result.span_finders.items():
        table.add_row("span identification (partial overlap)", name,
                      f"{si.precision:.3f}", f"{si.recall:.3f}", f"{si.f1:.3f}")
    for name, scores in result.classification.items():
        m = scores.micro
        table.add_row("technique given gold spans (micro)", name,
                      f"{m.precision:.3f}", f"{m.recall:.3f}", f"{m.f1:.3f}")
    if result.joint is not None:
        m = result.joint.micro
        table.add_row("joint: gold span takes best-overlap prediction", "model",
                      f"{m.precision:.3f}", f"{m.recall:.3f}", f"{m.f1:.3f}")
    for name, (_, joint) in result.span_finders.items():
        m = joint.micro
        table.add_row("joint: gold span takes best-overlap prediction", name,
                      f"{m.precision:.3f}", f"{m.recall:.3f}", f"{m.f1:.3f}")
    return table


def technique_table(result: PTCResult) -> Table:
    """F1 per technique: classification on gold spans (model, baseline) and joint."""
    from rich.table import Table

    table = Table(title=f"Per technique, PTC {result.split}: F1")
    table.add_column("technique")
    table.add_column("gold", justify="right")
    systems = list(result.classification)
    for name in systems:
        table.add_column(f"TC {name}", justify="right")
    if result.joint is not None:
        table.add_column("joint model", justify="right")
    techniques = sorted({t for s in result.classification.values() for t in s.per_technique})
    first = result.classification[systems[0]] if systems else None
    for technique in sorted(techniques, key=lambda t: -(first.per_technique[t].support if first
                                                        and t in first.per_technique else 0)):
        support = first.per_technique.get(technique) if first else None
        row = [technique, str(support.support if support else 0)]
        for name in systems:
            prf = result.classification[name].per_technique.get(technique)
            row.append(f"{prf.f1:.3f}" if prf else "-")
        if result.joint is not None:
            prf = result.joint.per_technique.get(technique)
            row.append(f"{prf.f1:.3f}" if prf else "-")
        table.add_row(*row)
    return table


def main(argv: Sequence[str] | None = None) -> None:
    from rich.console import Console

    from sourcetrace.nlp.framing.model import FramingModel

    args = model_eval_parser(__doc__, DEFAULT_DATA, "ptc data directory").parse_args(argv)
    model = FramingModel.load(args.model)
    result = evaluate(args.data, model, split=args.split, baseline=not args.no_baseline)
    console = Console()
    console.print(scores_table(result))
    console.print(technique_table(result))


if __name__ == "__main__":
    main()
