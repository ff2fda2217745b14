"""Score attribution chains against hand-annotated gold articles (tests/gold/chains/*.json).

A gold file holds one invented article and what a careful fact-checker expects of it::

    {"id": "...", "text": "<headline>\\n\\n<body>", "meta": {"outlet": "..."},
     "expected_outlet": "...", "expected_wire": null,
     "claims": [{"anchor": "<unique substring of the claim>", "chain": [{"name": "...", "type": "..."}],
                 "hedges": ["allegedly"], "note": "..."}],
     "sources": [{"name": "...", "type": "...", "role": "...", "affiliation": "...",
                  "mentions": ["Ruth Okafor", "[She] added"]}]}

Chains run outermost first (publisher, wire, reposting credit, relays, innermost source). A source
mention is an exact surface string; square brackets mark the mention inside a longer context that
makes it unique (``"[he] said"``), otherwise its first occurrence is meant. Mentions are listed only
where the source speaks (speaker, pronoun, surname, role, outlet hop), not for every antecedent.

Scoring:

* A gold claim is matched to the predicted claim whose [start, end) contains the anchor's start
  (located in ``report.document.text``, which excludes the headline); when several do, the narrowest,
  i.e. the innermost content. *found*: some predicted claim covers the anchor.
* *exact chain*: same length, every hop the same type, and for named types (outlet, named_person,
  named_organization, document) matching names: case-insensitive, leading articles dropped, equal or
  one containing the other. Names of unnamed types (anonymous, eyewitness, ...) are not compared.
* *hop type accuracy*: hops compared by position, over max(len(gold), len(predicted)) per claim, so
  missing and extra hops both count against it; a missed claim scores 0 of len(gold).
* *depth accuracy*: predicted chain length equals gold; *innermost accuracy*: the last hop matches.
* *source resolution*: each gold mention must be covered (overlapped) by a mention of a predicted
  source with the same type and, for named types, a matching name.
* *hedge recall*: over gold claims that list hedges, the matched claim carries a hedge with that text.

Run ``python -m sourcetrace.eval.chains --gold tests/gold/chains [--details]`` for tables.
"""

from __future__ import annotations

import argparse
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sourcetrace.schema import Claim, Report, SourceType

if TYPE_CHECKING:
    from rich.table import Table

AnalyzeFn = Callable[[str, dict[str, Any]], Report]

#: Types whose names identify the source, so a chain must name them right.
NAMED_TYPES = frozenset(
    {SourceType.OUTLET, SourceType.NAMED_PERSON, SourceType.NAMED_ORGANIZATION, SourceType.DOCUMENT}
)
SOURCE_TYPES = frozenset(t.value for t in SourceType)
DEFAULT_GOLD = Path("tests/gold/chains")

# Ingest or extraction may straighten quotes and dashes; a 1:1 character map keeps offsets valid.
_FOLD = str.maketrans(
    {"\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u201c": '"', "\u201d": '"',
     "\u201e": '"', "\u201f": '"', "\u2013": "-", "\u2014": "-", "\u2012": "-", "\u2015": "-",
     "\u00a0": " "}
)
_LEADING_ARTICLE = re.compile(r"^(?:the|a|an)\s+")
_MENTION = re.compile(r"^(?P<pre>[^\[\]]*)\[(?P<mention>[^\[\]]+)\](?P<post>[^\[\]]*)$")


class GoldError(ValueError):
    """A gold file is malformed or inconsistent with its own text."""


# ----------------------------------------------------------------------------------------------- gold


@dataclass(frozen=True, slots=True)
class GoldHop:
    name: str
    type: str


@dataclass(frozen=True, slots=True)
class GoldClaim:
    anchor: str
    chain: tuple[GoldHop, ...]
    hedges: tuple[str, ...] = ()
    note: str | None = None


@dataclass(frozen=True, slots=True)
class GoldMention:
    """`surface` inside `context`, starting `offset` characters into it."""

    context: str
    offset: int
    surface: str

    @classmethod
    def parse(cls, spec: str) -> GoldMention:
        if "[" not in spec and "]" not in spec:
            return cls(spec, 0, spec)
        match = _MENTION.match(spec)
        if not match:
            raise GoldError(f"mention {spec!r}: brackets must mark exactly one span")
        pre, mention = match.group("pre"), match.group("mention")
        return cls(pre + mention + match.group("post"), len(pre), mention)

    def locate(self, text: str) -> tuple[int, int] | None:
        at = find(text, self.context)
        if at < 0:
            return None
        start = at + self.offset
        return start, start + len(self.surface)


