"""The article's named entities, clustered from their mentions before any attribution is resolved.

One pass over the parsed article gathers every person, body and outlet it names:

- **people**: PERSON mentions grouped by surname (particles optional: `Hakim` = `al-Hakim`), with given
  names that must agree (`Mary Smith` is not `John Smith`), a given name alone when it names one person
  only (`Hillary`), and a family name first (`Shu` for `Shu Jueting`); the fullest mention is the name,
  the titles and appositions around any mention give the role (`Foreign Minister`, `the company's
  spokeswoman`) and the first name's gender (from a published list) or a title (`Mrs.`) the gender;
- **bodies and outlets**: organisation mentions by name, with acronyms defined in the text
  (`Iranian Students' News Agency (ISNA)`) or spelt from the name's initials; an outlet when the outlet
  table knows it or its name says so (`news agency`, `TV`).

`SourceResolver` asks it who a surname, an acronym or a role (`the minister`) stands for, and it hands
the pronoun scorer its candidates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from spacy.attrs import DEP
from spacy.tokens import Doc, Span, Token

from sourcetrace.nlp.attribution.lexicon import BUSINESS_NAME_WORDS
from sourcetrace.nlp.attribution.outlet_names import looks_like_outlet, outlet_key
from sourcetrace.nlp.attribution.types import doc_text, token_strings
from sourcetrace.nlp.resolution.gender import first_name_gender
from sourcetrace.nlp.resolution.person_names import (
    PARTICLES,
    TITLES,
    fold,
    name_words,
    parse_person_name,
    same_person_name,
)
from sourcetrace.nlp.resolution.places import is_place
from sourcetrace.outlets.table import lookup

PERSON, ORGANIZATION, OUTLET = "person", "organization", "outlet"
_FEMALE_TITLES = frozenset("mrs ms miss madam dame lady queen princess".split())
_MALE_TITLES = frozenset("mr sir lord king prince".split())
_ORG_LABELS = frozenset({"ORG", "NORP", "FAC"})
_ACRONYM_DEFINITION = re.compile(r"\(\s*([A-Z][A-Za-z&]{1,9})\s*\)")
#: Words of a role that are not its head: `former`, `deputy` stay in the role but never head it.
_ROLE_MODIFIERS = frozenset("former deputy acting vice senior chief top then late current new".split())


@dataclass(slots=True)
class Cluster:
    """One entity the article names: every mention (token spans), its name, role and gender."""

    id: int
    kind: str
    name: str
    mentions: list[tuple[int, int]] = field(default_factory=list)
    role: str | None = None
    affiliation: str | None = None
    gender: str | None = None
    keys: set[str] = field(default_factory=set)
    role_heads: set[str] = field(default_factory=set)

    @property
    def first_start(self) -> int:
        return min(s for s, _ in self.mentions)


def person_text(span: Span) -> str:
    """The name without the titles the NER swept into it: `Deputy Minister Jafar Talebi` -> `Jafar Talebi`."""
    tokens = list(span)
    last_title = max((k for k, t in enumerate(tokens[:-1]) if _is_title_token(t)), default=-1)
    tokens = tokens[last_title + 1 :]
    text = doc_text(span.doc)[tokens[0].idx : tokens[-1].idx + len(tokens[-1].text)] if tokens else ""
    text = re.sub(r"['\u2019]s$", "", text.strip())
    return text.strip(" ,.;:-")


def _is_title_token(token: Token) -> bool:
    return fold(token.text).strip(".") in TITLES


class EntityIndex:
    """Clusters of the people, bodies and outlets an article names (see the module doc)."""

    def __init__(self, doc: Doc, ents: list[Span] | None = None) -> None:
        self.doc = doc
        self.clusters: list[Cluster] = []
        self._by_token: dict[int, Cluster] = {}
        ents = list(doc.ents) if ents is None else ents
        # `Tasnim`, `Sputnik`: agencies the NER takes for people are outlets; a name it tags as a place
        # elsewhere in the article (`Greece`) is no person either.
        places = {e.text for e in ents if e.label_ in ("GPE", "LOC", "NORP")}
        bodies = [e.text for e in ents if e.label_ in ("ORG", "FAC")]
        surnames = {e[-1].text for e in ents if e.label_ == "PERSON" and len(e) > 1}
        # `Trump Foundation` does not make Trump a body: a surname a full name gives stays a person's.
        bodies = [b for b in bodies if b.split()[0] not in surnames]
        people = [e for e in ents if e.label_ == "PERSON" and not _not_a_person(e, places, bodies)]
        self._add_people(sorted(people + _role_apposed_names(doc, people), key=lambda e: e.start))
        misread = [e for e in ents if e.label_ == "PERSON" and _not_a_person(e, set(), bodies)]
        misread += [e for e in ents if _body_taken_for_a_place(e)]
        self._add_organisations(sorted([e for e in ents if e.label_ in _ORG_LABELS] + misread, key=_start))

    # -- people -----------------------------------------------------------------------------------
    def _add_people(self, ents: list[Span]) -> None:
        people = [c for c in self.clusters if c.kind == PERSON]
        pending_single: list[Span] = []
        for ent in ents:
            text = person_text(ent)
            words = [w for w in name_words(text) if w not in TITLES]
            if not words or all(w in PARTICLES for w in words):
                continue
            if len(words) == 1:
                pending_single.append(ent)  # decided once every full name is known
                continue
            cluster = next((c for c in people if same_person_name(text, c.name)), None)
            if cluster is None:
                cluster = Cluster(len(self.clusters), PERSON, text)
                self.clusters.append(cluster)
                people.append(cluster)
            elif len(name_words(text)) > len(name_words(cluster.name)):
                cluster.name = text
            self._attach(cluster, ent)
        for ent in pending_single:
            cluster = self.person_named(person_text(ent))
            if cluster is None:
                cluster = Cluster(len(self.clusters), PERSON, person_text(ent))
                self.clusters.append(cluster)
            self._attach(cluster, ent)
        for cluster in self.clusters:
            if cluster.kind == PERSON:
                self._describe_person(cluster)

    def person_named(self, text: str) -> Cluster | None:
        """The one person cluster a name, surname or lone given name stands for, if exactly one."""
        words = [w for w in name_words(text) if w not in TITLES]
        if not words:
            return None
        people = [c for c in self.clusters if c.kind == PERSON]
        if len(words) > 1:
            return next((c for c in people if same_person_name(text, c.name)), None)
        word = words[0]
        by_surname = [c for c in people if parse_person_name(c.name).surname_key == word]
        if len(by_surname) == 1:
            return by_surname[0]
        if by_surname:
            return None
        # `Hillary` for Hillary Clinton, `Shu` for Shu Jueting (family name first): unambiguous only.
        by_given = [c for c in people if name_words(c.name)[:1] == [word] and len(name_words(c.name)) > 1]
        return by_given[0] if len(by_given) == 1 else None

    def _attach(self, cluster: Cluster, span: Span) -> None:
        cluster.mentions.append((span.start, span.end))
        for i in range(span.start, span.end):
            self._by_token[i] = cluster

    def _describe_person(self, cluster: Cluster) -> None:
        parsed = parse_person_name(cluster.name)
        cluster.keys.add(parsed.surname_key)
        cluster.gender = first_name_gender(parsed.first)
        for start, end in cluster.mentions:
            span = self.doc[start:end]
            role_tokens = _title_before(span)
            titles = {fold(t.text).strip(".") for t in role_tokens} | set(parsed.titles)
            if cluster.gender is None:
                cluster.gender = "f" if titles & _FEMALE_TITLES else "m" if titles & _MALE_TITLES else None
            role = _role_text(role_tokens) or _apposition_role(span)
            if role and cluster.role is None:
                cluster.role = role
            if role:
                cluster.role_heads |= _role_heads(role)

    # -- organisations and outlets -------------------------------------------------------------------
    def _add_organisations(self, ents: list[Span]) -> None:
        text = doc_text(self.doc)
        for ent in ents:
            name = re.sub(r"^(?:the|The)\s+", "", ent.text.strip()).strip(" ,.;:")
            name = re.sub(r"['\u2019]s$", "", name)
            if not name or any(self._by_token.get(i) for i in range(ent.start, ent.end)):
                continue
            key = outlet_key(name)
            cluster = next((c for c in self.clusters if c.kind != PERSON and key in c.keys), None)
            if cluster is None:
                cluster = Cluster(len(self.clusters), OUTLET if is_outlet_name(name) else ORGANIZATION, name)
                cluster.keys.add(key)
                self.clusters.append(cluster)
            self._attach(cluster, ent)
            # `Iranian Students' News Agency (ISNA)`: the acronym names the same body from now on.
            after = _ACRONYM_DEFINITION.match(text, ent.end_char) or _ACRONYM_DEFINITION.match(
                text, ent.end_char + 1
            )
            if after:
                cluster.keys.add(outlet_key(after.group(1)))
        for cluster in self.clusters:
            if cluster.kind != PERSON:
                cluster.keys.add(_initials(cluster.name))
                if cluster.kind == ORGANIZATION and any(is_outlet_name(k) for k in cluster.keys if k):
                    cluster.kind = OUTLET

    def organisation_named(self, text: str) -> Cluster | None:
        key = outlet_key(re.sub(r"^(?:the|The)\s+", "", text.strip()))
        if not key:
            return None
        return next((c for c in self.clusters if c.kind != PERSON and key in c.keys), None)

    # -- lookups ----------------------------------------------------------------------------------
    def cluster_at(self, token_index: int) -> Cluster | None:
        return self._by_token.get(token_index)

    def last_mention_before(self, cluster: Cluster, char_offset: int) -> int:
        """Character offset of the cluster's latest mention before `char_offset`; -1 when none."""
        doc = self.doc
        return max((doc[s].idx for s, _ in cluster.mentions if doc[s].idx < char_offset), default=-1)

    def people_before(self, char_offset: int) -> list[Cluster]:
        """People mentioned before `char_offset`, the most recently mentioned first."""
        seen = []
        for cluster in self.clusters:
            if cluster.kind != PERSON:
                continue
            last = self.last_mention_before(cluster, char_offset)
            if last >= 0:
                seen.append((last, cluster))
        return [c for _, c in sorted(seen, key=lambda p: -p[0])]

    def body_before(self, lemma: str, char_offset: int, outlets_first: bool) -> Cluster | None:
        """The latest organisation or outlet mentioned before `char_offset` that `the <lemma>` can
        refer back to: one whose name holds the word, else (for a generic word) the latest of its kind."""
        doc = self.doc
        seen = []
        for cluster in self.clusters:
            if cluster.kind == PERSON:
                continue
            last = max((doc[s].idx for s, _ in cluster.mentions if doc[s].idx < char_offset), default=-1)
            if last >= 0:
                seen.append((last, cluster))
        ordered = [c for _, c in sorted(seen, key=lambda p: -p[0])]
        named = [c for c in ordered if lemma in name_words(c.name)]
        if named:
            return named[0]
        if lemma not in GENERIC_BODY_NOUNS:
            return None
        wanted = OUTLET if outlets_first else ORGANIZATION
        return next((c for c in ordered if c.kind == wanted), None)

    def outlet_ending(self, name: str) -> Cluster | None:
        """The outlet whose name ends with `name` (`Times` for `New York Times`), if exactly one."""
        words = name_words(name)
        if not words:
            return None
        found = [
            c
            for c in self.clusters
            if c.kind == OUTLET
            and name_words(c.name)[-len(words) :] == words
            and len(name_words(c.name)) > len(words)
        ]
        return found[0] if len(found) == 1 else None

    def role_holder(self, lemma: str, char_offset: int) -> Cluster | None:
        """The latest person mentioned before `char_offset` whose role is headed by `lemma`."""
        return next((c for c in self.people_before(char_offset) if lemma in c.role_heads), None)


