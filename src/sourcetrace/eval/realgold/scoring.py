"""Score the analysis against the real-article gold, by the guide's Scoring section.

- **Claims**: each gold claim matches the predicted claim it overlaps most, one to one; recall over
  the gold claims, precision over the predicted claims inside the annotated region.
- **Chains**: a matched claim's chain is exact when it has the gold length and every hop has the gold
  type and names the same source by the guide's name rules (`names.same_source`); an unmatched gold
  claim counts as wrong. Innermost: the last hop alone. Hop types: compared by position, over the
  longer of the two chains.
- **Quote speakers**: gold claims marked as quotations: found, and innermost source right.
- **Headlines**: the `overstated` flag against the gold headline, precision and recall.

Every figure comes twice: with the publisher given as metadata (a corpus's normal case) and without
(title and text only), plus `below publisher`: chains compared without their first hop, what the
text itself says about sourcing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sourcetrace.eval.realgold.gold import GoldArticle, GoldClaim, Hop
from sourcetrace.eval.realgold.matching import match_claims, overlap
from sourcetrace.eval.realgold.names import same_source
from sourcetrace.eval.realgold.shared import SharedArticle
from sourcetrace.eval.realgold.textmap import OffsetMap
from sourcetrace.schema import Document, Report

PUBLISHER_ID = "publisher"
#: A predicted claim belongs to the annotated region when at least this share of it lies inside.
IN_REGION_SHARE = 0.5

AnalyzeFn = Callable[[Document], Report]
#: The report's headline reasons as the guide's letters.
_REASON_LETTERS = {"unnamed_source": "a", "long_chain": "b", "hedged_in_body": "c"}


@dataclass(frozen=True, slots=True)
class PredictedHop:
    name: str
    type: str
    source_id: str


@dataclass(slots=True)
class ClaimScore:
    article: str
    folder: str
    gold: GoldClaim
    excerpt: str
    predicted: tuple[PredictedHop, ...] | None = None
    predicted_text: str | None = None

    @property
    def found(self) -> bool:
        return self.predicted is not None

    def hops(self, below_publisher: bool) -> tuple[tuple[Hop, ...], tuple[PredictedHop, ...]]:
        gold, predicted = self.gold.chain, self.predicted or ()
        if below_publisher:
            gold = gold[1:]
            if predicted and predicted[0].source_id == PUBLISHER_ID:
                predicted = predicted[1:]
        return gold, predicted

    def exact(self, below_publisher: bool = False) -> bool:
        gold, predicted = self.hops(below_publisher)
        return (
            self.found
            and len(gold) == len(predicted)
            and all(same_source(g.name, g.type, p.name, p.type) for g, p in zip(gold, predicted, strict=True))
        )

    def innermost(self) -> bool:
        if not self.predicted:
            return False
        gold, last = self.gold.chain[-1], self.predicted[-1]
        return same_source(gold.name, gold.type, last.name, last.type)

    def hop_types(self, below_publisher: bool = False) -> tuple[int, int]:
        gold, predicted = self.hops(below_publisher)
        right = sum(g.type == p.type for g, p in zip(gold, predicted, strict=False))
        return right, max(len(gold), len(predicted))


@dataclass(slots=True)
class HeadlineScore:
    article: str
    gold_overstated: bool
    predicted_overstated: bool
    gold_reasons: tuple[str, ...]
    predicted_reasons: tuple[str, ...]


@dataclass(slots=True)
class ArticleScore:
    id: str
    folder: str
    gold_claims: int
    predicted_in_region: int
    claims: list[ClaimScore] = field(default_factory=list)
    headline: HeadlineScore | None = None
    spurious: list[str] = field(default_factory=list)


def _rate(num: int, den: int) -> float:
    return num / den if den else 0.0


@dataclass(slots=True)
class Scores:
    articles: list[ArticleScore] = field(default_factory=list)

    @property
    def claims(self) -> list[ClaimScore]:
        return [c for a in self.articles for c in a.claims]

    def subset(self, folders: Iterable[str]) -> Scores:
        wanted = set(folders)
        return Scores([a for a in self.articles if a.folder in wanted])

    def counts(self) -> dict[str, tuple[int, int]]:
        claims = self.claims
        quotes = [c for c in claims if c.gold.quote]
        matched = sum(c.found for c in claims)
        predicted = sum(a.predicted_in_region for a in self.articles)
        typed = [c.hop_types() for c in claims]
        heads = [a.headline for a in self.articles if a.headline is not None]
        return {
            "exact_chain": (sum(c.exact() for c in claims), len(claims)),
            "exact_below_publisher": (sum(c.exact(True) for c in claims), len(claims)),
            "innermost": (sum(c.innermost() for c in claims), len(claims)),
            "hop_type_accuracy": (sum(r for r, _ in typed), sum(t for _, t in typed)),
            "quote_found": (sum(c.found for c in quotes), len(quotes)),
            "quote_speaker": (sum(c.innermost() for c in quotes), len(quotes)),
            "claim_recall": (matched, len(claims)),
            "claim_precision": (matched, predicted),
            "headline_precision": (
                sum(h.gold_overstated and h.predicted_overstated for h in heads),
                sum(h.predicted_overstated for h in heads),
            ),
            "headline_recall": (
                sum(h.gold_overstated and h.predicted_overstated for h in heads),
                sum(h.gold_overstated for h in heads),
            ),
        }

    def rates(self) -> dict[str, float]:
        return {k: _rate(n, d) for k, (n, d) in self.counts().items()}


LABELS = {
    "exact_chain": "exact chain",
    "exact_below_publisher": "exact chain below the publisher",
    "innermost": "innermost source (name and type)",
    "hop_type_accuracy": "per-hop type accuracy",
    "quote_found": "quotes found",
    "quote_speaker": "quote speaker right",
    "claim_recall": "claim recall",
    "claim_precision": "claim precision",
    "headline_precision": "overstated headline precision",
    "headline_recall": "overstated headline recall",
}


# ------------------------------------------------------------------------------------------ scoring


def document_for(article: SharedArticle, *, with_outlet: bool) -> Document:
    """The Document a corpus reader makes of a shared article; without the outlet, title and text only."""
    from sourcetrace.ingest.text import document_from_text, mark_paragraphs

    meta = {"title": article.title, "path": article.ref.id}
    if with_outlet:
        meta |= {"outlet": article.outlet, "url": article.url, "author": article.author}
    return document_from_text(mark_paragraphs(article.text, list(article.paragraphs)), **meta)


def _in_region(span: tuple[int, int], region: tuple[int, int]) -> bool:
    length = span[1] - span[0]
    return length > 0 and overlap(span, region) / length >= IN_REGION_SHARE


def score_article(gold: GoldArticle, article: SharedArticle, report: Report) -> ArticleScore:
    text = report.document.text
    to_doc = OffsetMap(article.text, text)
    region = to_doc.span(*gold.region) or (0, 0)
    gold_spans = [to_doc.span(c.start, c.end) or (0, 0) for c in gold.claims]
    predicted = [c for c in report.claims if _in_region((c.start, c.end), region)]
    pairs = match_claims(gold_spans, [(c.start, c.end) for c in predicted])
    result = ArticleScore(gold.ref.id, gold.ref.folder, len(gold.claims), len(predicted))
    for i, claim in enumerate(gold.claims):
        excerpt = " ".join(article.text[claim.start : claim.end].split())
        score = ClaimScore(gold.ref.id, gold.ref.folder, claim, excerpt)
        if i in pairs:
            match = predicted[pairs[i]]
            score.predicted = tuple(PredictedHop(h.name, str(h.type), h.source_id) for h in match.chain)
            score.predicted_text = match.text
        result.claims.append(score)
    taken = set(pairs.values())
    result.spurious = [c.text for j, c in enumerate(predicted) if j not in taken]
    if gold.headline is not None:
        check = report.headline
        result.headline = HeadlineScore(
            gold.ref.id,
            gold.headline.overstated,
            bool(check.overstated),
            gold.headline.reasons,
            tuple(sorted(_REASON_LETTERS[str(r)] for r in check.reasons)),
        )
    return result


def score(
    golds: Sequence[GoldArticle], data: Path, analyze: AnalyzeFn, *, with_outlet: bool = True
) -> Scores:
    scores = Scores()
    for gold in golds:
        if not gold.readable:
            continue
        article = gold.article(data)
        report = analyze(document_for(article, with_outlet=with_outlet))
        scores.articles.append(score_article(gold, article, report))
    return scores