@dataclass(frozen=True, slots=True)
class GoldSource:
    name: str
    type: str
    mentions: tuple[GoldMention, ...] = ()
    role: str | None = None
    affiliation: str | None = None


@dataclass(frozen=True, slots=True)
class GoldArticle:
    id: str
    text: str
    meta: Mapping[str, Any]
    expected_outlet: str | None
    expected_wire: str | None
    claims: tuple[GoldClaim, ...]
    sources: tuple[GoldSource, ...]
    path: Path | None = None


def fold(text: str) -> str:
    return text.translate(_FOLD)


def find(text: str, needle: str) -> int:
    """First index of `needle` in `text`, ignoring curly/straight quote and dash differences."""
    return fold(text).find(fold(needle))


def _body(text: str) -> str:
    """The article text after its headline line, as ingest would analyse it."""
    return text.partition("\n")[2].strip()


def _hop(raw: Mapping[str, Any], where: str) -> GoldHop:
    kind = raw.get("type")
    if kind not in SOURCE_TYPES:
        raise GoldError(f"{where}: unknown source type {kind!r}")
    return GoldHop(name=str(raw.get("name", "")), type=kind)


def _claim(raw: Mapping[str, Any], text: str, where: str) -> GoldClaim:
    anchor = raw.get("anchor", "")
    if not anchor:
        raise GoldError(f"{where}: empty anchor")
    count = fold(text).count(fold(anchor))
    if count != 1:
        raise GoldError(f"{where}: anchor {anchor!r} occurs {count} times in the text (must be once)")
    if find(_body(text), anchor) < 0:
        raise GoldError(f"{where}: anchor {anchor!r} is in the headline, not the body")
    chain = tuple(_hop(h, where) for h in raw.get("chain", ()))
    if not chain:
        raise GoldError(f"{where}: empty chain")
    return GoldClaim(anchor, chain, tuple(raw.get("hedges", ())), raw.get("note"))


def _source(raw: Mapping[str, Any], text: str, where: str) -> GoldSource:
    hop = _hop(raw, where)
    mentions = tuple(GoldMention.parse(m) for m in raw.get("mentions", ()))
    body = _body(text)
    for mention in mentions:
        if mention.locate(body) is None:
            raise GoldError(f"{where}: mention context {mention.context!r} not found in the body")
    return GoldSource(hop.name, hop.type, mentions, raw.get("role"), raw.get("affiliation"))


def parse_gold(raw: Mapping[str, Any], path: Path | None = None) -> GoldArticle:
    where = str(path or raw.get("id", "<gold>"))
    text = raw.get("text")
    if not isinstance(text, str) or not text.strip():
        raise GoldError(f"{where}: no text")
    claims = tuple(_claim(c, text, f"{where} claim {i}") for i, c in enumerate(raw.get("claims", ())))
    sources = tuple(_source(s, text, f"{where} source {i}") for i, s in enumerate(raw.get("sources", ())))
    return GoldArticle(
        id=str(raw.get("id") or (path.stem if path else "")),
        text=text,
        meta=dict(raw.get("meta") or {}),
        expected_outlet=raw.get("expected_outlet"),
        expected_wire=raw.get("expected_wire"),
        claims=claims,
        sources=sources,
        path=path,
    )


def load_gold_file(path: Path | str) -> GoldArticle:
    path = Path(path)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise GoldError(f"{path}: invalid JSON: {exc}") from exc
    return parse_gold(raw, path)


def load_gold(directory: Path | str) -> list[GoldArticle]:
    """Every ``*.json`` gold article in `directory`, in file-name order."""
    directory = Path(directory)
    paths = sorted(directory.glob("*.json"))
    if not paths:
        raise GoldError(f"{directory}: no gold *.json files")
    return [load_gold_file(p) for p in paths]


# ----------------------------------------------------------------------------------------- matching


