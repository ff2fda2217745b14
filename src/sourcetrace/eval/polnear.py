"""Score attribution extractors against PolNeAR (brat standoff) gold annotations.

Gold: ``<split>/text/<name>.txt`` (the raw article, title on the first line) and
``<split>/attributions/<name>_<annotator>.ann``. When an article has several annotators the first
``.ann`` file in alphabetical order is used, so training and scoring see one consistent annotation.

Scoring (micro-averaged over documents):

* Attributions are paired one-to-one by their cues: every (gold, predicted) pair whose cues share a
  character is a candidate; pairs are taken greedily by shared-character count (ties: the pair whose
  cues differ least, then the larger content overlap), so a duplicate prediction cannot match twice.
* cue: a pair is a true positive under *overlap* when it exists, under *exact* when both cues cover
  the same characters.
* source / content: judged only on cue-paired attributions (a correct source on a missed cue is a
  miss). *exact*: same characters. *overlap*: source shares any character; content shares at least
  half the characters of the longer of the two spans.
* Discontinuous spans are compared as the union of their characters.
* Denominators: predicted / gold attributions that have the role (an attribution without a source
  adds nothing to the source counts).

Run ``python -m sourcetrace.eval.polnear --data ../shared/data/polnear/dev`` for a table.
"""

from __future__ import annotations

import argparse
import contextlib
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from rich.console import Console
from rich.table import Table

from sourcetrace.eval import scoring
from sourcetrace.nlp.attribution.types import RawAttribution
from sourcetrace.nlp.loader import DEFAULT_MODEL, load_spacy, own_pipes
from sourcetrace.schema import Document

if TYPE_CHECKING:
    from rich.table import Table
    from spacy.language import Language
    from spacy.tokens import Doc

    from sourcetrace.analyzer import Analyzer
    from sourcetrace.schema import Report

Span = tuple[int, int]
Spans = tuple[Span, ...]
ROLES = ("cue", "source", "content")
REGIMES = ("exact", "overlap")
DEFAULT_DATA = Path("../shared/data/polnear/dev")


@dataclass(frozen=True, slots=True)
class GoldAttribution:
    cue: Spans
    content: Spans
    source: Spans | None = None


@dataclass(slots=True)
class GoldDoc:
    name: str
    text: str
    attributions: list[GoldAttribution]


class AttributionLike(Protocol):
    """What the scorer reads from a prediction (RawAttribution satisfies it)."""

    cue: Span
    source: Span | None
    content: list[Span]


Predictor = Callable[[list[str]], Iterable[Sequence[AttributionLike]]]


# ---------------------------------------------------------------------------------------------- gold


_T_LINE = re.compile(r"^(T\d+)\t\S+ (\d+ \d+(?:;\d+ \d+)*)(?:\t|$)")
_E_LINE = re.compile(r"^E\d+\t(\S.*)$")


def _parse_spans(field_text: str) -> Spans:
    spans = []
    for piece in field_text.split(";"):
        start, end = piece.split()
        spans.append((int(start), int(end)))
    return tuple(spans)


def parse_ann(ann: str) -> list[GoldAttribution]:
    """Attributions of one brat ``.ann`` file. Events without a cue cannot be paired and are dropped."""
    spans: dict[str, Spans] = {}
    events: list[list[tuple[str, str]]] = []
    for line in ann.splitlines():
        # Lines that match neither are notes (#) or the continuation of a span text with a newline.
        if m := _T_LINE.match(line):
            spans[m[1]] = _parse_spans(m[2])
        elif m := _E_LINE.match(line):
            events.append([tuple(arg.split(":", 1)) for arg in m[1].split()])  # type: ignore[misc]
    out = []
    for args in events:
        cue: list[Span] = []
        source: list[Span] = []
        content: list[Span] = []
        for role, tid in args:
            if tid not in spans:
                continue
            # Content2 is the second piece of a quote split by its speech tag.
            target = {"Cue": cue, "Source": source, "Content": content, "Content2": content}.get(role)
            if target is not None:
                target.extend(spans[tid])
        if cue:
            out.append(
                GoldAttribution(tuple(sorted(cue)), tuple(sorted(content)), tuple(sorted(source)) or None)
            )
    return out


