"""Dependency rules for the attribution constructions a reader must never miss.

These complement the learned tagger: they are precise on the constructions that decide a chain
(`X told Y that`, `according to X`, `was quoted as saying`, impersonal passives, `adding that`) and they
supply what the tagger does not predict (addressee, time expression, inherited speakers).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from spacy.attrs import LEMMA, LOWER, ORTH
from spacy.tokens import Doc, Span, Token

from sourcetrace.nlp.attribution.lexicon import (
    ADDRESSEE_VERBS,
    DOCUMENT_NOUNS,
    FINDING_NOUNS,
    FIRST_SECOND_PERSON,
    RELAY_VERBS,
    REPORTING_VERBS,
    SHOWING_VERBS,
    VIEW_VERBS,
)
from sourcetrace.nlp.attribution.quotes import CLOSERS
from sourcetrace.nlp.attribution.types import RawAttribution, doc_text, token_strings
from sourcetrace.nlp.resolution.mentions import is_outlet_name, written_as_name

_SUBJECTS = ("nsubj", "nsubjpass", "csubj")
_CLAUSES = ("ccomp", "xcomp")
_TRIM_EDGES = frozenset(",.;:—–-\"'“”‘’ ")
_TIME_ENTS = frozenset({"DATE", "TIME"})
_CUE_LEMMAS = REPORTING_VERBS | {"quote"}
_FINITE = frozenset("VBD VBZ VBP MD".split())
#: What `based on` may rest a clause on, and what may say a finding shows (a pronoun: the record before).
_RECORDS = DOCUMENT_NOUNS | FINDING_NOUNS
_FINDING_SUBJECTS = FINDING_NOUNS | {"it", "they"}


def char_span(tokens: Iterable[Token]) -> tuple[int, int]:
    toks = list(tokens)
    return toks[0].idx, toks[-1].idx + len(toks[-1].text)


def subtree_span(token: Token, exclude: Iterable[Token] = ()) -> tuple[int, int]:
    """Character span of a token's subtree, cut before any excluded subtree that ends it."""
    excluded = {t.i for ex in exclude for t in ex.subtree}
    runs: list[list[Token]] = [[]]
    for t in token.subtree:
        if t.i in excluded:
            runs.append([])
        else:
            runs[-1].append(t)
    # An excluded phrase inside the subtree splits it: keep the longest run (`X, according to Y, Z`
    # keeps `Z` when it is the longer clause), never a span that straddles the exclusion.
    longest = max(runs, key=lambda run: sum(len(t.text_with_ws) for t in run))
    if not longest:
        return token.idx, token.idx
    return trim(token.doc, char_span(longest))


def trim(doc: Doc, span: tuple[int, int]) -> tuple[int, int]:
    text = doc_text(doc)
    start, end = span
    while start < end and text[start] in _TRIM_EDGES:
        start += 1
    while end > start and text[end - 1] in _TRIM_EDGES:
        end -= 1
    return start, end


def is_reporting(token: Token) -> bool:
    return token.pos_ in ("VERB", "AUX") and token.lemma_.lower() in REPORTING_VERBS


def _ing_lemma(lower: str) -> str | None:
    """The cue verb an `-ing` form comes from (`writing` -> `write`, `adding` -> `add`), if any. The
    pipeline's lemmatizer cannot say: it lemmatises by the tag, and these are the forms it tagged as
    nouns (`writing` stays `writing`); only the cue list is tried, so no general inflection table."""
    if not lower.endswith("ing") or len(lower) < 6:
        return None
    stem = lower[:-3]
    doubled = stem[:-1] if len(stem) > 2 and stem[-1] == stem[-2] else None
    return next((v for v in (stem, stem + "e", doubled) if v in _CUE_LEMMAS), None)


def _mistagged_participle(token: Token) -> bool:
    """`..., writing, "..."`: the tagger sometimes takes a speech participle set off by commas for a
    noun; as an adverbial clause with a clause of its own it is still the participle."""
    return token.tag_ == "NN" and token.dep_ == "advcl" and _ing_lemma(token.lower_) is not None


def _child(token: Token, *deps: str) -> Token | None:
    return next((c for c in token.children if c.dep_ in deps), None)


def _time_of(token: Token) -> tuple[int, int] | None:
    for child in token.children:
        if child.ent_type_ in _TIME_ENTS and child.dep_ in ("npadvmod", "tmod", "advmod"):
            return subtree_span(child)
        if child.dep_ == "prep" and child.lower_ in ("on", "in", "at", "during", "after", "before"):
            pobj = _child(child, "pobj")
            if pobj is not None and pobj.ent_type_ in _TIME_ENTS:
                return subtree_span(child)
    return None