#: Words a text uses to refer back to a body it has named: `the group`, `the company`, `the agency`.
GENERIC_BODY_NOUNS = frozenset(
    """group company firm organization organisation agency site website network campaign body outlet
    paper newspaper broadcaster channel station association charity institute foundation""".split()
)
OUTLET_BODY_NOUNS = frozenset("agency outlet paper newspaper broadcaster channel station network".split())


#: Role nouns that make an apposed proper name a person (`Shu Jueting, a spokesperson for ...`).
APPOSED_ROLES = frozenset(
    """spokesperson spokesman spokeswoman minister president official director chairman chairwoman
    secretary ambassador envoy commander governor mayor senator lawmaker deputy adviser advisor head
    chief leader member professor analyst expert founder lawyer attorney""".split()
)


#: Roles that hold an office: their holder is who `the official` refers back to.
OFFICE_ROLES = APPOSED_ROLES - frozenset(
    "professor analyst expert founder lawyer attorney member leader".split()
)


def _role_apposed_names(doc: Doc, people: list[Span]) -> list[Span]:
    """Proper names the NER did not call PERSON but an apposition marks as one."""
    taken = {i for e in people for i in range(e.start, e.end)}
    out = []
    apposed = [i for i, d in enumerate(token_strings(doc, DEP)) if d == "appos"]
    heads = sorted({doc[i].head.i for i in apposed})
    for token in (doc[i] for i in heads):
        if token.pos_ != "PROPN" or token.i in taken or token.dep_ == "compound":
            continue
        if any(c.dep_ == "appos" and c.lemma_.lower() in APPOSED_ROLES for c in token.children):
            start = token.i
            while start > 0 and doc[start - 1].pos_ == "PROPN" and doc[start - 1].dep_ == "compound":
                start -= 1
            if token.i - start >= 1:  # a one-word name is too weak to take for a person
                out.append(doc[start : token.i + 1])
    return out