def _split_dir(directory: Path) -> Path:
    # Accept the corpus root too: score its dev split.
    if not (directory / "text").is_dir() and (directory / "dev" / "text").is_dir():
        return directory / "dev"
    return directory


def iter_gold(directory: str | Path, limit: int | None = None) -> Iterator[GoldDoc]:
    directory = _split_dir(Path(directory))
    text_dir, ann_dir = directory / "text", directory / "attributions"
    if not text_dir.is_dir() or not ann_dir.is_dir():
        raise FileNotFoundError(f"{directory}: expected text/ and attributions/ (a PolNeAR split)")
    anns: dict[str, list[Path]] = {}
    for ann in sorted(ann_dir.glob("*.ann")):
        anns.setdefault(ann.stem.rsplit("_", 1)[0], []).append(ann)
    for n, txt in enumerate(sorted(text_dir.glob("*.txt"))):
        if limit is not None and n >= limit:
            break
        files = anns.get(txt.stem, [])
        attributions = parse_ann(files[0].read_text(encoding="utf-8")) if files else []
        # newline="" keeps \r characters so offsets stay code-point exact.
        with txt.open(encoding="utf-8", newline="") as fh:
            text = fh.read()
        yield GoldDoc(txt.stem, text, attributions)


def load_gold(directory: str | Path, limit: int | None = None) -> list[GoldDoc]:
    """Gold documents of a PolNeAR split directory (``text/`` + ``attributions/``), sorted by name."""
    return list(iter_gold(directory, limit))


# ------------------------------------------------------------------------------------------- scoring


@dataclass(slots=True)
class PRF:
    tp: int = 0
    pred: int = 0
    gold: int = 0

    @property
    def precision(self) -> float:
        return scoring.prf(self.tp, self.pred, self.gold)[0]

    @property
    def recall(self) -> float:
        return scoring.prf(self.tp, self.pred, self.gold)[1]

    @property
    def f1(self) -> float:
        return scoring.prf(self.tp, self.pred, self.gold)[2]

    def add(self, other: PRF) -> None:
        self.tp += other.tp
        self.pred += other.pred
        self.gold += other.gold


def _empty() -> dict[str, PRF]:
    return {role: PRF() for role in ROLES}


@dataclass(slots=True)
class PolnearScores:
    exact: dict[str, PRF] = field(default_factory=_empty)
    overlap: dict[str, PRF] = field(default_factory=_empty)
    docs: int = 0

    def get(self, regime: str, role: str) -> PRF:
        return getattr(self, regime)[role]

    def add(self, other: PolnearScores) -> None:
        for regime in REGIMES:
            for role in ROLES:
                self.get(regime, role).add(other.get(regime, role))
        self.docs += other.docs

    def as_dict(self) -> dict[str, dict[str, dict[str, float]]]:
        return {
            regime: {
                role: {
                    "precision": round(s.precision, 4),
                    "recall": round(s.recall, 4),
                    "f1": round(s.f1, 4),
                    "tp": s.tp,
                    "pred": s.pred,
                    "gold": s.gold,
                }
                for role, s in getattr(self, regime).items()
            }
            for regime in REGIMES
        }


def _norm(spans: Iterable[Span]) -> Spans:
    """Sorted, merged, non-empty spans: the union of characters as intervals."""
    merged: list[list[int]] = []
    for start, end in sorted(s for s in spans if s[1] > s[0]):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return tuple((s, e) for s, e in merged)


def _size(spans: Spans) -> int:
    return sum(e - s for s, e in spans)


def _shared(a: Spans, b: Spans) -> int:
    total = i = j = 0
    while i < len(a) and j < len(b):
        total += max(0, min(a[i][1], b[j][1]) - max(a[i][0], b[j][0]))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return total


@dataclass(frozen=True, slots=True)
class _Item:
    cue: Spans
    source: Spans
    content: Spans


def _gold_item(g: GoldAttribution) -> _Item:
    return _Item(_norm(g.cue), _norm(g.source or ()), _norm(g.content))


def _pred_item(p: AttributionLike) -> _Item:
    return _Item(_norm([p.cue]), _norm([p.source] if p.source else ()), _norm(p.content or ()))