def addressee_of(token: Token) -> tuple[int, int] | None:
    if token.lemma_.lower() in ADDRESSEE_VERBS:
        obj = _child(token, "dobj", "dative")
        if obj is not None:
            return subtree_span(obj)
    for prep in token.children:
        if prep.dep_ in ("prep", "dative") and prep.lower_ == "to":
            pobj = _child(prep, "pobj")
            if pobj is not None and pobj.pos_ in ("PROPN", "NOUN", "PRON"):
                return subtree_span(pobj)
    spoken_to = _spoken_to(token)
    return subtree_span(spoken_to) if spoken_to is not None else None


#: Participles that name whom a speaker spoke to: `Talking to IRIB, Reza Hosseini said ...`.
_SPEAKING_PARTICIPLES = frozenset({"speak", "talk"})


def _spoken_to(verb: Token) -> Token | None:
    """Who the speaker spoke to, in a clause around the speech verb: `Speaking to <X>, ... said`,
    `... said in an interview with <X>`, `wrote in <X>` (guide, Hops 3: the outlet spoken to is a hop;
    one the speaker appears on, `on <channel>`, is a venue and is not read here)."""
    for child in verb.children:
        if verb.lemma_.lower() == "write" and child.dep_ == "prep" and child.lower_ in ("in", "for"):
            # `Elvis wrote in the Harbour Review`: the outlet that published it (not `in 2014`).
            pobj = _child(child, "pobj")
            if pobj is not None and pobj.pos_ == "PROPN":
                return pobj
        if child.dep_ == "advcl" and child.tag_ == "VBG" and child.lemma_.lower() in _SPEAKING_PARTICIPLES:
            spoken_to = _object_of(child, ("to", "with"))
            if spoken_to is not None:
                return spoken_to
        interview = _child(child, "pobj") if child.dep_ == "prep" and child.lower_ == "in" else None
        if interview is not None and interview.lemma_.lower() == "interview":
            spoken_to = _object_of(interview, ("with",))
            if spoken_to is not None:
                return spoken_to
    return None


def _object_of(token: Token, prepositions: tuple[str, ...]) -> Token | None:
    """The object of the first of `prepositions` hanging on `token` (`talking to <X>`)."""
    prep = next((p for p in token.children if p.dep_ == "prep" and p.lower_ in prepositions), None)
    return _child(prep, "pobj") if prep is not None else None


def _passive_agent(token: Token) -> Token | None:
    agent = _child(token, "agent")
    return _child(agent, "pobj") if agent is not None else None


def _continuations_below(token: Token) -> list[Token]:
    return [
        t
        for t in token.subtree
        if t.i != token.i
        and t.tag_ == "VBG"
        and is_reporting(t)
        and t.dep_ in ("advcl", "xcomp", "conj")
        and t.nbor(-1).text == ","
    ]


def _clause_content(verb: Token) -> tuple[int, int] | None:
    clause = _child(verb, *_CLAUSES)
    if clause is None:
        return None
    # `..., adding that ...` carries its own content even when the parser hangs it inside this clause.
    # The complementiser `that` stays in the content, as PolNeAR's annotators mark it; claims drop it.
    return subtree_span(clause, exclude=_continuations_below(clause))


def _tagged_clause(verb: Token) -> tuple[int, int] | None:
    """`The bridge will reopen, the mayor said.`: the speech tag hangs off the clause it reports."""
    head = verb.head
    tag_deps = ("parataxis", "ccomp", "advcl")
    # `A is planned, the minister told IRNA`: the parser may also join the tag as a conjunct.
    conjunct_tag = (
        verb.dep_ == "conj"
        and head.i < verb.i
        and (_child(verb, "nsubj") is not None or _clause_final_subject(verb) is not None)
    )
    if (verb.dep_ not in tag_deps and not conjunct_tag) or head.i == verb.i:
        return None
    first = min(t.i for t in verb.subtree)
    tail = _clause_final_subject(verb) if conjunct_tag and _child(verb, "nsubj") is None else None
    if tail is not None:
        first = min(first, tail.left_edge.i)  # the parser hung the speaker on the clause it reports
    # `As Bump explains, the tweet could ...`: an as-clause before the clause it reports.
    as_clause = verb.dep_ == "advcl" and verb.doc[first].lower_ == "as" and head.i > verb.i
    if not as_clause and (first == 0 or not verb.doc[first - 1].is_punct):
        return None  # a speech tag is set off by a comma, dash or closing quote
    if head.i > verb.i and verb.dep_ != "parataxis" and not as_clause:
        return None
    exclude = [verb] if tail is None else [verb, tail]
    return trim(verb.doc, _clip(subtree_span(head, exclude=exclude), verb.sent))