def normalize_name(name: str | None) -> str:
    norm = " ".join(fold(name or "").casefold().split()).strip(" .,;:'\"()")
    return _LEADING_ARTICLE.sub("", norm)


def names_match(gold: str | None, predicted: str | None) -> bool:
    """Equal, or one contains the other, after case folding and dropping a leading article."""
    a, b = normalize_name(gold), normalize_name(predicted)
    return bool(a and b) and (a == b or a in b or b in a)


def hop_matches(gold: GoldHop, name: str, kind: str) -> bool:
    if str(kind) != gold.type:
        return False
    return gold.type not in NAMED_TYPES or names_match(gold.name, name)


def match_claim(claims: Sequence[Claim], offset: int) -> Claim | None:
    """The innermost predicted claim whose [start, end) contains `offset`."""
    covering = [c for c in claims if c.start <= offset < c.end]
    if not covering:
        return None
    return min(covering, key=lambda c: (c.end - c.start, -len(c.chain)))


# ------------------------------------------------------------------------------------------- results

PredHop = tuple[str, str]  # (name, type)


@dataclass(slots=True)
class ClaimResult:
    article: str
    anchor: str
    gold: tuple[GoldHop, ...]
    predicted: tuple[PredHop, ...] | None = None
    claim_text: str | None = None
    note: str | None = None
    hedges_expected: tuple[str, ...] = ()
    hedges_found: int = 0

    @property
    def found(self) -> bool:
        return self.predicted is not None

    @property
    def hops_total(self) -> int:
        return max(len(self.gold), len(self.predicted or ()))

    @property
    def hops_correct(self) -> int:
        pred = self.predicted or ()
        return sum(str(p[1]) == g.type for g, p in zip(self.gold, pred, strict=False))

    @property
    def depth_ok(self) -> bool:
        return self.found and len(self.gold) == len(self.predicted or ())

    @property
    def exact(self) -> bool:
        pred = self.predicted or ()
        return self.depth_ok and all(hop_matches(g, *p) for g, p in zip(self.gold, pred, strict=True))

    @property
    def innermost_ok(self) -> bool:
        return bool(self.predicted) and hop_matches(self.gold[-1], *self.predicted[-1])  # type: ignore[index]


@dataclass(slots=True)
class MentionResult:
    article: str
    source: GoldSource
    surface: str
    predicted: PredHop | None = None
    note: str | None = None

    @property
    def correct(self) -> bool:
        return self.predicted is not None and hop_matches(
            GoldHop(self.source.name, self.source.type), *self.predicted
        )


@dataclass(slots=True)
class ArticleResult:
    id: str
    expected_outlet: str | None
    predicted_outlet: str | None
    expected_wire: str | None
    predicted_wire: str | None
    claims: list[ClaimResult] = field(default_factory=list)
    mentions: list[MentionResult] = field(default_factory=list)

    @property
    def outlet_ok(self) -> bool:
        return names_match(self.expected_outlet, self.predicted_outlet)

    @property
    def wire_ok(self) -> bool:
        if self.expected_wire is None:
            return self.predicted_wire is None
        return names_match(self.expected_wire, self.predicted_wire)


def _rate(num: int, den: int) -> float:
    return num / den if den else 0.0