def _pair(gold: Sequence[_Item], pred: Sequence[_Item]) -> list[tuple[_Item, _Item]]:
    candidates = []
    for gi, g in enumerate(gold):
        for pi, p in enumerate(pred):
            shared = _shared(g.cue, p.cue)
            if shared:
                differ = _size(g.cue) + _size(p.cue) - 2 * shared
                candidates.append((-shared, differ, -_shared(g.content, p.content), gi, pi))
    candidates.sort()
    used_g: set[int] = set()
    used_p: set[int] = set()
    pairs = []
    for *_, gi, pi in candidates:
        if gi not in used_g and pi not in used_p:
            used_g.add(gi)
            used_p.add(pi)
            pairs.append((gold[gi], pred[pi]))
    return pairs


def _half_overlap(a: Spans, b: Spans) -> bool:
    return bool(a and b) and 2 * _shared(a, b) >= max(_size(a), _size(b))


def score_doc(gold: Sequence[GoldAttribution], predicted: Sequence[AttributionLike]) -> PolnearScores:
    g_items = [_gold_item(g) for g in gold]
    p_items = [_pred_item(p) for p in predicted]
    scores = PolnearScores(docs=1)
    for regime in REGIMES:
        for role in ROLES:
            prf = scores.get(regime, role)
            prf.gold = sum(1 for g in g_items if getattr(g, role))
            prf.pred = sum(1 for p in p_items if getattr(p, role))
    for g, p in _pair(g_items, p_items):
        scores.overlap["cue"].tp += 1
        scores.exact["cue"].tp += g.cue == p.cue
        if g.source and p.source:
            scores.overlap["source"].tp += _shared(g.source, p.source) > 0
            scores.exact["source"].tp += g.source == p.source
        if g.content and p.content:
            scores.overlap["content"].tp += _half_overlap(g.content, p.content)
            scores.exact["content"].tp += g.content == p.content
    return scores


def score(gold_docs: Sequence[GoldDoc], predictions: Iterable[Sequence[AttributionLike]]) -> PolnearScores:
    """Micro-averaged scores; `predictions` holds one attribution list per gold document, in order."""
    total = PolnearScores()
    n = 0
    for doc, predicted in zip(gold_docs, predictions, strict=False):
        total.add(score_doc(doc.attributions, predicted))
        n += 1
    if n != len(gold_docs):
        raise ValueError(f"got predictions for {n} documents, expected {len(gold_docs)}")
    return total


def evaluate(
    directory: str | Path,
    predictors: Mapping[str, Predictor],
    limit: int | None = None,
) -> dict[str, PolnearScores]:
    """Score each predictor (raw texts in, one attribution list per text out) on a PolNeAR split."""
    gold = load_gold(directory, limit)
    texts = [d.text for d in gold]
    return {name: score(gold, predictor(texts)) for name, predictor in predictors.items()}


def scores_table(results: Mapping[str, PolnearScores]) -> Table:
    table = Table(title="PolNeAR attribution spans (micro P / R / F1)")
    table.add_column("system")
    table.add_column("role")
    for regime in REGIMES:
        for metric in ("P", "R", "F1"):
            table.add_column(f"{regime} {metric}", justify="right")
    for name, scores in results.items():
        for role in ROLES:
            cells = []
            for regime in REGIMES:
                s = scores.get(regime, role)
                cells += [f"{s.precision:.3f}", f"{s.recall:.3f}", f"{s.f1:.3f}"]
            table.add_row(name, role, *cells)
        table.add_section()
    return table


# ---------------------------------------------------------------------------------------- predictors


def tagger_predictor(nlp: Language | None = None, model_path: Path | None = None) -> Predictor:
    """The learned AttributionTagger run on a bare spaCy pipeline."""
    from sourcetrace.nlp.attribution.tagger import AttributionTagger

    tagger = AttributionTagger.load(model_path)
    pipeline = nlp or load_spacy(DEFAULT_MODEL)

    def predict(texts: list[str]) -> Iterator[list[RawAttribution]]:
        for doc in pipeline.pipe(texts, batch_size=8):
            yield tagger(doc)

    return predict