def capitalised_word(text: str) -> bool:
    """Written like a name word: a capital, then lower case (`Myres`, not `NATO` or `the`)."""
    return text[:1].isupper() and text[1:2].islower()


def written_as_name(token: Token) -> bool:
    """A proper noun, or a capitalised word the tagger took for a noun (`Myres said`, tagged a plural
    noun): what may be a surname the article gave in full."""
    return token.pos_ == "PROPN" or (token.pos_ == "NOUN" and capitalised_word(token.text))


def is_outlet_name(name: str) -> bool:
    """An outlet by the outlet table, its name (`news agency`, `TV`) or an agency acronym (`ISNA`)."""
    word = name.strip()
    if not word:
        return False
    if looks_like_outlet(word) or lookup(word) is not None:
        return True
    # `IRNA`, `KUNA`, `ICANA`: news-agency acronyms end in NA.
    return word.isupper() and 3 <= len(word) <= 6 and word.endswith("NA")


#: Social platforms the small NER often tags as people (`made the announcement on Twitter`).
SOCIAL_PLATFORMS = frozenset(
    """twitter facebook instagram telegram youtube tiktok whatsapp reddit linkedin snapchat weibo wechat
    gab parler rumble bitchute""".split()
)


def _not_a_person(ent: Span, places: set[str], bodies: list[str]) -> bool:
    """A PERSON the NER got wrong: an agency (`Tasnim`), a platform (`Twitter`), a place it tags as such
    elsewhere (`Greece`), a body it tags as one elsewhere or whose name this begins (`Greenline` of
    `Greenline Transport`)."""
    text = ent.text
    if text.lower() in SOCIAL_PLATFORMS:
        return True
    if is_outlet_name(text) or text in places or text in bodies:
        return True
    if any(b.startswith(text + " ") for b in bodies):
        return True
    return text.split()[-1].lower() in BUSINESS_NAME_WORDS