@dataclass(slots=True)
class ChainScores:
    articles: list[ArticleResult] = field(default_factory=list)

    @property
    def claim_results(self) -> list[ClaimResult]:
        return [c for a in self.articles for c in a.claims]

    @property
    def mention_results(self) -> list[MentionResult]:
        return [m for a in self.articles for m in a.mentions]

    @property
    def n_claims(self) -> int:
        return len(self.claim_results)

    def counts(self) -> dict[str, tuple[int, int]]:
        """metric -> (numerator, denominator)."""
        claims = self.claim_results
        mentions = self.mention_results
        hedged = [c for c in claims if c.hedges_expected]
        outlets = [a for a in self.articles if a.expected_outlet is not None]
        return {
            "claims_found": (sum(c.found for c in claims), len(claims)),
            "exact_chain": (sum(c.exact for c in claims), len(claims)),
            "hop_type_accuracy": (sum(c.hops_correct for c in claims), sum(c.hops_total for c in claims)),
            "depth_accuracy": (sum(c.depth_ok for c in claims), len(claims)),
            "innermost_accuracy": (sum(c.innermost_ok for c in claims), len(claims)),
            "source_resolution": (sum(m.correct for m in mentions), len(mentions)),
            "hedge_recall": (
                sum(c.hedges_found for c in hedged), sum(len(c.hedges_expected) for c in hedged)
            ),
            "outlet_accuracy": (sum(a.outlet_ok for a in outlets), len(outlets)),
            "wire_accuracy": (sum(a.wire_ok for a in self.articles), len(self.articles)),
        }

    def rates(self) -> dict[str, float]:
        return {k: _rate(n, d) for k, (n, d) in self.counts().items()}

    @property
    def claims_found(self) -> float:
        return self.rates()["claims_found"]

    @property
    def exact_chain(self) -> float:
        return self.rates()["exact_chain"]

    @property
    def hop_type_accuracy(self) -> float:
        return self.rates()["hop_type_accuracy"]

    @property
    def depth_accuracy(self) -> float:
        return self.rates()["depth_accuracy"]

    @property
    def source_resolution(self) -> float:
        return self.rates()["source_resolution"]

    def innermost_by_type(self) -> dict[str, tuple[int, int]]:
        """Gold innermost type -> (claims whose innermost hop matched, claims)."""
        out: dict[str, tuple[int, int]] = {}
        for c in self.claim_results:
            ok, n = out.get(c.gold[-1].type, (0, 0))
            out[c.gold[-1].type] = (ok + c.innermost_ok, n + 1)
        return dict(sorted(out.items()))

    def failures(self) -> list[ClaimResult]:
        return [c for c in self.claim_results if not c.exact]

    def to_dict(self) -> dict[str, Any]:
        return {
            "counts": {k: list(v) for k, v in self.counts().items()},
            "rates": self.rates(),
            "innermost_by_type": {k: list(v) for k, v in self.innermost_by_type().items()},
            "failures": [
                {"article": c.article, "anchor": c.anchor, "gold": format_chain(c.gold),
                 "predicted": format_chain(c.predicted)}
                for c in self.failures()
            ],
        }


# -------------------------------------------------------------------------------------------- scoring


def _score_claim(article: GoldArticle, gold: GoldClaim, report: Report) -> ClaimResult:
    result = ClaimResult(article.id, gold.anchor, gold.chain, hedges_expected=gold.hedges)
    offset = find(report.document.text, gold.anchor)
    if offset < 0:
        result.note = "anchor not in document.text"
        return result
    claim = match_claim(report.claims, offset)
    if claim is None:
        result.note = "no predicted claim covers the anchor"
        return result
    result.predicted = tuple((link.name, str(link.type)) for link in claim.chain)
    result.claim_text = claim.text
    hedge_texts = [normalize_name(h.text) for h in claim.hedges]
    result.hedges_found = sum(
        any(normalize_name(h) in t for t in hedge_texts) for h in gold.hedges
    )
    return result


def _score_mention(
    article: GoldArticle, source: GoldSource, mention: GoldMention, report: Report
) -> MentionResult:
    result = MentionResult(article.id, source, mention.surface)
    span = mention.locate(report.document.text)
    if span is None:
        result.note = "mention not in document.text"
        return result
    start, end = span
    best, best_overlap = None, 0
    for predicted in report.sources:
        for m_start, m_end in predicted.mentions:
            overlap = min(end, m_end) - max(start, m_start)
            if overlap > best_overlap:
                best, best_overlap = predicted, overlap
    if best is None:
        result.note = "no predicted source mention covers it"
    else:
        result.predicted = (best.name, str(best.type))
    return result


def score_article(article: GoldArticle, report: Report) -> ArticleResult:
    doc = report.document
    result = ArticleResult(article.id, article.expected_outlet, doc.outlet, article.expected_wire, doc.wire)
    result.claims = [_score_claim(article, c, report) for c in article.claims]
    result.mentions = [
        _score_mention(article, s, m, report) for s in article.sources for m in s.mentions
    ]
    return result


def score(articles: Sequence[GoldArticle], analyze_fn: AnalyzeFn) -> ChainScores:
    """Run `analyze_fn(text, meta)` on every gold article and compare its report with the gold."""
    return ChainScores([score_article(a, analyze_fn(a.text, dict(a.meta))) for a in articles])


