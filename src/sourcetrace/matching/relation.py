"""How two claims relate: `same`, `contradicts` or `different`.

Similarity alone cannot tell `the plant will reopen` from `the plant will not reopen`, or `300 jobs` from
`3,000 jobs`: the words are nearly the same. A relation is therefore decided in two steps.

1. **Facts that must agree.** Each claim is parsed (spaCy) once; if the two state different figures or
   dates (`quantities`), put different entities in the same frame (`Kenya` / `Uganda`, after folding
   aliases), or swap who did what to whom (subject and object from the parse), they are `different`.
2. **Polarity.** Negations (`not`, `never`, `no`), refusals and denials (`refused to`, `denied`,
   `rejected`) and stated falsehood (`is false`) count on each side, and an antonym on one side of a word
   on the other (`rose` / `fell`; `safe` / `unsafe`) flips one. With polarity taken out and aliases,
   figures and antonyms written one way, the claim matcher decides whether the two say the same thing;
   if they do, opposite polarity makes them `contradicts`, equal polarity `same`; otherwise `different`.

The word lists are data (`data/antonyms.tsv`, `data/aliases.tsv`, see LEXICON_CARD.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Literal

from sourcetrace.matching.aliases import entity_key, same_entity
from sourcetrace.matching.quantities import conflicting_dates, conflicting_numbers, quantities

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc, Span, Token

Relation = Literal["same", "contradicts", "different"]
RELATIONS: tuple[Relation, ...] = ("same", "contradicts", "different")

#: Words that negate the clause they stand in.
_NEGATORS = frozenset({"not", "n't", "never", "no", "none", "nobody", "nothing", "neither", "nor", "without"})
#: Verbs that state the opposite of their complement or object: `refused to approve`, `denied X`.
_REFUSALS = frozenset({
    "refuse", "decline", "deny", "reject", "fail", "dismiss", "veto", "rebuff", "refute", "retract",
    "disavow", "dispute", "scrap", "abandon", "cancel", "withdraw",
})
#: Predicates that call a claim untrue: `the report is false`.
_FALSEHOODS = frozenset({"false", "untrue", "fake", "baseless", "groundless", "unfounded", "hoax", "bogus"})
_PREFIX_OPPOSITES = ("un", "in", "il", "im", "ir", "dis", "non")
#: Entity labels whose members must agree between two reports of one claim.
_ENTITY_LABELS = frozenset({"GPE", "LOC", "NORP", "ORG", "PERSON", "FAC", "EVENT", "PRODUCT", "LAW"})
_SUBJECTS = frozenset({"nsubj", "csubj"})
_OBJECTS = frozenset({"dobj", "obj", "attr", "dative"})


@cache
def antonyms() -> dict[str, frozenset[str]]:
    """Lemma -> its opposites (`data/antonyms.tsv`, both directions)."""
    text = (resources.files("sourcetrace") / "data" / "antonyms.tsv").read_text(encoding="utf-8")
    table: dict[str, set[str]] = {}
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        left, _, right = line.partition("\t")
        table.setdefault(left.strip(), set()).add(right.strip())
        table.setdefault(right.strip(), set()).add(left.strip())
    return {k: frozenset(v) for k, v in table.items()}


@cache
def _nlp() -> Language:
    import spacy

    from sourcetrace.analyzer import DEFAULT_MODEL

    return spacy.load(DEFAULT_MODEL)


@dataclass(frozen=True, slots=True)
class Role:
    """One verb of a claim: who does it, and the other participants."""

    verb: str
    doer: str
    others: frozenset[str]


@dataclass(frozen=True, slots=True)
class Mention:
    """A name and the slot it fills: its kind and where it hangs in the parse (`in` -> Kenya)."""

    name: str
    kind: str  # place, person, group, or "" (a proper noun the NER did not label)
    slot: tuple[str, str]  # (dependency, head lemma) of the name's last token

    def parallel(self, other: Mention) -> bool:
        """Two names in the same frame: the same slot. The kinds are not compared: the small NER
        model calls one company a person and another an organisation (`Alstom` / `Siemens`)."""
        return self.slot == other.slot


_KINDS = {"GPE": "place", "LOC": "place", "NORP": "place", "FAC": "place", "PERSON": "person"}


def _mention(tokens: Span, label: str) -> Mention:
    root = tokens.root
    # A compound or a flat name part hangs on the next word of the name: climb to the phrase head.
    while root.dep_ in ("compound", "poss", "case") and root.head is not root:
        root = root.head
    kind = _KINDS.get(label, "group" if label else "")
    return Mention(tokens.text, kind, (root.dep_, root.head.lemma_.lower()))


@dataclass(frozen=True, slots=True)
class ClaimFacts:
    """What one claim sentence says, read once from its parse."""

    text: str
    negations: int  # negators, refusals and falsehood predicates of the main clause
    all_negations: int  # ... anywhere in the sentence
    lemmas: frozenset[str]  # lower-cased lemmas of content words
    entities: tuple[Mention, ...]  # named entities and loose proper nouns, with their slot
    roles: tuple[Role, ...]
    neutral: str  # polarity words dropped, entity names by key: what the matcher compares


def _phrase_key(token: Token) -> str:
    """The entity key of a subject or object: its entity or compound noun phrase, else its lemma."""
    if token.ent_type_ and token.ent_iob_ != "O":
        doc = token.doc
        for ent in doc.ents:
            if ent.start <= token.i < ent.end:
                return entity_key(ent.text)
    parts = [t.text for t in token.lefts if t.dep_ == "compound"] + [token.text]
    return entity_key(" ".join(parts)) if token.pos_ == "PROPN" else token.lemma_.lower()


def _roles(doc: Doc) -> tuple[Role, ...]:
    """Each verb's doer and its other participants (objects, prepositional objects), passive voice
    turned round: `the drug was outperformed by the placebo` has the placebo as doer."""
    roles: list[Role] = []
    for verb in doc:
        if verb.pos_ not in ("VERB", "AUX"):
            continue
        subject: str | None = None
        others: set[str] = set()
        for child in verb.children:
            if child.dep_ in _SUBJECTS:
                subject = _phrase_key(child)
            elif child.dep_ == "nsubjpass" or child.dep_ in _OBJECTS:
                others.add(_phrase_key(child))
                # "extradited the suspect to Bosnia": the parser may hang the destination on the object.
                others.update(
                    _phrase_key(g) for p in child.children if p.dep_ == "prep"
                    for g in p.children if g.dep_ == "pobj"
                )
            elif child.dep_ == "agent":
                agent = next((g for g in child.children if g.dep_ == "pobj"), None)
                if agent is not None:
                    subject = _phrase_key(agent)
            elif child.dep_ == "prep":
                others.update(_phrase_key(g) for g in child.children if g.dep_ == "pobj")
            elif child.dep_ == "prt":
                for grand in child.children:
                    if grand.dep_ == "pobj":
                        others.add(_phrase_key(grand))
        if subject is not None and others:
            roles.append(Role(verb.lemma_.lower(), subject, frozenset(others - {subject})))
    return tuple(roles)


def _negations(doc: Doc) -> int:
    """Negators, refusal verbs and falsehood predicates of the main clause (and of what it reports:
    `said that ...`): their parity is the claim's polarity. Those inside a relative or adverbial clause
    (`at being refused asylum`) qualify a detail, not the claim."""
    main = _main_path(doc)
    return sum(1 for token in doc if _negates(token, main))


def _all_negations(doc: Doc) -> int:
    """Every negation of the sentence, wherever it stands."""
    everywhere = set(range(len(doc)))
    return sum(1 for token in doc if _negates(token, everywhere))


#: Dependencies that continue the main predicate: a reported clause, a verb complement, a coordinated verb.
_MAIN_CONTINUES = frozenset({"ccomp", "xcomp", "conj", "auxpass", "aux"})


def _main_path(doc: Doc) -> set[int]:
    roots = [t for t in doc if t.dep_ == "ROOT"]
    main: set[int] = set()
    while roots:
        token = roots.pop()
        if token.i in main:
            continue
        main.add(token.i)
        roots.extend(c for c in token.children if c.dep_ in _MAIN_CONTINUES)
    return main


def _negates(token: Token, main: set[int]) -> bool:
    lemma = token.lemma_.lower()
    if token.lower_ in _NEGATORS or token.dep_ == "neg":
        anchor = token.head
        # "no evidence", "no longer", "nothing": the determiner's noun hangs on the predicate.
        if anchor.pos_ in ("NOUN", "ADV", "ADJ", "PROPN", "PRON") and anchor.dep_ != "ROOT":
            anchor = anchor.head
        return anchor.i in main or token.i in main
    if token.pos_ == "VERB" and lemma in _REFUSALS:
        return token.i in main
    if lemma in _FALSEHOODS and token.dep_ in ("acomp", "attr", "amod", "ROOT"):
        return token.i in main or token.head.i in main
    return False


def _is_polarity_word(token: Token) -> bool:
    lemma = token.lemma_.lower()
    return (
        token.lower_ in _NEGATORS or token.dep_ == "neg" or (token.pos_ == "VERB" and lemma in _REFUSALS)
        or lemma in _FALSEHOODS or (lemma == "to" and token.head.lemma_.lower() in _REFUSALS)
    )


def _neutral(doc: Doc) -> str:
    """The claim with polarity words dropped and entity names by key, antonyms by one member."""
    words: list[str] = []
    ent_at = {ent.start: ent for ent in doc.ents if ent.label_ in _ENTITY_LABELS}
    skip_until = -1
    for token in doc:
        if token.i < skip_until:
            continue
        ent = ent_at.get(token.i)
        if ent is not None:
            words.append(entity_key(ent.text).replace(" ", "_"))
            skip_until = ent.end
            continue
        if _is_polarity_word(token):
            continue
        lemma = token.lemma_.lower()
        opposites = antonyms().get(lemma)
        # One spelling per antonym pair, so "rose" and "fell" read alike to the matcher.
        words.append(min({lemma} | opposites) if opposites else token.text)
    return " ".join(words)


def _facts(doc: Doc) -> ClaimFacts:
    entities = tuple(_mention(ent, ent.label_) for ent in doc.ents if ent.label_ in _ENTITY_LABELS)
    # Proper nouns the NER missed still name someone or somewhere.
    covered = {i for ent in doc.ents for i in range(ent.start, ent.end)}
    loose = tuple(
        _mention(doc[t.i : t.i + 1], "") for t in doc
        if t.pos_ == "PROPN" and t.i not in covered and t.text[:1].isupper()
    )
    lemmas = frozenset(
        t.lemma_.lower() for t in doc if (t.is_alpha and not t.is_stop) or t.lower_ in _OPPOSABLE
    )
    return ClaimFacts(
        text=doc.text, negations=_negations(doc), all_negations=_all_negations(doc), lemmas=lemmas,
        entities=entities + loose, roles=_roles(doc), neutral=_neutral(doc),
    )


#: Stop words that still have opposites ("for" / "against", "up" / "down", "more" / "less").
_OPPOSABLE = frozenset({"for", "against", "up", "down", "more", "less", "above", "below", "before", "after"})


def _antonym_flip(a: ClaimFacts, b: ClaimFacts) -> bool:
    """One side has a word whose opposite the other side has (and not the word itself)."""
    table = antonyms()
    # Refusals and falsehoods already count as negations ("confirmed" / "denied"): not twice.
    only_b = b.lemmas - a.lemmas - _REFUSALS - _FALSEHOODS
    for lemma in a.lemmas - b.lemmas - _REFUSALS - _FALSEHOODS:
        if table.get(lemma, frozenset()) & only_b:
            return True
        for prefix in _PREFIX_OPPOSITES:
            if prefix + lemma in only_b:
                return True
            if lemma.startswith(prefix) and len(lemma) > len(prefix) + 3 and lemma[len(prefix):] in only_b:
                return True
    return False


def _entities_conflict(a: ClaimFacts, b: ClaimFacts) -> bool:
    """Each side names an entity the other lacks: one put in the place of the other."""
    only_a = [e for e in a.entities if not any(same_entity(e.name, f.name) for f in b.entities)]
    only_b = [f for f in b.entities if not any(same_entity(f.name, e.name) for e in a.entities)]
    # A name added or dropped is a detail; one put in the place of another is another fact.
    return any(e.parallel(f) for e in only_a for f in only_b)


def _roles_swapped(a: ClaimFacts, b: ClaimFacts) -> bool:
    """One verb whose doer on each side is a participant, not the doer, on the other."""
    for ra in a.roles:
        for rb in b.roles:
            if ra.verb != rb.verb or _same_role(ra.doer, rb.doer):
                continue
            mine_there = any(_same_role(ra.doer, o) for o in rb.others)
            if mine_there and any(_same_role(rb.doer, o) for o in ra.others):
                return True
    return False


def _same_role(x: str, y: str) -> bool:
    return x == y or same_entity(x, y)


@dataclass(frozen=True, slots=True)
class Explained:
    relation: Relation
    reason: str  # number, date, entity, role, polarity, unrelated, match


def explain(a: ClaimFacts, b: ClaimFacts, similar: bool) -> Explained:
    """The relation of two parsed claims; `similar`: the matcher's verdict on their neutral texts."""
    qa, qb = quantities(a.text), quantities(b.text)
    if conflicting_numbers(qa, qb):
        return Explained("different", "number")
    if conflicting_dates(qa, qb):
        return Explained("different", "date")
    if _roles_swapped(a, b):
        return Explained("different", "role")
    if _entities_conflict(a, b):
        return Explained("different", "entity")
    if not similar:
        return Explained("different", "unrelated")
    # Polarity differs only when it differs in the main clause and in the sentence as a whole: a
    # paraphrase may move a negation between clauses, and the parse may hang it on either.
    negated = a.negations % 2 != b.negations % 2 and a.all_negations % 2 != b.all_negations % 2
    flipped = negated != _antonym_flip(a, b)
    return Explained("contradicts", "polarity") if flipped else Explained("same", "match")