def _start(span: Span) -> int:
    return span.start


def _body_taken_for_a_place(ent: Span) -> bool:
    """`Mars Candy eventually chimed in`: a name of several words the NER tags as a place, that no
    gazetteer knows, doing something as a subject, is a body (`the company` can refer back to it)."""
    return (
        ent.label_ == "GPE"
        and len(ent) > 1
        and ent.root.dep_ in ("nsubj", "nsubjpass")
        and not is_place(ent.text)
        and not any(is_place(t.text) for t in ent)
    )


def _initials(name: str) -> str:
    words = [w for w in re.findall(r"[A-Za-z][\w'-]*", name) if w.lower() not in ("of", "the", "and", "for")]
    return outlet_key("".join(w[0] for w in words)) if len(words) >= 2 else ""


def _title_before(span: Span) -> list[Token]:
    """Role words written before a name: `Deputy Foreign Minister`, `Commerce Ministry spokesperson`."""
    doc = span.doc
    out: list[Token] = []
    i = span.start - 1
    while i >= 0:
        token = doc[i]
        if token.dep_ in ("compound", "amod", "nmod", "poss", "case") or _is_title_token(token) or (
            token.pos_ in ("PROPN", "NOUN", "ADJ") and token.head.i >= span.start and token.head.i < span.end
        ):
            out.insert(0, token)
            i -= 1
            continue
        break
    while out and out[0].dep_ in ("poss", "case"):
        out.pop(0)
    return [t for t in out if t.dep_ != "punct"]


_HONORIFICS = frozenset("mr mrs ms miss dr sir madam dame lord lady".split())


def _role_text(tokens: list[Token]) -> str | None:
    words = [
        t.text
        for t in tokens
        if t.text not in ("'s", "\u2019s") and fold(t.text).strip(".") not in _HONORIFICS
    ]
    text = " ".join(words).strip(" ,")
    return text or None


def _apposition_role(span: Span) -> str | None:
    """`Zarif, the foreign minister,` or `the foreign minister, Zarif,`: the role noun phrase."""
    root = span.root
    appos = next((c for c in root.children if c.dep_ == "appos" and c.pos_ == "NOUN"), None)
    heads_a_role = root.head.pos_ in ("NOUN", "PROPN") and not root.head.ent_type_
    if appos is None and root.dep_ == "appos" and heads_a_role:
        appos = root.head
    if appos is None:
        return None
    words = [t for t in appos.subtree if t.dep_ not in ("det", "punct") and t.i < appos.i + 1]
    return " ".join(t.text for t in words) or None


def _role_heads(role: str) -> set[str]:
    """The nouns a later description can use for this role: `Deputy Foreign Minister` -> minister."""
    words = [w for w in re.findall(r"[A-Za-z]+", role.lower()) if w not in _ROLE_MODIFIERS]
    heads = {words[-1]} if words else set()
    if heads & {"spokesman", "spokeswoman", "spokesperson"}:
        heads |= {"spokesman", "spokeswoman", "spokesperson"}
    return heads