def _clause_final_subject(verb: Token) -> Token | None:
    """`..., a source familiar with the talks said`, when the parser hung the speaker elsewhere."""
    if verb.i == 0:
        return None
    best = None
    node = verb.doc[verb.i - 1]
    for candidate in [node, *node.ancestors]:
        if candidate.i >= verb.i or candidate.right_edge.i != verb.i - 1:
            break
        left = candidate.left_edge.i
        if (
            candidate.pos_ in ("NOUN", "PROPN", "PRON")
            and left > 0
            and verb.doc[left - 1].text in ",\u2014\u2013"
        ):
            best = candidate
    return best


def _inverted_speaker(verb: Token) -> Token | None:
    """`"...," warned Kyle.`: in an inverted speech tag right after a quote the parser may take the
    speaker's name for the verb's object; a name that ends the sentence there is the speaker."""
    doc = verb.doc
    if verb.i < 2 or doc[verb.i - 1].text not in CLOSERS or doc[verb.i - 2].text != ",":
        return None
    name = next((c for c in verb.children if c.left_edge.i == verb.i + 1), None)
    if name is None or name.pos_ != "PROPN" or name.dep_ not in ("dobj", "obj", "npadvmod", "attr", "oprd"):
        return None
    rest = doc[name.right_edge.i + 1 : verb.sent.end]
    return name if all(t.is_punct or t.is_space for t in rest) else None


def _person_surnames(doc: Doc) -> set[str]:
    """Last words of the doc's PERSON entities (asked only for a proper-noun speaker the NER left
    unlabelled, so rarely; not cached on the Doc, whose user data must stay serialisable)."""
    return {e[-1].lower_ for e in doc.ents if e.label_ == "PERSON"}


def _named_speech(verb: Token, source_head: Token | None) -> bool:
    """`Reyes tweeted`, `Reyes told critics`: a person the article names, putting words out."""
    if source_head is None or verb.lemma_.lower() in VIEW_VERBS:
        return False
    return source_head.ent_type_ == "PERSON" or (
        written_as_name(source_head) and source_head.lower_ in _person_surnames(source_head.doc)
    )


def _is_relay(verb: Token, source_head: Token | None) -> bool:
    """`witnesses informed police that ...`: a third party passing on information, not `I think`."""
    return (
        verb.lemma_.lower() in RELAY_VERBS
        and source_head is not None
        and source_head.lower_ not in FIRST_SECOND_PERSON
    )


def _citing_outlet(att: RawAttribution, verb: Token) -> RawAttribution:
    """`C, IRNA reported citing the NPC data`: the outlet relays what it cites, so the cited record or
    body is the source and the outlet the hop above it (as an outlet that was told something is)."""
    citing = next((c for c in verb.children if c.dep_ in ("xcomp", "advcl") and c.lower_ == "citing"), None)
    cited = _child(citing, "dobj") if citing is not None else None
    if cited is None or att.source is None or att.addressee is not None:
        return att
    if not is_outlet_name(doc_text(verb.doc)[att.source[0] : att.source[1]]):
        return att
    att.addressee, att.source, att.source_head = att.source, subtree_span(cited), cited.i
    att.cue = (att.cue[0], citing.idx + len(citing.text))
    return att


