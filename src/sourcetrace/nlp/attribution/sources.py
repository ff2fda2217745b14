"""Source resolution and typing: every mention of a source becomes one entity with a canonical name.

coreferee cannot load offline, so resolution is done here with the few rules that matter for
attribution in news: pronouns go to the latest compatible speaker, surnames and role descriptions
(`the minister`) go to the fullest earlier mention, outlets match the publisher by name containment.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field

from spacy.tokens import Doc, Span, Token

from sourcetrace.nlp.attribution.lexicon import (
    ANONYMOUS_NOUNS,
    BODY_NAME_WORDS,
    COLLECTIVE_NOUNS,
    COLLECTIVE_QUANTIFIERS,
    DOCUMENT_NOUNS,
    EPITHET_NOUNS,
    EYEWITNESS_NOUNS,
    INSTITUTION_NOUNS,
    OCCUPATION_NOUNS,
    OFFICIAL_NOUNS,
    OUTLET_NOUNS,
    PERSON_PRONOUNS,
    PLURAL_PRONOUNS,
    ROLE_NOUNS,
    STATEMENT_NOUNS,
)
from sourcetrace.nlp.attribution.outlet_names import (
    looks_like_outlet,
    normalise_name,
    outlet_key,
    run_together,
)
from sourcetrace.nlp.attribution.polls import POLL_NOUNS, reports_poll_result
from sourcetrace.nlp.attribution.types import doc_text
from sourcetrace.nlp.resolution.mentions import (
    OFFICE_ROLES,
    OUTLET,
    OUTLET_BODY_NOUNS,
    PERSON,
    Cluster,
    EntityIndex,
    is_outlet_name,
    person_text,
    written_as_name,
)
from sourcetrace.nlp.resolution.person_names import TITLES, fold, same_person_name
from sourcetrace.schema import Source, SourceType

_ORG_ENTS = frozenset({"ORG", "GPE", "NORP", "FAC"})
#: Which earlier sources a pronoun can take up: `he`/`she`, `they`, `it`.
_PERSONAL_TYPES = frozenset(
    {SourceType.NAMED_PERSON, SourceType.OFFICIAL_UNNAMED, SourceType.ANONYMOUS, SourceType.EYEWITNESS}
)
_PLURAL_TYPES = frozenset(
    {
        SourceType.COLLECTIVE,
        SourceType.NAMED_ORGANIZATION,
        SourceType.OFFICIAL_UNNAMED,
        SourceType.ANONYMOUS,
        SourceType.EYEWITNESS,
        SourceType.OUTLET,
    }
)
_NEUTER_TYPES = frozenset({SourceType.NAMED_ORGANIZATION, SourceType.OUTLET, SourceType.DOCUMENT})
#: Person roles a definite description may refer back with (`the minister`, `the chief diplomat`).
PERSON_ROLE_NOUNS = (
    OFFICIAL_NOUNS | ROLE_NOUNS | frozenset("diplomat envoy lawmaker official".split())
) - frozenset("authorities officials officers aides employees executives staffers".split())
#: Nouns by which news refers back to a named person: roles and epithets (`the billionaire`).
_BACK_REFERRING_NOUNS = PERSON_ROLE_NOUNS | EPITHET_NOUNS
#: How far back (in tokens) the pronoun scorer looks for people a pronoun may stand for.
PRONOUN_WINDOW_TOKENS = 250
PUBLISHER_ID = "publisher"
WIRE_ID = "wire"
AUTHOR_ID = "author"
IMPLICIT_ID = "implicit"
IMPLICIT_REPORTS_ID = "implicit-reports"
#: The sources no mention names: what the text leaves unsaid, never a relaying hop of its own.
IMPLICIT_IDS = frozenset({IMPLICIT_ID, IMPLICIT_REPORTS_ID})


@dataclass
class SourceEntity:
    id: str
    name: str
    type: SourceType
    role: str | None = None
    affiliation: str | None = None
    mentions: list[tuple[int, int]] = field(default_factory=list)
    head_lemma: str | None = None
    gender: str | None = None  # 'f', 'm' or None, for people (first name, title or the article's pronouns)

    def to_model(self) -> Source:
        return Source(
            id=self.id,
            name=self.name,
            type=self.type,
            role=self.role,
            affiliation=self.affiliation,
            mentions=sorted(set(self.mentions)),
        )


def _span_tokens(doc: Doc, span: tuple[int, int]) -> Span | None:
    return doc.char_span(span[0], span[1], alignment_mode="expand")


def _root(span: Span) -> Token:
    return span.root


def _text(tokens: list[Token]) -> str:
    if not tokens:
        return ""
    doc = tokens[0].doc
    return doc_text(doc)[tokens[0].idx : tokens[-1].idx + len(tokens[-1].text)]


def _role_and_affiliation(head: Token, exclude: set[int]) -> tuple[str | None, str | None]:
    """Role and affiliation from titles before a name and appositions after it."""
    before = [
        t
        for t in head.subtree
        if t.i < min(exclude, default=head.i) and t.dep_ not in ("det", "punct", "poss")
    ]
    role_tokens = [
        t for t in before if t.ent_type_ not in ("ORG", "GPE", "NORP") and t.pos_ in ("PROPN", "NOUN", "ADJ")
    ]
    affiliation_tokens = [t for t in before if t.ent_type_ in ("ORG", "GPE", "NORP")]
    role = _text(role_tokens) or None
    affiliation = _text(affiliation_tokens) or None
    appos = next((c for c in head.children if c.dep_ == "appos"), None)
    if head.dep_ == "appos" and head.head.lemma_.lower() in ROLE_NOUNS:
        appos = head.head
    if appos is not None:
        role_parts = [t for t in appos.lefts if t.dep_ in ("compound", "amod") and t.ent_type_ != "ORG"]
        role = _text([*role_parts, appos]) or role
        org = [t for t in appos.lefts if t.ent_type_ == "ORG"]
        prep = next((c for c in appos.children if c.dep_ == "prep" and c.lower_ in ("of", "for", "at")), None)
        pobj = next((c for c in prep.children if c.dep_ == "pobj"), None) if prep is not None else None
        if pobj is not None:
            affiliation = normalise_name(_text(list(pobj.subtree)))
        elif org:
            affiliation = _text(org)
    return role, affiliation


class SourceResolver:
    """Turns source mentions, in text order, into a small set of entities."""

    def __init__(
        self, doc: Doc, outlet: str | None = None, wire: str | None = None, author: str | None = None
    ):
        self.doc = doc
        self.entities: list[SourceEntity] = []
        self._by_key: dict[str, SourceEntity] = {}
        self._ents = list(doc.ents)  # Doc.ents and Span.ents rebuild the entity list on every access
        # Entities are in text order: lookups by token position bisect these instead of scanning all.
        self._ent_starts = [e.start for e in self._ents]
        self.index = EntityIndex(doc, self._ents)
        self._person_names = self._full_person_names(self._ents)
        self.publisher = self._fixed(PUBLISHER_ID, outlet, SourceType.OUTLET) if outlet else None
        self.wire = self._fixed(WIRE_ID, wire, SourceType.OUTLET) if wire else None
        self.author = SourceEntity(AUTHOR_ID, author or "author", SourceType.AUTHOR)
        #: Character spans of the hearers resolved so far (`told CNN's Tom Ruiz`): a person spoken to.
        self._hearers: set[tuple[int, int]] = set()
        self._poll_nouns: list[Token] | None = None
        #: The body or person that issued the latest statement (`a statement by X`) and where, by its noun.
        self._issuers: dict[str, tuple[SourceEntity, int]] = {}
        #: Character spans of reported speech (`X said that ...`, not quotations), set before sources
        #: are resolved.
        self.reported: list[tuple[int, int]] = []
        #: While `resolve` runs: the words the mention speaks (`resolve(..., words=)`); a person named
        #: in them (`"... my window into Tom Hale is wide," he added`) is not who says them.
        self._speaking: list[tuple[int, int]] = []

    # -- fixed entities -------------------------------------------------------------------------
    def _fixed(self, sid: str, name: str, stype: SourceType) -> SourceEntity:
        entity = SourceEntity(sid, " ".join(name.split()), stype)
        self.entities.append(entity)
        self._by_key[self._outlet_key(name)] = entity
        return entity

    @staticmethod
    def _outlet_key(name: str) -> str:
        return "outlet:" + normalise_name(name).lower()

    def implicit(self, cue: Token | None = None) -> SourceEntity:
        """The unstated source of an impersonal attribution: `it is believed that ...`; `reports` for
        an impersonal report (`it was reported that`, `reportedly`), as the guide names it."""
        if cue is not None and cue.lemma_.lower() in ("report", "reportedly"):
            return self._get_or_add(IMPLICIT_REPORTS_ID, "reports", SourceType.ANONYMOUS)
        return self._get_or_add(IMPLICIT_ID, "unspecified source", SourceType.ANONYMOUS)

    def outlet(self, name: str, span: tuple[int, int] | None = None) -> SourceEntity:
        entity = self._match_outlet(name) or self._get_or_add(
            self._outlet_key(name), normalise_name(name), SourceType.OUTLET
        )
        if span is not None:
            entity.mentions.append(span)
        return entity

    def credited(self, name: str, span: tuple[int, int]) -> SourceEntity:
        """The outlet a repost or closing credit names; a bare code no outlet goes by (`(Source: PIB)`, a
        government press office) is the body that issued the text."""
        word = name.strip()
        # `the Times report` after `a New York Times report`: the outlet by the fullest name in the text.
        named = self.index.outlet_ending(word)
        if named is not None:
            return self.outlet(named.name, span)
        if word.isupper() and 2 <= len(word) <= 6 and not is_outlet_name(word):
            entity = self._get_or_add("org:" + word.lower(), word, SourceType.NAMED_ORGANIZATION)
            entity.mentions.append(span)
            return entity
        return self.outlet(name, span)

    def _match_outlet(self, name: str) -> SourceEntity | None:
        norm = normalise_name(name).lower()
        if not norm:
            return None
        key = outlet_key(name)
        for entity in self.entities:
            if entity.type == SourceType.OUTLET:
                other = normalise_name(entity.name).lower()
                if norm == other or key == outlet_key(entity.name) or (
                    len(norm) > 2 and (norm in other or other in norm)
                ):
                    return entity
        return None

    def _get_or_add(self, key: str, name: str, stype: SourceType, **extra: object) -> SourceEntity:
        entity = self._by_key.get(key)
        if entity is None:
            sid = key if key in IMPLICIT_IDS else f"s{len(self.entities) + 1}"
            entity = SourceEntity(sid, name, stype, **extra)  # type: ignore[arg-type]
            self.entities.append(entity)
            self._by_key[key] = entity
        return entity

    # -- mentions -------------------------------------------------------------------------------
    def _full_person_names(self, ents: list[Span]) -> dict[str, Span]:
        """Surname -> fullest PERSON mention in the article (its context gives role and affiliation), of
        the entities the index holds as people (`From Politico:` tagged a person is an outlet there)."""
        names: dict[str, Span] = {}
        for ent in ents:
            cluster = self.index.cluster_at(ent.start) if ent.label_ == "PERSON" else None
            full = normalise_name(ent.text)
            if cluster is None or cluster.kind != PERSON or not full:
                continue
            surname = full.split()[-1].lower()
            if surname not in names or len(full) > len(normalise_name(names[surname].text)):
                names[surname] = ent
        return names

    def resolve(
        self, span: tuple[int, int], head_index: int | None = None, words: list[tuple[int, int]] | None = None
    ) -> SourceEntity:
        """The entity behind the mention at `span` (character offsets into the doc); `words`: the
        spans it is said to speak, if any."""
        self._speaking = words or []
        try:
            return self._resolve_span(span, head_index)
        finally:
            self._speaking = []

    def _resolve_span(self, span: tuple[int, int], head_index: int | None) -> SourceEntity:
        tokens = _span_tokens(self.doc, span)
        if tokens is None or len(tokens) == 0:
            return self.implicit()
        speaker = _after_fronted_participle(tokens)
        if speaker is not None:
            tokens, span, head_index = speaker, (speaker.start_char, speaker.end_char), None
        head = (
            self.doc[head_index]
            if head_index is not None and tokens.start <= head_index < tokens.end
            else _root(tokens)
        )
        poll = self.latest_poll(tokens.start_char) if reports_poll_result(tokens) else None
        if poll is not None:
            # `Fifty-seven percent of those reached said ...`: the poll's result, not anonymous people.
            poll.mentions.append(span)
            return poll
        named = self._adjacent_person(tokens) or self._person_before_role(tokens)
        entity = self._person(named, named.root) if named is not None else self._resolve_tokens(tokens, head)
        entity.mentions.append(span)
        return entity

    def resolve_addressee(self, span: tuple[int, int]) -> SourceEntity:
        """The entity spoken to at `span` (`told <outlet>`, `told <outlet>'s <anchor>`); remembered, so
        that a later `he said` does not take the hearer for the speaker."""
        self._hearers.add(span)
        return self.resolve(span)

    def latest_poll(self, offset: int, window: int = 2000) -> SourceEntity | None:
        """The poll or survey the article last mentioned before `offset`, if near: as a source already,
        else the nearest noun phrase headed `poll` or `survey` (`A new Harbour-Quinn poll puts ...`)."""
        for entity in reversed(self._mentioned_before(offset)):
            last = max(s for s, _ in entity.mentions if s < offset)
            if offset - last > window:
                break
            if entity.type == SourceType.DOCUMENT and (entity.head_lemma or "") in POLL_NOUNS:
                return entity
        if self._poll_nouns is None:  # found once per article, on the first result sentence
            self._poll_nouns = [t for t in self.doc if t.pos_ == "NOUN" and t.lemma_.lower() in POLL_NOUNS]
        polls = [t for t in self._poll_nouns if offset - window <= t.idx and t.idx + len(t.text) <= offset]
        # The poll the article reports (`A new poll puts ...`), not one it compares with (`than in an
        # earlier poll`): the latest that is a subject, else the latest.
        subjects = [t for t in polls if t.dep_ in ("nsubj", "nsubjpass")]
        noun = (subjects or polls or [None])[-1]
        if noun is None:
            return None
        phrase = self.doc[noun.left_edge.i : noun.i + 1]
        entity = self._resolve_tokens(phrase, noun)
        entity.mentions.append((phrase.start_char, phrase.end_char))
        return entity if entity.type == SourceType.DOCUMENT else None

    def poll_result_source(self, piece: tuple[int, int]) -> SourceEntity | None:
        """The poll a sentence with no attribution of its own reports the results of (`polls.py`)."""
        span = self.doc.char_span(*piece, alignment_mode="expand")
        if span is None or not reports_poll_result(span):
            return None
        return self.latest_poll(piece[0])


    def _adjacent_person(self, tokens: Span) -> Span | None:
        """`Head of the Chamber of Commerce Majid-Reza Hariri`, cut before the name: the person right
        after a role-only mention is the one speaking."""
        if any(e.label_ == "PERSON" for e in self._ents_in(tokens)) or tokens.end >= len(self.doc):
            return None
        root = tokens.root
        if root.lemma_.lower() not in PERSON_ROLE_NOUNS and root.lower_ not in ("head", "chief"):
            return None
        at = tokens.end
        while at < len(self.doc) and self.doc[at].text in (")", ",") and at - tokens.end < 2:
            at += 1
        lo, hi = bisect_left(self._ent_starts, at), bisect_right(self._ent_starts, at)
        return next((e for e in self._ents[lo:hi] if e.label_ == "PERSON"), None)

    def _person_before_role(self, tokens: Span) -> Span | None:
        """`Reza Moradi, the former ambassador to Iraq, has said`, parsed with the role as the
        subject: the name right before a role set off by commas is the one speaking."""
        start, end = tokens.start, tokens.end
        if start < 2 or end >= len(self.doc) or self.doc[start - 1].text != "," or self.doc[end].text != ",":
            return None
        if tokens.root.lemma_.lower() not in PERSON_ROLE_NOUNS:
            return None
        near = self._ents[bisect_left(self._ent_starts, start - 12) : bisect_left(self._ent_starts, start)]
        return next((e for e in near if e.label_ == "PERSON" and e.end == start - 1), None)

    def _resolve_tokens(self, tokens: Span, head: Token) -> SourceEntity:
        lower = head.lower_
        if head.pos_ == "PRON" or lower in PERSON_PRONOUNS or lower in PLURAL_PRONOUNS:
            return self._resolve_pronoun(head)
        described = _described_outlet(head)
        if described is not None:
            return self.outlet(described)
        if _nationality_body(tokens, head):
            # `the French foreign ministry said`: the body its nationality and noun name (the NER
            # labels only `French`), not a body named `French`.
            body = normalise_name(" ".join(t.text for t in tokens if t.lower_ != "the"))
            return self._get_or_add("org:" + body.lower(), body, SourceType.NAMED_ORGANIZATION)
        # `Reyes, who once worked for Governor Marsh,`: a name inside a relative clause is not the source's.
        aside = {t.i for c in head.children if c.dep_ == "relcl" for t in c.subtree}
        ents = [e for e in self._ents_in(tokens) if e.root.i not in aside]
        role_of_body = len(tokens) > 2 and tokens[0].lower_ in OFFICIAL_NOUNS and tokens[1].lower_ == "of"
        if role_of_body and not any(e.label_ == "PERSON" for e in ents):
            # `Head of Trade Promotion Organization announced. According to Hamid Zadboum, ...`
            named = self._named_next(head)
            if named is not None:
                return self._person(named, named.root)
        person = next((e for e in ents if e.label_ == "PERSON"), None)
        if person is not None and _role_of_body_then_name(tokens, head, person):
            return self._person(person, person.root)
        if person is not None and len(person) < len(tokens) <= 4 and all(
            t.pos_ == "PROPN" and t.is_title for t in tokens
        ):
            person = tokens  # `Tomas Reyl`, where the NER only took `Tomas`
        # A surname the article gave in full names that person, whatever label the NER put on it here.
        named = self.index.person_named(head.text) if written_as_name(head) else None
        if named is None and head.pos_ == "PROPN":
            named = self.index.cluster_at(head.i)
        if named is not None and named.kind == PERSON and person is None:
            return self._cluster_person(named)
        if person is None and head.pos_ == "PROPN" and _has_role_apposition(head):
            # `Abolfazl Shekarchi, spokesman of the armed forces,`: a person, even where the NER took
            # the name for a body (and clustered it as one).
            return self._person(_proper_name(head), head)
        if named is not None and named.kind != PERSON and (
            named.kind == OUTLET or not any(e.label_ == "PERSON" for e in ents)
        ):
            # `Farkas said` after `Ines Farkas told ...`: a surname the NER took for a body here.
            speaker = self._named_person_with_surname(head.text)
            return speaker if speaker is not None else self._cluster_body(named)
        if person is None and head.pos_ == "PROPN" and _has_role_apposition(head):
            # `Shu Jueting, a spokesperson for ...`: a person whatever label the NER gave the name.
            person = _proper_name(head)
        if person is None and head.pos_ == "PROPN" and head.lower_ in self._person_names:
            # The parser's NER often misses a lone surname that the article introduced in full.
            person = self.doc[head.i : head.i + 1]
        if person is not None and (
            person.start <= head.i < person.end
            or head.pos_ == "PROPN"
            or (person.root.dep_ == "appos" and person.root.head.i == head.i)
        ):
            return self._person(person, head)
        apposed = _apposed_outlet_name(head)
        if apposed is not None:
            return self.outlet(apposed)
        issuer = _issuer(head)
        if issuer is not None:
            entity = self._resolve_tokens(self.doc[issuer.left_edge.i : issuer.right_edge.i + 1], issuer)
            if head.lemma_.lower() in STATEMENT_NOUNS:
                self._issuers[head.lemma_.lower()] = (entity, head.i)  # `the statement added`, later
            return entity
        org = next((e for e in ents if e.label_ in _ORG_ENTS), None)
        if org is not None and not org.start <= head.i < org.end and head.pos_ != "PROPN" and not (
            org.root.dep_ == "appos" and org.root.head.i == head.i
        ):
            # `documents seen by the Clarion`: the organisation is not the source here. (It is in
            # `the state news agency IRNA`, where it names the head in apposition.)
            org = None
        mention_text = normalise_name(tokens.text)
        body = self.index.cluster_at(org.root.i) if org is not None else None
        if body is not None and body.kind != PERSON:
            return self._cluster_body(body)
        named_head = head.pos_ == "PROPN" or run_together(head.text)
        if (org is not None or named_head) and is_outlet_name(mention_text):
            return self.outlet(org.text if org is not None and looks_like_outlet(org.text) else mention_text)
        if org is not None and org.root.i == head.i:
            return self._get_or_add(
                "org:" + normalise_name(org.text).lower(),
                normalise_name(org.text),
                SourceType.NAMED_ORGANIZATION,
            )
        if _looks_like_person_name(tokens, ents):
            return self._person(tokens, tokens.root)
        return self._common_noun(tokens, head)

    def _ents_in(self, tokens: Span) -> list[Span]:
        lo, hi = bisect_left(self._ent_starts, tokens.start), bisect_left(self._ent_starts, tokens.end)
        return [e for e in self._ents[lo:hi] if e.end <= tokens.end]

    def _cluster_person(self, cluster: Cluster) -> SourceEntity:
        entity = self._get_or_add(f"person:c{cluster.id}", cluster.name, SourceType.NAMED_PERSON)
        entity.gender = entity.gender or cluster.gender
        entity.role = entity.role or cluster.role
        entity.affiliation = entity.affiliation or cluster.affiliation
        if entity.role:
            entity.head_lemma = entity.role.split()[-1].lower()
        return entity

    def _cluster_body(self, cluster: Cluster) -> SourceEntity:
        if cluster.kind == OUTLET:
            return self.outlet(cluster.name)
        return self._get_or_add(f"org:c{cluster.id}", cluster.name, SourceType.NAMED_ORGANIZATION)

    def _person(self, ent: Span, head: Token) -> SourceEntity:
        cluster = self.index.cluster_at(ent.start) or self.index.person_named(normalise_name(ent.text))
        if cluster is not None and cluster.kind == PERSON:
            full = person_text(ent)
            shorter = cluster.name.split()
            if len(full.split()) > len(shorter) and (
                same_person_name(full, cluster.name) or full.split()[: len(shorter)] == shorter
            ):
                cluster.name = full  # the fullest name the article gives (`Tomas Reyl` over `Tomas`)
            return self._cluster_person(cluster)
        full = person_text(ent)
        surname = full.split()[-1].lower() if full else ent.text.lower()
        fullest = self._person_names.get(surname, ent)
        name = normalise_name(fullest.text) or full
        role, affiliation = _role_and_affiliation(ent.root, {t.i for t in ent})
        if fullest is not ent and not role:
            role, affiliation = _role_and_affiliation(fullest.root, {t.i for t in fullest})
        entity = self._get_or_add("person:" + surname, name, SourceType.NAMED_PERSON, head_lemma=None)
        entity.role = entity.role or role
        entity.affiliation = entity.affiliation or affiliation
        if entity.role:
            entity.head_lemma = entity.role.split()[-1].lower()
        return entity

    def _resolve_pronoun(self, head: Token) -> SourceEntity:
        plural = head.lower_ in PLURAL_PRONOUNS
        personal = head.lower_ in PERSON_PRONOUNS
        if personal:
            gender = "f" if head.lower_ in ("she", "her", "hers") else "m"
            choice = self._speaker_for(head)
            if choice is not None and choice.gender in (None, gender):
                return choice
            # The usual antecedent (the latest speaker or person) is of the other gender: ask the
            # learned scorer which person of that gender, mentioned lately, the pronoun stands for.
            learned = self._learned_antecedent(head, gender)
            if learned is not None:
                return learned
            if choice is not None:
                return choice
        body = self._body_subject_before(head) if head.lower_ == "it" else None
        if body is not None:
            return body
        wanted = _PLURAL_TYPES if plural else _NEUTER_TYPES
        for entity in reversed(self._mentioned_before(head.idx)):
            if not personal and entity.type in wanted and entity.id not in IMPLICIT_IDS:
                return entity
        return self._get_or_add("pronoun:" + head.lower_, head.text, SourceType.ANONYMOUS)

    def _latest_issuer(self, lemma: str, head: Token) -> SourceEntity | None:
        """Who issued the statement `the statement` refers to, if no other statement was mentioned
        since (`Later the party issued a statement of its own.`)."""
        if lemma not in self._issuers:
            return None
        entity, at = self._issuers[lemma]
        since = self.doc[at + 1 : head.i]
        return None if any(t.lemma_.lower() == lemma for t in since) else entity

    def _body_subject_before(self, head: Token) -> SourceEntity | None:
        """`The Foreign Office echoed a similar position. It said ...`: an `it` opening its sentence
        is the body that was the subject of the sentence before, whether or not that one spoke."""
        sent = head.sent
        if head.i - sent.start > 2 or sent.start == 0:
            return None
        root = self.doc[sent.start - 1].sent.root
        subject = next((c for c in root.children if c.dep_ == "nsubj"), None)
        if subject is None or not (subject.ent_type_ == "ORG" or subject.lemma_.lower() in INSTITUTION_NOUNS):
            return None
        records = DOCUMENT_NOUNS | STATEMENT_NOUNS
        if any(c.dep_ == "dobj" and c.lemma_.lower() in records for c in root.children):
            return None  # `The council published a report. It says ...`: `it` is the report
        entity = self._resolve_tokens(self.doc[subject.left_edge.i : subject.i + 1], subject)
        return entity if entity.type in (SourceType.NAMED_ORGANIZATION, SourceType.OUTLET) else None

    def _speaker_for(self, head: Token) -> SourceEntity | None:
        """`he said`: a person named since the last speaker, else the latest speaker (news style)."""
        person = self._latest_person_before(head.idx)
        latest_source = max(
            (
                s
                for e in self.entities
                if e.type == SourceType.NAMED_PERSON
                for s, _ in e.mentions
                if s < head.idx
            ),
            default=-1,
        )
        if (
            person is not None and person.start_char > latest_source and self._plainly_a_person(person)
            and not _within(person.start_char, self._hearers)
            and not _within(person.start_char, self._speaking)
            # `Reza Moradi added that the data President Ali Vaziri has back it. He also said ...`: a
            # person named in what the last speaker said does not take the narrator's next `he` (inside
            # someone's words, `he` may well be that person).
            and not (_within(person.start_char, self.reported) and not _within(head.idx, self.reported))
        ):
            # `County commissioner Hal Brennan struck a different tone. He said: ...` (but after
            # `..., the governor told WKBN's Paul Dorsey. He added: ...` the governor speaks on).
            return self._person(person, person.root)
        for entity in reversed(self._mentioned_before(head.idx)):
            if entity.type in _PERSONAL_TYPES and entity.id not in IMPLICIT_IDS:
                return entity
        return self._person(person, person.root) if person is not None else None

    def _plainly_a_person(self, name: Span) -> bool:
        """A name with a known first name, the subject of its sentence, or a speaker already. A lone
        word the NER calls a person inside what the last speaker said (`..., adding that Farsi is
        taught`: a language) does not take the next `he said` from that speaker."""
        cluster = self.index.cluster_at(name.start)
        return (
            (cluster is not None and cluster.gender is not None)
            or _main_clause_subject(name)
            or self._named_person_with_surname(name[-1].text) is not None  # spoke before
        )

    def _named_person_with_surname(self, word: str) -> SourceEntity | None:
        key = word.lower().strip(".,")
        found = [
            e for e in self.entities
            if e.type == SourceType.NAMED_PERSON and e.name.split() and e.name.split()[-1].lower() == key
        ]
        return found[0] if len(found) == 1 else None

    def other_person(self, offset: int, exclude: SourceEntity) -> SourceEntity | None:
        """The latest person mentioned before `offset` who is not `exclude` (a quoted speaker's `he`)."""
        for cluster in self.index.people_before(offset):
            entity = self._cluster_person(cluster)
            if entity is not exclude:
                return entity
        return None

    def _learned_antecedent(self, head: Token, gender: str) -> SourceEntity | None:
        from sourcetrace.nlp.resolution.pronouns import Candidate, packaged_model

        window = self.doc[max(0, head.i - PRONOUN_WINDOW_TOKENS)].idx
        clusters = [
            c for c in self.index.people_before(head.idx)
            if c.gender in (None, gender) and any(self.doc[s].idx >= window for s, _ in c.mentions)
        ]
        if not clusters:
            return None
        candidates = [
            Candidate(
                str(c.id), [m for m in c.mentions if m[1] <= head.i], c.gender,
                heads=[self.doc[s:e].root.i for s, e in c.mentions if e <= head.i],
            )
            for c in clusters
        ]
        best = packaged_model().best(self.doc, head.i, candidates)
        return self._cluster_person(clusters[best[0]]) if best is not None else None

    def _mentioned_before(self, offset: int) -> list[SourceEntity]:
        # A hearer (`told WKBN's Paul Dorsey`) is mentioned, but not as one who speaks or acts.
        seen = [
            (max((s for s, end in e.mentions if s < offset and (s, end) not in self._hearers), default=-1), e)
            for e in self.entities
        ]
        return [e for pos, e in sorted(seen, key=lambda p: p[0]) if pos >= 0]

    def _latest_subject_without_other_role(
        self, lemma: str, offset: int, window: int = 1500
    ) -> SourceEntity | None:
        """The person last named as the subject of a main clause before `offset`, unless the article
        gave them a role with another head noun (`Senator Ali Reza` is no `governor`)."""
        people = [
            e for e in self._ents
            if e.label_ == "PERSON" and offset - window <= e.start_char and e.end_char <= offset
            and _main_clause_subject(e)
        ]
        for name in reversed(people):
            cluster = self.index.cluster_at(name.start)
            if cluster is None or cluster.kind != PERSON:
                continue
            if cluster.role and cluster.role.split()[-1].lower() != lemma:
                return None
            return self._cluster_person(cluster)
        return None

    def _latest_person_before(self, offset: int) -> Span | None:
        people = [
            e for e in self._ents
            if e.label_ == "PERSON" and e.end_char <= offset and self.index.cluster_at(e.start) is not None
            and self.index.cluster_at(e.start).kind == PERSON
        ]
        return people[-1] if people else None

    def _common_noun(self, tokens: Span, head: Token) -> SourceEntity:
        lemma = head.lemma_.lower()
        name = _without_aside(tokens, head)
        if name[:1].isupper() and head.pos_ == "PROPN":
            name = normalise_name(name)
        definite = any(t.lower_ in ("the", "this", "that", "these", "those") for t in head.lefts)
        issuer = self._latest_issuer(lemma, head) if definite else None
        if issuer is not None:
            # `according to a statement by the Foreign Ministry. "...," the statement added.`: a
            # statement speaks for whoever issued it (reading 4).
            return issuer
        if definite:
            # `the source`, `the report`, `the minister`: the latest earlier source with that head noun.
            earlier = self._role_antecedent(lemma, head.idx)
            if lemma == "official":
                holder = self._office_holder_after(earlier, head.idx)
                if holder is not None:
                    return holder
            if earlier is not None:
                return earlier
            singular = head.tag_ in ("NN", "NNP")
            holder = self.index.role_holder(lemma, head.idx) if singular else None
            if holder is not None:
                return self._cluster_person(holder)
            body = self.index.body_before(lemma, head.idx, lemma in OUTLET_BODY_NOUNS) if singular else None
            if body is not None and lemma not in PERSON_ROLE_NOUNS:
                return self._cluster_body(body)
            if singular and lemma in _BACK_REFERRING_NOUNS:
                # `the chief diplomat said`: news refers to its main speaker by a role it never spelt out.
                speaker = self._latest_speaker(head.idx)
                if speaker is not None:
                    return speaker
            if singular and lemma in PERSON_ROLE_NOUNS and _place_modifier(head):
                # `Anna Berg was quiet about ... "...," the Ostland governor said`: before anyone has
                # spoken, a role the article ties to a place (the news epithet of someone it named,
                # unlike a bare `the prosecutor`) is the person it last made the subject of a sentence.
                subject = self._latest_subject_without_other_role(lemma, head.idx)
                if subject is not None:
                    return subject
            if singular and lemma in EPITHET_NOUNS:
                # `..., who Marsh once called a liar, was wrong, the billionaire said`: the person last
                # named, who has not spoken yet.
                person = self._latest_person_before(head.idx)
                if person is not None:
                    return self._person(person, person.root)
        stype = classify_common_noun(tokens, head)
        if stype == SourceType.OFFICIAL_UNNAMED and not definite:
            named = self._named_next(head)
            if named is not None:
                return self._person(named, named.root)
        role, affiliation = (
            _unnamed_role(tokens, head) if stype == SourceType.OFFICIAL_UNNAMED else (None, None)
        )
        key = f"np:{stype}:{lemma}:{normalise_name(tokens.text).lower()}"
        if stype == SourceType.NAMED_ORGANIZATION:
            key = "org:" + normalise_name(tokens.text).lower()
        entity = self._get_or_add(key, name, stype, role=role, affiliation=affiliation, head_lemma=lemma)
        return entity

    def _named_next(self, head: Token) -> Span | None:
        """`..., a senior official said. Leyla Farahani, the deputy minister, made the announcement on
        Twitter.`: news names an official it first gave by role at the start of the next sentence. The
        person named there, if the article had not named them before."""
        end = head.sent.end
        if end >= len(self.doc):
            return None
        nxt = self.doc[end].sent
        start = nxt.start
        while start < nxt.end and self.doc[start].is_space:
            start += 1
        person = next((e for e in self._ents_in(nxt) if e.label_ == "PERSON"), None)
        if person is None:
            return None
        opening = [t.lower_ for t in self.doc[start : person.start]]
        # The name opens the sentence as `According to X,`, or as its subject with an official's role in
        # apposition (`Leyla Farahani, the deputy chief of staff, ...`): not a suspect or a witness
        # (`..., a police spokesman said. Paul Grant, 34, was arrested ...`).
        official = not opening and _main_clause_subject(person) and _has_role_apposition(
            person.root, OFFICIAL_NOUNS, singular=True
        )
        if not (official or opening == ["according", "to"]):
            return None
        earlier = self.index.cluster_at(person.start)
        if earlier is not None and any(s < head.i for s, _ in earlier.mentions):
            return None
        return person

    def _latest_speaker(self, offset: int, window: int = 1500) -> SourceEntity | None:
        for entity in reversed(self._mentioned_before(offset)):
            if entity.type == SourceType.NAMED_PERSON:
                last = max(s for s, _ in entity.mentions if s < offset)
                return entity if offset - last <= window else None
        return None

    def _office_holder_after(self, earlier: SourceEntity | None, offset: int) -> SourceEntity | None:
        """`the official` is the latest person named with an office (`Deputy Minister Jafar Sarqini`)
        when named after the latest source described as an official."""
        last = max((s for s, _ in earlier.mentions if s < offset), default=-1) if earlier else -1
        for cluster in self.index.people_before(offset):
            if cluster.role_heads & OFFICE_ROLES:
                mentioned = self.index.last_mention_before(cluster, offset)
                return self._cluster_person(cluster) if mentioned > last else None
        return None

    def _role_antecedent(self, lemma: str, offset: int) -> SourceEntity | None:
        """The latest earlier source with that head noun, role, or (a body) last word of its name: `the
        ministry` after the `Foreign Ministry` spoke."""
        for entity in reversed(self._mentioned_before(offset)):
            if entity.head_lemma == lemma or (entity.role and entity.role.lower().split()[-1] == lemma):
                return entity
            if entity.type == SourceType.NAMED_ORGANIZATION and entity.name.lower().split()[-1:] == [lemma]:
                return entity
        return None

    def sources(self) -> list[Source]:
        return [e.to_model() for e in self.entities]


#: Head nouns of a news body's name: `the Mehr news agency`, `IRIB news`, `Press TV`.
_NEWS_HEADS = OUTLET_BODY_NOUNS | {"news", "daily", "tv", "television", "radio", "website"}


def _role_of_body_then_name(tokens: Span, head: Token, person: Span) -> bool:
    """`Commander of the Army Major General Hamid Rostami said`: a role of a body (or in or to a place),
    then the holder's name, all one subject. Not the body or place the role is of (`the mayor of
    Tilby`), nor a person the role serves (`a spokesman for Governor Ann Hale`, `the spokesman of
    President Rostami`): between the preposition and the name stands a name that is no title."""
    if person.end != tokens.end or head.i >= person.start or head.lemma_.lower() not in PERSON_ROLE_NOUNS:
        return False
    preps = [t for t in tokens.doc[head.i + 1 : person.start] if t.pos_ == "ADP"]
    if len(preps) != 1 or preps[0].lower_ not in ("of", "in", "to", "at"):
        return False  # `trade representative in Iran Andrei Lugansky`, `ambassador to Russia Kazem Jalali`
    between = tokens.doc[preps[0].i + 1 : person.start]
    return any(
        t.pos_ in ("PROPN", "NOUN") and fold(t.text).strip(".") not in TITLES | ROLE_NOUNS for t in between
    )


def _within(offset: int, spans: Iterable[tuple[int, int]]) -> bool:
    return any(start <= offset < end for start, end in spans)


def _place_modifier(head: Token) -> bool:
    """`the Indiana governor`, `the Iranian foreign minister`: a place or nationality before the role."""
    return any(t.ent_type_ in ("GPE", "NORP", "LOC") for t in head.lefts)


def _nationality_body(tokens: Span, head: Token) -> bool:
    """`the French foreign ministry`: an institution noun whose only entity is a nationality before it."""
    if head.lemma_.lower() not in INSTITUTION_NOUNS or tokens[0].lower_ != "the":
        return False
    labels = {t.ent_type_ for t in tokens if t.ent_type_}
    return labels == {"NORP"} and head.ent_type_ == "" and all(t.i < head.i for t in tokens if t.ent_type_)


def _after_fronted_participle(tokens: Span) -> Span | None:
    """`Briefing the council, Jeffery Moll, the envoy, said`: the parser sometimes makes the fronted
    participle the subject; the speaker is the name after its clause's comma."""
    first = tokens[0]
    if first.tag_ not in ("VBG", "VBN") or not first.is_title:
        return None
    comma = next((t.i for t in tokens if t.text == "," and t.i > first.i + 1), None)
    if comma is None or comma + 1 >= tokens.end:
        return None
    rest = tokens.doc[comma + 1 : tokens.end]
    return rest if any(t.pos_ == "PROPN" for t in rest) else None


def _apposed_outlet_name(head: Token) -> str | None:
    """`the Iranian state news agency IRNA`, `the Mehr news agency`, `IRIB news`: a news body's noun
    with its name in apposition or in front is that outlet, whether or not the NER tagged the name
    (a name the news noun stands before, `Italian newspaper La Repubblica`, is `_described_outlet`'s)."""
    if head.pos_ not in ("NOUN", "PROPN") or head.lower_ not in _NEWS_HEADS | {"agency"}:
        return None
    name = next((c for c in head.rights if c.dep_ == "appos" and c.pos_ == "PROPN"), None)
    if name is not None:
        return _proper_name(name).text
    # The name may hang on a compound of the head (`Mehr` on `news` in `the Mehr news agency`).
    lefts = [t for t in head.doc[head.left_edge.i : head.i] if t.dep_ == "compound"]
    first = next((t for t in lefts if t.pos_ == "PROPN" and t.text[:1].isupper()), None)
    if first is None or first.ent_type_ in ("NORP", "LOC"):
        return None  # `the state news agency`, `the Iranian news agency`: no name
    return head.doc[first.i : head.i + 1].text


def _described_outlet(head: Token) -> str | None:
    """`Italian newspaper La Repubblica`: a name a news noun stands before is an outlet's."""
    described = [c for c in head.lefts if c.dep_ in ("compound", "amod") and c.lower_ in OUTLET_NOUNS]
    if head.pos_ != "PROPN" or not described:
        return None
    return head.doc[described[-1].i + 1 : head.i + 1].text


def _has_role_apposition(
    head: Token, roles: frozenset[str] = PERSON_ROLE_NOUNS, singular: bool = False
) -> bool:
    """`Shu Jueting, a spokesperson for ...`: a role noun in apposition to the name (`singular`: one
    person's role, as `the deputy chief of staff`, not `one of the ministers`)."""
    return any(
        c.dep_ == "appos" and c.lemma_.lower() in roles and (not singular or c.tag_ == "NN")
        for c in head.children
    )


def _proper_name(head: Token) -> Span:
    """The proper-noun run a PROPN head ends: `Shu Jueting` for `Jueting`."""
    start = head.i
    while start > 0 and head.doc[start - 1].pos_ == "PROPN" and head.doc[start - 1].dep_ == "compound":
        start -= 1
    return head.doc[start : head.i + 1]


def _without_aside(tokens: Span, head: Token) -> str:
    """The mention without a comma-delimited aside: `An official, who spoke on condition of ...`,
    `news organizations, including the Harbour Post,`."""
    aside = next(
        (
            c
            for c in head.rights
            if (c.dep_ in ("relcl", "appos") or (c.dep_ == "prep" and c.lower_ == "including"))
            and c.i > 0 and c.doc[c.left_edge.i - 1].text == ","
        ),
        None,
    )
    if aside is None or aside.left_edge.i - 1 <= tokens.start:
        return tokens.text
    return _text([t for t in tokens if t.i < aside.left_edge.i - 1])


#: What a person says in their own words: `his testimony`, `Wildstein's remarks`, `her letter`.
_OWN_WORDS = frozenset(
    "testimony remark comment speech letter message tweet post account word interview".split()
)


#: `the media office of the Harbour Guard`, `the ministry's press service`: a body's own voice, which is
#: the body.
_PRESS_UNITS = frozenset("office service bureau department wing unit center centre".split())
_PRESS_WORDS = frozenset("media press information communications relations".split())


def _issuer(head: Token) -> Token | None:
    """`A statement from the port authority said`, `his testimony shows`, `the media office of the
    Harbour Guard said`: the issuer speaks."""
    lemma = head.lemma_.lower()
    if lemma in _PRESS_UNITS and any(c.lower_ in _PRESS_WORDS for c in head.lefts):
        owner = next((c for c in head.children if c.dep_ == "poss" and c.pos_ == "PROPN"), None)
        of = next((c for c in head.children if c.dep_ == "prep" and c.lower_ == "of"), None)
        body = owner or (next((c for c in of.children if c.dep_ == "pobj"), None) if of is not None else None)
        if body is not None and (body.pos_ == "PROPN" or body.ent_type_ in _ORG_ENTS):
            return body
    if lemma in STATEMENT_NOUNS | _OWN_WORDS:
        owner = next((c for c in head.children if c.dep_ == "poss"), None)
        if owner is not None and (owner.pos_ in ("PROPN", "PRON") or owner.ent_type_ in ("PERSON", "ORG")):
            return owner
    if lemma not in STATEMENT_NOUNS:
        return None
    for prep in head.children:
        if prep.dep_ == "prep" and prep.lower_ in ("from", "by", "of"):
            return next((c for c in prep.children if c.dep_ == "pobj"), None)
    return None


def _unnamed_role(tokens: Span, head: Token) -> tuple[str | None, str | None]:
    affiliation_tokens = [t for t in head.lefts if t.dep_ == "compound" or t.ent_type_ in _ORG_ENTS]
    affiliation = _text(affiliation_tokens) or None
    prep = next(
        (c for c in head.children if c.dep_ == "prep" and c.lower_ in ("of", "for", "at", "in", "with")), None
    )
    pobj = next((c for c in prep.children if c.dep_ == "pobj"), None) if prep is not None else None
    if pobj is not None and (
        pobj.ent_type_ in _ORG_ENTS or pobj.lemma_.lower() in ("ministry", "police", "army")
    ):
        affiliation = normalise_name(_text(list(pobj.subtree)))
    return head.lemma_.lower(), affiliation


def _main_clause_subject(name: Span) -> bool:
    """The name is the subject of its sentence's main verb (or an apposition or conjunct of it), or
    the parser made it the sentence's root."""
    token = name.root
    while token.dep_ in ("appos", "conj", "compound") and token.head.i != token.i:
        token = token.head
    # The parser sometimes makes a long opening name phrase the root itself.
    return token.dep_ == "ROOT" or (token.dep_ in ("nsubj", "nsubjpass") and token.head.dep_ == "ROOT")


def _looks_like_person_name(tokens: Span, ents: list[Span]) -> bool:
    """Two to four capitalised proper nouns and no organisation word: `Marta Lindqvist`."""
    words = [t for t in tokens if not t.is_punct]
    return (
        2 <= len(words) <= 4
        and all(t.pos_ == "PROPN" and t.text[:1].isupper() for t in words)
        and not any(t.lower_ in BODY_NAME_WORDS for t in words)
        and not any(e.label_ in _ORG_ENTS for e in ents)
    )


def classify_common_noun(tokens: Span, head: Token) -> SourceType:
    """Type of a source mention that names nobody: by its head noun and its modifiers."""
    lemma, lower = head.lemma_.lower(), head.lower_
    words = {t.lower_ for t in tokens}
    quantified = any(t.lower_ in COLLECTIVE_QUANTIFIERS for t in head.lefts)
    if lower in EYEWITNESS_NOUNS or lemma in EYEWITNESS_NOUNS:
        return SourceType.EYEWITNESS
    issued = any(c.dep_ in ("prep", "poss") for c in head.children)
    if lemma == "report" and head.tag_ == "NNS" and not issued:
        return SourceType.ANONYMOUS  # `reports say`, `early reports indicate`: nobody in particular
    if lemma in DOCUMENT_NOUNS or lower in DOCUMENT_NOUNS:
        return SourceType.DOCUMENT
    if lemma in OUTLET_NOUNS or lower in OUTLET_NOUNS:
        return SourceType.OUTLET
    if lemma in ("organization", "organisation", "outlet", "site") and any(
        t.lower_ in ("news", "media") for t in head.lefts
    ):
        return SourceType.OUTLET  # `several other news organizations`: a news body is an outlet
    if (
        lemma in OFFICIAL_NOUNS
        or lower in OFFICIAL_NOUNS
        or (lemma in OCCUPATION_NOUNS and head.tag_ == "NN")
    ):
        return SourceType.OFFICIAL_UNNAMED  # `an official who spoke on condition of anonymity` too
    if lemma in ("source", "insider") or words & {"familiar", "anonymity", "close", "knowledge"}:
        return SourceType.ANONYMOUS
    if lemma in INSTITUTION_NOUNS or lower in INSTITUTION_NOUNS:
        return SourceType.NAMED_ORGANIZATION
    if quantified or lower in COLLECTIVE_NOUNS or lemma in COLLECTIVE_NOUNS:
        return SourceType.COLLECTIVE
    if lemma in ANONYMOUS_NOUNS:
        return SourceType.ANONYMOUS
    if head.tag_ in ("NNS", "NNPS") and head.ent_type_ in ("", "NORP"):
        return SourceType.COLLECTIVE  # `Local hauliers say`, `Democrats say`
    if head.pos_ == "PROPN":
        return SourceType.NAMED_ORGANIZATION
    if any(t.lower_ == "the" for t in head.lefts) and head.tag_ in ("NN", "NNS"):
        return SourceType.NAMED_ORGANIZATION
    return SourceType.ANONYMOUS