def explain_pairs(pairs: Sequence[tuple[str, str]]) -> list[Explained]:
    """The relation of each pair, with the reason (what differed, or polarity)."""
    from sourcetrace.matching.model import default_matcher

    if not pairs:
        return []
    known = facts_of([t for pair in pairs for t in pair])
    parsed = [(known[a], known[b]) for a, b in pairs]
    matcher = default_matcher()
    # Either reading may see the match: the raw texts keep detail the neutral ones drop, the neutral
    # ones see through negation, antonyms and aliases.
    similar = matcher.same(list(pairs)) | matcher.same([(fa.neutral, fb.neutral) for fa, fb in parsed])
    return [explain(fa, fb, bool(s)) for (fa, fb), s in zip(parsed, similar, strict=True)]


#: Parsed claims kept per process: a trace re-reads the same stored claims query after query.
_PARSED: dict[str, ClaimFacts] = {}
_PARSED_MAX = 20_000


def facts_of(texts: Sequence[str]) -> dict[str, ClaimFacts]:
    """The facts of each distinct text, parsed in one batch (the cache is cleared when full)."""
    wanted = list(dict.fromkeys(texts))
    missing = [t for t in wanted if t not in _PARSED]
    if len(_PARSED) + len(missing) > _PARSED_MAX:
        _PARSED.clear()
        missing = wanted
    for text, doc in zip(missing, _nlp().pipe(missing, batch_size=64), strict=True):
        _PARSED[text] = _facts(doc)
    return {t: _PARSED[t] for t in wanted}