def _closing_report(verb: Token) -> RawAttribution | None:
    """`X said that C, IRIB news reported on Saturday.`: the report closing the sentence relays all of
    it. The parser hangs such a clause under the first speech verb (`said ... reported` as its
    complement), which would make X relay the agency."""
    head = verb.head
    hung_under_speech = verb.dep_ == "ccomp" and head.i < verb.i and is_reporting(head)
    # `C, Reyes tweeted in reply, Mehr reported`: or the earlier speech verb hangs off the report.
    speech_under_it = verb.dep_ == "ROOT" and any(
        c.dep_ in ("advcl", "parataxis") and c.i < verb.i and is_reporting(c) for c in verb.children
    )
    if not (hung_under_speech or speech_under_it):
        return None
    if any(c.dep_ in ("ccomp", "xcomp", "dobj", "obj") and c.i > verb.i for c in verb.children):
        return None  # it reports what follows it (`..., and the agency reported that ...`)
    subject = _child(verb, *_SUBJECTS)
    if subject is None or subject.i > verb.i or subject.left_edge.i == 0:
        return None
    comma = verb.doc[subject.left_edge.i - 1]
    sent = verb.sent
    if comma.text != "," or any(t.is_alpha for t in verb.doc[verb.right_edge.i + 1 : sent.end]):
        return None
    doc = verb.doc
    att = RawAttribution(
        cue=char_span([verb]), cue_head=verb.i, content=[trim(doc, (sent.start_char, comma.idx))],
        source=subtree_span(subject), source_head=subject.i, confidence=0.8, kind="indirect",
        time=_time_of(verb), extra={"construction": "closing_report", "relay_verb": True},
    )
    return _citing_outlet(att, verb)


def _verb_attribution(verb: Token) -> RawAttribution | None:
    """`X said (that) ...`, `X told Y that ...`, `It was reported that ...`, `X is believed to ...`."""
    content = _clause_content(verb)
    subject = _child(verb, *_SUBJECTS)
    passive = _child(verb, "auxpass") is not None
    kind = "indirect"
    source: tuple[int, int] | None = None
    source_head: Token | None = None
    if passive:
        agent = _passive_agent(verb)
        if agent is not None:
            source_head = agent
        kind = "passive"
        if subject is not None and subject.lower_ != "it" and content is not None:
            # `The suspect is believed to have fled`: the subject belongs to the content.
            content = (subtree_span(subject)[0], content[1])
    elif subject is not None:
        source_head = subject
    elif (tail := _clause_final_subject(verb)) is not None:
        source_head = tail
    elif (inverted := _inverted_speaker(verb)) is not None:
        source_head = inverted
    elif verb.tag_ in ("VB", "VBG"):
        return None  # `too early to say what ...`: an infinitive asserts nothing of anyone
    if content is None and not passive:
        content = _tagged_clause(verb)
    if content is None:
        return None
    if source_head is not None:
        source = subtree_span(source_head)
    att = RawAttribution(
        cue=char_span([verb]),
        cue_head=verb.i,
        content=[content],
        source=source,
        source_head=source_head.i if source_head is not None else None,
        confidence=0.8,
        kind=kind,
        addressee=addressee_of(verb),
        time=_time_of(verb),
        extra={
            "construction": "passive" if passive else "speech_verb",
            "relay_verb": _is_relay(verb, source_head),
            "named_speaker": _named_speech(verb, source_head),
        },
    )
    return _citing_outlet(att, verb)


def _quoted_as_saying(verb: Token) -> RawAttribution | None:
    """`The mayor was quoted as saying that ...`; `The Herald quoted the mayor as saying (that) ...` and
    `C, the Herald quoted the mayor as saying`: the mayor speaks, and whoever quoted him published it."""
    if verb.lemma_.lower() != "quote":
        return None
    prep = next((c for c in verb.children if c.dep_ == "prep" and c.lower_ == "as"), None)
    saying = _child(prep, "pcomp") if prep is not None else None
    subject = _child(verb, "nsubjpass", "nsubj")
    quoted = _child(verb, "dobj") if subject is not None and subject.dep_ == "nsubj" else None
    speaker = quoted if quoted is not None else subject
    if saying is None or speaker is None:
        return None
    # The reported clause hangs off `saying`, off `quoted` (`C, the Herald quoted him as saying`, parsed
    # as the verb's complement), or `quoted` is a tag on it.
    content = _clause_content(saying) or _clause_content(verb) or _tagged_clause(verb)
    if content is None:
        return None
    return RawAttribution(
        cue=(verb.idx, saying.idx + len(saying.text)),
        cue_head=verb.i,
        content=[content],
        source=subtree_span(speaker),
        source_head=speaker.i,
        confidence=0.85,
        kind="indirect",
        addressee=subtree_span(subject) if quoted is not None and subject is not None else None,
        time=_time_of(verb),
        extra={"construction": "quoted_as_saying"},
    )


def _governed_clause(token: Token) -> Token:
    """The clause a sourcing phrase modifies (`According to X, ...`, `Based on Y, ...`); the sentence's
    root when the parser made the phrase the root itself."""
    return token.head if token.head.i != token.i else token.sent.root


#: What `according to` means `in line with` before: a rule or plan, not a source.
_RULE_NOUNS = frozenset(
    """policy law rule regulation constitution plan schedule principle guideline custom tradition
    procedure protocol timetable script""".split()
)