def _textacy_doc(doc: Doc, char_offset: int = 0, token_offset: int = 0) -> list[RawAttribution]:
    """textacy's direct quotations of `doc` (raises ValueError on unbalanced quotation marks)."""
    from textacy.extract.triples import direct_quotations

    out = []
    for speaker, cue, content in direct_quotations(doc):
        if not cue:
            continue
        source = None
        if speaker:
            source = (
                min(t.idx for t in speaker) + char_offset,
                max(t.idx + len(t) for t in speaker) + char_offset,
            )
        out.append(
            RawAttribution(
                cue=(cue[0].idx + char_offset, cue[-1].idx + len(cue[-1]) + char_offset),
                cue_head=cue[0].i + token_offset,
                content=[(content.start_char + char_offset, content.end_char + char_offset)],
                source=source,
                source_head=speaker[0].i + token_offset if speaker else None,
                kind="direct",
            )
        )
    return out


def _textacy_by_paragraph(doc: Doc) -> list[RawAttribution]:
    found: list[RawAttribution] = []
    start = 0
    for tok in doc:
        if "\n" in tok.text or tok.i == len(doc) - 1:
            span = doc[start : tok.i + 1]
            with contextlib.suppress(ValueError):  # this paragraph is unbalanced too: skip it
                found += _textacy_doc(span.as_doc(), span.start_char, span.start)
            start = tok.i + 1
    return found


def textacy_attributions(doc: Doc) -> list[RawAttribution]:
    """The textacy baseline on one parsed Doc."""
    try:
        return _textacy_doc(doc)
    except ValueError:
        return _textacy_by_paragraph(doc)


def textacy_predictor(nlp: Language | None = None) -> Predictor:
    """Baseline: textacy's rule-based direct quotations (speaker -> source, cue, content).

    textacy refuses a document with an odd number of quotation marks; such documents are retried
    paragraph by paragraph, and paragraphs that are still unbalanced yield nothing.
    """
    pipeline = nlp or load_spacy(DEFAULT_MODEL)

    def predict(texts: list[str]) -> Iterator[list[RawAttribution]]:
        for doc in pipeline.pipe(texts, batch_size=8):
            yield textacy_attributions(doc)

    return predict


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="PolNeAR split directory")
    parser.add_argument("--limit", type=int, default=None, help="score only the first N documents")
    parser.add_argument("--model", type=Path, default=None, help="tagger model directory")
    parser.add_argument(
        "--systems", default="tagger,textacy", help="comma-separated: tagger, textacy (default both)"
    )
    args = parser.parse_args(argv)
    nlp = load_spacy(DEFAULT_MODEL)
    factories: dict[str, Callable[[], Predictor]] = {
        "tagger": lambda: tagger_predictor(nlp, args.model),
        "textacy": lambda: textacy_predictor(nlp),
    }
    predictors = {name: factories[name]() for name in args.systems.split(",") if name}
    results = evaluate(args.data, predictors, limit=args.limit)
    Console().print(scores_table(results))


if __name__ == "__main__":
    main()


# ---------------------------------------------------------------------------- the full system as a predictor


@dataclass(frozen=True, slots=True)
class ReportSpans:
    """A Report attribution reduced to the spans the PolNeAR scorer reads."""

    cue: Span
    source: Span | None
    content: list[Span]


def report_spans(report: Report) -> list[ReportSpans]:
    out = []
    for attribution in report.attributions:
        cue = attribution.cue
        if cue.start is None or cue.end is None:
            continue
        src = attribution.source
        source = (src.start, src.end) if src.start is not None and src.end is not None else None
        pieces = attribution.content.parts or [attribution.content]
        content = [(p.start, p.end) for p in pieces if p.start is not None and p.end is not None]
        out.append(ReportSpans((cue.start, cue.end), source, content))
    return out


def analyzer_predictor(analyzer: Analyzer) -> Predictor:
    """The whole sourcetrace pipeline as a PolNeAR predictor (texts in, attribution spans out)."""

    def predict(texts: list[str]) -> Iterator[list[ReportSpans]]:
        # Plain Documents, not ingest: the gold offsets index the raw file, title line included.
        documents = (Document(text=text) for text in texts)
        for report in analyzer.analyze_many(documents):
            yield report_spans(report)

    return predict


def on_bare_pipeline(predict: Predictor, nlp: Language) -> Predictor:
    """Run a span predictor with sourcetrace's own components switched off, as it would run alone."""

    def run(texts: list[str]) -> Iterator[Sequence[AttributionLike]]:
        with nlp.select_pipes(disable=own_pipes(nlp)):
            yield from predict(texts)

    return run
