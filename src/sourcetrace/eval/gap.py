"""GAP pronoun resolution (Webster et al. 2018): read the TSVs, build candidates, score like the paper.

Each GAP row is a Wikipedia snippet, a pronoun and two same-gender person names A and B, each marked as
the pronoun's antecedent or not. The resolver sees the snippet only (the paper's snippet-context
setting: no URL, no page). A and B become candidates with all their mentions in the snippet (full
name, surname, given name); other people the parser finds are candidates too, so that recency and
subject rank see them. The metric is the paper's: precision, recall and F1 of the (pronoun, name)
pairs predicted coreferent, overall and by the pronoun's gender.

    sourcetrace eval gap ../shared/data/coreference_gap --split validation
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc

from sourcetrace.eval import scoring
from sourcetrace.nlp.loader import DEFAULT_MODEL
from sourcetrace.nlp.resolution.gender import first_name_gender
from sourcetrace.nlp.resolution.person_names import parse_person_name
from sourcetrace.nlp.resolution.pronouns import FEMALE, Candidate, PronounModel, packaged_model

FILES = {"development": "gap-development.tsv", "validation": "gap-validation.tsv", "test": "gap-test.tsv"}


@dataclass(frozen=True, slots=True)
class GapExample:
    id: str
    text: str
    pronoun: str
    pronoun_offset: int
    a: str
    a_offset: int
    a_coref: bool
    b: str
    b_offset: int
    b_coref: bool

    @property
    def feminine(self) -> bool:
        return self.pronoun.lower() in FEMALE


def read_gap(data: Path, split: str) -> list[GapExample]:
    path = Path(data) / FILES[split]
    with path.open(encoding="utf-8", newline="") as handle:
        rows = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        return [
            GapExample(
                r["ID"], r["Text"], r["Pronoun"], int(r["Pronoun-offset"]),
                r["A"], int(r["A-offset"]), r["A-coref"].upper() == "TRUE",
                r["B"], int(r["B-offset"]), r["B-coref"].upper() == "TRUE",
            )  # fmt: skip
            for r in rows
        ]


def _token_span(doc: Doc, start: int, end: int) -> tuple[int, int] | None:
    span = doc.char_span(start, end, alignment_mode="expand")
    return (span.start, span.end) if span is not None and len(span) else None


def _name_forms(name: str) -> list[str]:
    """The ways a snippet may mention a person: the full name, the surname, the first given name."""
    parsed = parse_person_name(name)
    words = name.split()
    forms = [name]
    if len(words) > 1:
        forms.append(words[-1])
        if parsed.first and len(words[0]) > 2:
            forms.append(words[0])
    return forms


def _mentions_of(doc: Doc, name: str, given_offset: int) -> list[tuple[int, int]]:
    text = doc.text
    spans: set[tuple[int, int]] = set()
    given = _token_span(doc, given_offset, given_offset + len(name))
    if given:
        spans.add(given)
    for form in _name_forms(name):
        for match in re.finditer(r"(?<!\w)" + re.escape(form) + r"(?!\w)", text):
            span = _token_span(doc, match.start(), match.end())
            if span and not any(s <= span[0] and span[1] <= e for s, e in spans if (s, e) != span):
                spans.add(span)
    # Drop a form inside a longer mention (`Cassidy` inside `Cheryl Cassidy`).
    kept = [s for s in spans if not any(o != s and o[0] <= s[0] and s[1] <= o[1] for o in spans)]
    return sorted(kept)


def _head(doc: Doc, span: tuple[int, int]) -> int:
    return doc[span[0] : span[1]].root.i


def candidates_for(doc: Doc, example: GapExample) -> tuple[Candidate, Candidate, list[Candidate]]:
    """Candidates A and B, and every candidate in play (A, B and the other people in the snippet)."""

    def candidate(key: str, name: str, offset: int) -> Candidate:
        mentions = _mentions_of(doc, name, offset)
        return Candidate(
            key, mentions, gender=first_name_gender(parse_person_name(name).first),
            heads=[_head(doc, m) for m in mentions],
        )

    a = candidate("A", example.a, example.a_offset)
    b = candidate("B", example.b, example.b_offset)
    taken = {i for c in (a, b) for s, e in c.mentions for i in range(s, e)}
    others: dict[str, Candidate] = {}
    for ent in doc.ents:
        if ent.label_ != "PERSON" or any(i in taken for i in range(ent.start, ent.end)):
            continue
        key = parse_person_name(ent.text).surname_key or ent.text.lower()
        other = others.setdefault(key, Candidate("O:" + key, [], heads=[]))
        other.mentions.append((ent.start, ent.end))
        other.heads.append(ent.root.i)
    return a, b, [a, b, *others.values()]


@dataclass(slots=True)
class GapInstance:
    example: GapExample
    doc: Doc
    pronoun: int
    a: Candidate
    b: Candidate
    candidates: list[Candidate]


def instances(nlp: Language, examples: Sequence[GapExample]) -> Iterator[GapInstance]:
    docs = nlp.pipe((e.text for e in examples), batch_size=64)
    for example, doc in zip(examples, docs, strict=True):
        span = doc.char_span(example.pronoun_offset, example.pronoun_offset + len(example.pronoun),
                             alignment_mode="expand")
        if span is None or not len(span):
            continue
        a, b, candidates = candidates_for(doc, example)
        yield GapInstance(example, doc, span.start, a, b, candidates)


@dataclass(slots=True)
class GapScores:
    tp: dict[str, int] = field(default_factory=lambda: {"all": 0, "masculine": 0, "feminine": 0})
    fp: dict[str, int] = field(default_factory=lambda: {"all": 0, "masculine": 0, "feminine": 0})
    fn: dict[str, int] = field(default_factory=lambda: {"all": 0, "masculine": 0, "feminine": 0})
    examples: int = 0

    def add(self, feminine: bool, gold: bool, predicted: bool) -> None:
        for key in ("all", "feminine" if feminine else "masculine"):
            if gold and predicted:
                self.tp[key] += 1
            elif predicted:
                self.fp[key] += 1
            elif gold:
                self.fn[key] += 1

    def prf(self, key: str = "all") -> tuple[float, float, float]:
        tp, fp, fn = self.tp[key], self.fp[key], self.fn[key]
        return scoring.prf(tp, tp + fp, tp + fn)

    @property
    def bias(self) -> float:
        """Feminine F1 over masculine F1, the paper's bias figure."""
        masculine = self.prf("masculine")[2]
        return self.prf("feminine")[2] / masculine if masculine else 0.0


def decide(p_a: float, p_b: float, threshold: float) -> tuple[bool, bool]:
    """At most one antecedent: the likelier of A and B, when it clears the threshold."""
    if max(p_a, p_b) < threshold:
        return False, False
    return (True, False) if p_a >= p_b else (False, True)


def score(model: PronounModel, items: Sequence[GapInstance], threshold: float | None = None) -> GapScores:
    cut = model.threshold if threshold is None else threshold
    out = GapScores()
    for item in items:
        probs = model.probabilities(item.doc, item.pronoun, item.candidates)
        pred_a, pred_b = decide(probs[0], probs[1], cut)
        out.add(item.example.feminine, item.example.a_coref, pred_a)
        out.add(item.example.feminine, item.example.b_coref, pred_b)
        out.examples += 1
    return out


def evaluate(data: Path, split: str, progress=None) -> GapScores:  # noqa: ANN001 - a print callback
    """The packaged pronoun scorer on one GAP split."""
    import spacy

    examples = read_gap(data, split)
    if progress:
        progress(f"parsing {len(examples)} GAP {split} snippets")
    nlp = spacy.load(DEFAULT_MODEL, disable=["lemmatizer"])
    return score(packaged_model(), list(instances(nlp, examples)))