def _according_to(token: Token) -> RawAttribution | None:
    """`According to X, ...`: the content is the clause the phrase modifies, without the phrase."""
    if token.lower_ != "according":
        return None
    to = next((c for c in token.children if c.lower_ == "to"), None)
    pobj = _child(to, "pobj") if to is not None else None
    if pobj is None or pobj.lemma_.lower() in _RULE_NOUNS:
        return None  # `according to the policies of the republic`, `according to plan`: in line with
    sent: Span = token.sent
    governor = _governed_clause(token)
    # `"...," he said, according to ICANA`: the agency relays the whole statement, speech tag included,
    # so the speaker's attribution nests inside this one whatever the parser hung `according` on.
    if any(is_reporting(t) and t.i < token.i for t in sent if t.i != token.i and t.lower_ != "according"):
        governor = sent.root
    content = subtree_span(governor, exclude=[token])
    content = _clip(content, sent)
    return RawAttribution(
        cue=(token.idx, to.idx + len(to.text)),
        cue_head=token.i,
        content=[content],
        source=subtree_span(pobj),
        source_head=pobj.i,
        confidence=0.9,
        kind="according_to",
        extra={"construction": "according_to"},
    )


#: Nouns of a tally or judgement: `by 538's count`, `by the ministry's estimate`.
_COUNT_NOUNS = frozenset("count tally estimate estimates calculation calculations reckoning account".split())


def _by_count(token: Token) -> RawAttribution | None:
    """`By 538's count, Trump interrupted her 27 times`: the counter is the source of the clause."""
    if token.lower_ != "by" or token.dep_ != "prep":
        return None
    count = _child(token, "pobj")
    if count is None or count.lemma_.lower() not in _COUNT_NOUNS:
        return None
    owner = next((c for c in count.children if c.dep_ in ("poss", "compound", "nummod")), None)
    if owner is None:
        return None
    sent: Span = token.sent
    content = _clip(subtree_span(token.head, exclude=[token]), sent)
    return RawAttribution(
        cue=(token.idx, count.idx + len(count.text)), cue_head=token.i, content=[content],
        source=subtree_span(owner), source_head=owner.i, confidence=0.85, kind="according_to",
        extra={"construction": "according_to"},
    )


def _clip(span: tuple[int, int], sent: Span) -> tuple[int, int]:
    return max(span[0], sent.start_char), min(span[1], sent.end_char)


def _continuation(verb: Token, by_cue: dict[int, RawAttribution]) -> RawAttribution | None:
    """`..., adding that ...`: a participle with no subject of its own inherits its head's speaker."""
    participle = verb.tag_ == "VBG" or _mistagged_participle(verb)
    if not participle or verb.dep_ not in ("advcl", "xcomp", "conj") or _child(verb, *_SUBJECTS):
        return None
    head = next((by_cue[a.i] for a in verb.ancestors if a.i in by_cue), None)
    content = _clause_content(verb)
    if content is None:
        return None
    if head is None:
        # `Pierson objected to that assessment, remarking that ...`: the governing verb's subject speaks.
        governor = verb.head if verb.head.i != verb.i and verb.head.pos_ in ("VERB", "AUX") else None
        subject = _child(governor, "nsubj") if governor is not None else None
        if subject is None:
            return None
        return RawAttribution(
            cue=char_span([verb]), cue_head=verb.i, content=[content], source=subtree_span(subject),
            source_head=subject.i, confidence=0.7, kind="indirect", extra={"construction": "continuation"},
        )
    return RawAttribution(
        cue=char_span([verb]),
        cue_head=verb.i,
        content=[content],
        source=head.source,
        source_head=head.source_head,
        confidence=0.8,
        kind="indirect",
        addressee=head.addressee,
        extra={"inherited_from_cue": head.cue_head, "construction": "continuation"},
    )


def _capitalised_proper(token: Token) -> bool:
    return token.pos_ == "PROPN" and token.is_title


def _name_runs_before_colon(doc: Doc) -> list[Span]:
    """`Tomas Reyl:` opening a line, when the NER missed the name: two or three capitalised proper nouns,
    or one (`Cuomo:`) that the article names a person with elsewhere."""
    surnames = _person_surnames(doc)
    out = []
    colons = [i for i, t in enumerate(token_strings(doc, ORTH)) if t == ":" and i >= 2]
    for token in (doc[i] for i in colons):
        start = token.i
        while start > 0 and token.i - start < 3 and _capitalised_proper(doc[start - 1]):
            start -= 1
        enough = token.i - start >= 2 or (token.i - start == 1 and doc[start].lower_ in surnames)
        if enough and (start == 0 or "\n" in doc[start - 1].whitespace_ or doc[start - 1].is_space):
            out.append(Span(doc, start, token.i, label="PERSON"))
    return out