def evaluate(directory: Path | str = DEFAULT_GOLD, model: str | None = None) -> ChainScores:
    """Score the real pipeline (`Analyzer(model)`, one instance for all articles) on a gold directory."""
    from sourcetrace.analyzer import Analyzer
    from sourcetrace.ingest import document_from_text

    analyzer = Analyzer(model)

    def analyze(text: str, meta: dict[str, Any]) -> Report:
        return analyzer.analyze(document_from_text(text, **meta))

    return score(load_gold(directory), analyze)


# --------------------------------------------------------------------------------------------- tables


def format_chain(chain: Sequence[GoldHop] | Sequence[PredHop] | None) -> str:
    if chain is None:
        return "(no claim)"
    hops = [(h.name, h.type) if isinstance(h, GoldHop) else (h[0], str(h[1])) for h in chain]
    return " > ".join(f"{kind}:{name}" if kind in NAMED_TYPES else kind for name, kind in hops)


_LABELS = {
    "claims_found": "claims found",
    "exact_chain": "exact chain match",
    "hop_type_accuracy": "per-hop type accuracy",
    "depth_accuracy": "chain depth accuracy",
    "innermost_accuracy": "innermost source accuracy",
    "source_resolution": "source resolution accuracy",
    "hedge_recall": "hedge recall",
    "outlet_accuracy": "publisher outlet",
    "wire_accuracy": "dateline wire",
}


def scores_table(scores: ChainScores) -> Table:
    from rich.table import Table

    table = Table(title=f"Chain scores ({len(scores.articles)} articles, {scores.n_claims} gold claims)")
    table.add_column("metric")
    table.add_column("score", justify="right")
    table.add_column("n", justify="right")
    for key, (num, den) in scores.counts().items():
        table.add_row(_LABELS.get(key, key), f"{_rate(num, den):.1%}" if den else "-", f"{num}/{den}")
    for kind, (num, den) in scores.innermost_by_type().items():
        table.add_row(f"  innermost = {kind}", f"{_rate(num, den):.1%}", f"{num}/{den}")
    return table


def details_table(scores: ChainScores, *, failures_only: bool = True, limit: int | None = None) -> Table:
    """One row per gold claim (by default only those without an exact chain match)."""
    from rich.table import Table

    rows = scores.failures() if failures_only else scores.claim_results
    table = Table(title="Chain failures" if failures_only else "Chains", show_lines=True)
    for name in ("article", "anchor", "gold", "predicted", "note"):
        table.add_column(name, overflow="fold")
    for c in rows[:limit] if limit else rows:
        note = c.note or ("ok" if c.exact else f"{c.hops_correct}/{c.hops_total} hop types")
        table.add_row(c.article, c.anchor, format_chain(c.gold), format_chain(c.predicted), note)
    return table


def mentions_table(scores: ChainScores, *, failures_only: bool = True) -> Table:
    from rich.table import Table

    table = Table(title="Source resolution failures" if failures_only else "Source mentions")
    for name in ("article", "mention", "gold source", "predicted source", "note"):
        table.add_column(name, overflow="fold")
    for m in scores.mention_results:
        if failures_only and m.correct:
            continue
        predicted = f"{m.predicted[1]}:{m.predicted[0]}" if m.predicted else "-"
        table.add_row(m.article, m.surface, f"{m.source.type}:{m.source.name}", predicted, m.note or "")
    return table


def main(argv: Sequence[str] | None = None) -> int:
    from rich.console import Console

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gold", type=Path, default=DEFAULT_GOLD, help="directory of gold *.json files")
    parser.add_argument("--model", default=None, help="spaCy pipeline name or path")
    parser.add_argument("--details", action="store_true", help="also list claims and mentions that failed")
    parser.add_argument("--json", action="store_true", help="print the scores as JSON instead of tables")
    args = parser.parse_args(argv)
    scores = evaluate(args.gold, args.model)
    console = Console()
    if args.json:
        console.print_json(json.dumps(scores.to_dict()))
        return 0
    console.print(scores_table(scores))
    if args.details:
        console.print(details_table(scores))
        console.print(mentions_table(scores))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