def speaker_labels(doc: Doc) -> list[RawAttribution]:
    """Transcripts and tweets: a paragraph opening with a name and a colon (`Chris Cuomo: She did ...`)."""
    text = doc_text(doc)
    out = []
    for ent in [*doc.ents, *_name_runs_before_colon(doc)]:
        if ent.label_ not in ("PERSON", "ORG") or ent.end >= len(doc) or doc[ent.end].text != ":":
            continue
        line_start = text.rfind("\n", 0, ent.start_char) + 1
        if text[line_start : ent.start_char].strip(" \t#@") or not text[:line_start].strip():
            continue  # mid-line, or the article's first line (a dateline: `New Delhi: ...`)
        colon = doc[ent.end]
        line_end = text.find("\n", colon.idx)
        line_end = len(text) if line_end < 0 else line_end
        content = trim(doc, (colon.idx + 1, line_end))
        if len(text[content[0] : content[1]].split()) < 3:
            continue
        out.append(
            RawAttribution(
                cue=(colon.idx, colon.idx + 1), cue_head=colon.i, content=[content],
                source=(ent.start_char, ent.end_char), source_head=ent.root.i, confidence=0.7,
                kind="direct", extra={"construction": "speaker_label"},
            )
        )
    return out


_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
#: The signature of an embedded tweet: `— Display Name (@handle) September 21, 2016`.
_TWEET_SIGNATURE = re.compile(
    r"[\u2014\u2013-]\s*(?P<name>[^\s()\n\u2014\u2013][^()\n\u2014\u2013]{0,60}?)\s*\(@\w{1,30}\)\s+"
    rf"(?:{_MONTHS})\s+\d{{1,2}},\s+\d{{4}}"
)
_TWEET_JUNK = re.compile(r"^(?:\s*@\w+)+\s*|\s*(?:pic\.twitter\.com/\S+|https?://\S+)(?:\s+|$)", re.MULTILINE)


def tweet_signatures(doc: Doc) -> list[RawAttribution]:
    """Embedded tweets: the text before a `— Name (@handle) Date` signature is Name's, back to the
    line start, the previous signature on the same line, or (a signature on a line of its own) the
    paragraph above."""
    text = doc_text(doc)
    out = []
    previous_end = 0
    for match in _TWEET_SIGNATURE.finditer(text):
        sig = match.start()
        line_start = text.rfind("\n", 0, sig) + 1
        start, end = max(line_start, previous_end), sig
        previous_end = match.end()
        if not text[start:end].strip():  # the tweet is the paragraph above its signature
            end = len(text[:line_start].rstrip())
            start = text.rfind("\n", 0, end) + 1
        content = _tweet_text(text, start, end)
        name = doc.char_span(match.start("name"), match.end("name"), alignment_mode="expand")
        if content is None or name is None or not len(name):
            continue
        content = trim(doc, content)
        if len(text[content[0] : content[1]].split()) < 3:
            continue
        dash = doc.char_span(sig, sig + 1, alignment_mode="expand")
        out.append(
            RawAttribution(
                cue=(sig, sig + 1), cue_head=dash.root.i if dash is not None else name.root.i,
                content=[content], source=(name.start_char, name.end_char), source_head=name.root.i,
                confidence=0.7, kind="direct", extra={"construction": "speaker_label", "tweet": True},
            )
        )
    return out


def _tweet_text(text: str, start: int, end: int) -> tuple[int, int] | None:
    """The tweet's own words: leading @replies and trailing picture or link addresses left out."""
    body = text[start:end]
    for junk in _TWEET_JUNK.finditer(body):
        if junk.start() == 0:
            start_shift = junk.end()
            body, start = body[start_shift:], start + start_shift
            break
    trail = re.search(r"(?:\s*(?:pic\.twitter\.com/\S+|https?://\S+))+\s*$", body)
    if trail is not None:
        body = body[: trail.start()]
    return (start, start + len(body)) if body.strip() else None


def _based_on(token: Token) -> RawAttribution | None:
    """`Based on the latest data released by the weather office, the province received 290 mm of rain`: the
    record the clause rests on is its source (ANNOTATION.md, Types: `document`)."""
    if token.lower_ != "based":
        return None
    on = next((c for c in token.children if c.lower_ == "on" and c.dep_ == "prep"), None)
    pobj = _child(on, "pobj") if on is not None else None
    if pobj is None or not (pobj.lemma_.lower() in _RECORDS or pobj.lower_ in _RECORDS):  # `data`: `datum`
        return None
    sent: Span = token.sent
    governor = _governed_clause(token)
    if token.i != sent.start and token.i > governor.i:
        return None  # `The company fired him based on the audit`: a reason given, not a source
    subject = _child(governor, *_SUBJECTS)
    if is_reporting(governor) or (subject is not None and subject.lower_ in FIRST_SECOND_PERSON):
        return None  # `Based on the emails, we know that ...`: the speaker's own inference, said by them
    if token.i == sent.start:
        # Opening the sentence, the phrase ends where its record's description does; the parser often
        # makes `Based` the root of the whole sentence, so the rest of it is the content.
        phrase_end = pobj.right_edge.idx + len(pobj.right_edge.text)
        content = trim(token.doc, (phrase_end, sent.end_char))
        if content[1] - content[0] < 3:
            content = _said_after_long_record(token.doc, sent, pobj) or content
    else:
        content = _clip(subtree_span(governor, exclude=[token]), sent)
    return RawAttribution(
        cue=(token.idx, on.idx + len(on.text)), cue_head=token.i, content=[content],
        # The minimal noun phrase (`the latest data`), not who released it when: the Spans rule.
        source=(pobj.left_edge.idx, pobj.idx + len(pobj.text)), source_head=pobj.i, confidence=0.85,
        kind="according_to", extra={"construction": "according_to"},
    )


def _said_after_long_record(doc: Doc, sent: Span, record: Token) -> tuple[int, int] | None:
    """The parser took the clause into the record's description (`Based on the data published on Sunday
    by the office since the start of the year the province received ...`): the last finite clause after
    the record, or, where the sentence was cut there, the next sentence when it goes on in lower case."""
    subjects = [t for t in sent if t.dep_ == "nsubj" and t.head.tag_ in _FINITE and t.i > record.i]
    if subjects:
        return trim(doc, (subjects[-1].left_edge.idx, sent.end_char))
    if sent.end < len(doc) and doc[sent.end].is_lower:
        following = doc[sent.end].sent
        return trim(doc, (following.start_char, following.end_char))
    return None


def _reported_without_reporter(token: Token) -> RawAttribution | None:
    """`The mayor is reportedly behind the plan`, `As reported, about 90 percent of deals ...`: the clause
    rests on reports nobody is named for (ANNOTATION.md, Types: `reports say` is `anonymous`)."""
    if token.lower_ == "reportedly" and token.dep_ == "advmod":
        clause = token.head
        while clause.pos_ not in ("VERB", "AUX") and clause.head.i != clause.i:
            clause = clause.head  # `is reportedly responsible`: the clause, not the adjective
    elif token.lower_ == "reported" and _is_as_aside(token):
        clause = token.head  # `As reported, ...`: the clause the aside hangs on
    elif token.lower_ == "reported" and _reported_as(token):
        clause = token  # `The price was reported $66.91 on average`: the whole clause is the report
    else:
        return None
    sent: Span = token.sent
    content = _clip(subtree_span(clause), sent)  # `reportedly` stays in the claim it hedges
    if token.lower_ == "reported" and clause.i != token.i:
        content = _without_aside(token, content)
    return RawAttribution(
        cue=char_span([token]), cue_head=token.i, content=[content], confidence=0.7, kind="passive",
        extra={"construction": "reportedly"},
    )


def _reported_as(token: Token) -> bool:
    """`The average price was reported (at) $66.91`: a passive report of a thing's figure, with no
    reporter and no reported clause (`It was reported that ...` is the impersonal rule's)."""
    subject = _child(token, "nsubjpass")
    return (
        token.dep_ == "ROOT"
        and subject is not None
        and subject.lower_ not in ("it", "this", "that")
        and _passive_agent(token) is None
        and _child(token, *_CLAUSES) is None
        # A figure it was reported at (`was reported $66.91`, `at 4 percent`), not an event reported
        # to have happened (`40 aftershocks have been reported`, `was reported missing`, `was
        # reported at 6 a.m.`: the article's own report).
        and any(_figure(c) or (c.dep_ == "prep" and c.lower_ == "at" and _figure(_child(c, "pobj")))
                for c in token.children)
    )


def _figure(token: Token | None) -> bool:
    """A number, money or percentage that is no time or date (`$66.91`, `4 percent`)."""
    return (
        token is not None
        and token.dep_ in ("dobj", "attr", "npadvmod", "pobj")
        and (token.like_num or any(t.like_num for t in token.children))
        and token.ent_type_ not in ("TIME", "DATE")
    )


def _is_as_aside(token: Token) -> bool:
    """`as reported` with no reporter: an aside (`As reported, ...`, `..., as reported earlier, ...`)."""
    mark = _child(token, "mark")
    return (
        mark is not None
        and mark.lower_ == "as"
        and token.dep_ == "advcl"
        and _child(token, *_SUBJECTS) is None
        and _passive_agent(token) is None
    )


def _without_aside(token: Token, clause: tuple[int, int]) -> tuple[int, int]:
    """The clause without the `as reported` aside where it opens or closes it; inside, it stays."""
    doc = token.doc
    aside = (token.left_edge.idx, token.right_edge.idx + len(token.right_edge.text))
    if aside[0] <= clause[0]:
        return trim(doc, (aside[1], clause[1]))
    if aside[1] >= clause[1] - 1:
        return trim(doc, (clause[0], aside[0]))
    return clause


def _candidates(doc: Doc) -> list[Token]:
    """Tokens any rule can start from; one cheap pass so the rules never visit the rest."""
    lowers = token_strings(doc, LOWER)
    lemmas = token_strings(doc, LEMMA)
    return [
        doc[i]
        for i, (lower, lemma) in enumerate(zip(lowers, lemmas, strict=True))
        if lower in ("according", "by", "based", "reportedly")
        or lemma.lower() in _CUE_LEMMAS
        or _ing_lemma(lower) is not None
    ]


def finding_source(doc: Doc, piece: tuple[int, int]) -> tuple[int, int] | None:
    """`A new poll puts her seven points ahead`: the span of the poll or study whose finding a sentence
    with no attribution of its own reports, as the subject of a showing verb with an object
    (ANNOTATION.md, Types: a document said to show something); None for any other sentence. The claim
    is the whole sentence, so this is no attribution with a content of its own."""
    span = doc.char_span(*piece, alignment_mode="expand")
    if span is None:
        return None
    subject = _finding_subject(span.root)
    if subject is None:
        return None
    if subject.lower_ in ("it", "they"):
        # `The numbers show a rise of 37 percent. It also reveals ...`: the record the sentence before
        # reported a finding of goes on.
        before = doc[span.start - 1].sent if span.start > 0 else None
        earlier = _finding_subject(before.root) if before is not None else None
        return None if earlier is None or earlier.lower_ in ("it", "they") else _finding_span(earlier)
    return _finding_span(subject)


def _finding_subject(root: Token) -> Token | None:
    """The poll, study or record a clause says shows something (with an object: `puts her seven points
    ahead`), or a pronoun in that place."""
    if root.pos_ not in ("VERB", "AUX") or root.lemma_.lower() not in SHOWING_VERBS:
        return None
    subject = next((c for c in root.children if c.dep_ == "nsubj"), None)
    if subject is None or not any(c.dep_ == "dobj" for c in root.children):
        return None
    return subject if subject.lower_ in _FINDING_SUBJECTS else None


def _finding_span(subject: Token) -> tuple[int, int]:
    return subject.left_edge.idx, subject.idx + len(subject.text)


def rule_attributions(doc: Doc) -> list[RawAttribution]:
    """Attributions found by the dependency rules, in text order."""
    found: dict[int, RawAttribution] = {}
    candidates = _candidates(doc)
    for token in candidates:
        att = (
            _according_to(token)
            or _by_count(token)
            or _based_on(token)
            or _reported_without_reporter(token)
            or _quoted_as_saying(token)
        )
        if att is None and is_reporting(token) and token.tag_ != "VBG":
            att = _closing_report(token) or _verb_attribution(token)
        if att is not None and all(e > s for s, e in att.content):
            found[att.cue_head] = att
    for token in candidates:
        if token.i not in found and (is_reporting(token) or _mistagged_participle(token)):
            att = _continuation(token, found)
            if att is not None and all(e > s for s, e in att.content):
                found[token.i] = att
    for att in [*speaker_labels(doc), *tweet_signatures(doc)]:
        found.setdefault(att.cue_head, att)
    return [found[i] for i in sorted(found)]
