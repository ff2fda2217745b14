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

import hashlib
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Literal

import numpy as np

from sourcetrace.matching import polarity
from sourcetrace.matching.aliases import alias_table, entity_key, same_entity
from sourcetrace.matching.contradiction import contradicts, pair_features
from sourcetrace.matching.model import LEXICAL, default_matcher
from sourcetrace.matching.quantities import (
    DATE_WORDS,
    anchored,
    as_digits,
    conflicting_dates,
    conflicting_numbers,
    quantities,
)
from sourcetrace.matching.text import STOP_WORDS

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc, Span, Token

Relation = Literal["same", "contradicts", "different"]
RELATIONS: tuple[Relation, ...] = ("same", "contradicts", "different")

#: Negators, refusals and denials (`refused to approve`, `denied X`), and predicates that call a claim
#: untrue (`the report is false`): the polarity lexicon, `data/polarity.tsv`.
_NEGATORS = polarity.negators()
_REFUSALS = polarity.refusals()
_FALSEHOODS = polarity.falsehoods()
_PREFIX_OPPOSITES = ("un", "in", "il", "im", "ir", "dis", "non")
#: Weekday and month names are dates (compared by `quantities`), not names.
_DATE_NAMES = DATE_WORDS
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
    from sourcetrace.nlp.loader import DEFAULT_MODEL, load_spacy

    # No NER: it costs two thirds of the parse, and names are read as runs of proper nouns instead.
    return load_spacy(DEFAULT_MODEL, exclude=["ner"])


@dataclass(frozen=True, slots=True)
class Role:
    """One verb of a claim: who does it, and the other participants."""

    verb: str
    doer: str
    others: frozenset[str]
    #: What the verb acts on (objects, the subject of a passive), without the adjuncts among `others`
    #: (`at its March meeting`): what the predicate is about.
    core: frozenset[str] = frozenset()
    main: bool = False  # the sentence's own predicate (its root), not a verb of a clause inside it


@dataclass(frozen=True, slots=True)
class Mention:
    """A name and the slot it fills: where it hangs in the parse (`in` -> Kenya)."""

    name: str
    slot: tuple[str, str]  # (dependency, head lemma) of the name's phrase head

    def parallel(self, other: Mention) -> bool:
        """Two names in the same frame: the same slot (whatever kind of name: `Alstom` / `Siemens`)."""
        return self.slot == other.slot


def _mention(tokens: Span) -> Mention:
    root = tokens.root
    # A compound or a flat name part hangs on the next word of the name: climb to the phrase head.
    while root.dep_ in ("compound", "poss", "case") and root.head is not root:
        root = root.head
    return Mention(tokens.text, (root.dep_, root.head.lemma_.lower()))


def _names(doc: Doc) -> list[Span]:
    """Runs of proper nouns (`World Health Organization`, `Bank of England`) and demonyms the alias
    tables know (`British`, `Kenyan`); weekday and month names are dates, not names."""
    table = alias_table()
    spans: list[Span] = []
    i = 0
    while i < len(doc):
        token = doc[i]
        proper = token.pos_ == "PROPN" and token.text[:1].isupper() and token.lower_ not in _DATE_NAMES
        if not proper and not (token.text[:1].isupper() and token.lower_ in table):
            i += 1
            continue
        end = i + 1
        while end < len(doc):
            nxt = doc[end]
            if nxt.pos_ == "PROPN" and nxt.text[:1].isupper() and nxt.lower_ not in _DATE_NAMES:
                end += 1
            elif nxt.lower_ == "of" and end + 1 < len(doc) and doc[end + 1].pos_ == "PROPN" and proper:
                end += 2
            else:
                break
        spans.append(doc[i:end])
        i = end
    return spans


@dataclass(frozen=True, slots=True)
class ClaimFacts:
    """What one claim sentence says, read once from its parse."""

    text: str
    negations: int  # negators, refusals and falsehood predicates of the main clause
    all_negations: int  # ... anywhere in the sentence
    lemmas: frozenset[str]  # lower-cased lemmas of content words
    entities: tuple[Mention, ...]  # names (proper-noun runs, known demonyms), with their slot
    roles: tuple[Role, ...]
    neutral: str  # polarity words dropped, entity names by key: what the matcher compares


def _phrase_key(token: Token) -> str:
    """The entity key of a subject or object: its entity or compound noun phrase, else its lemma."""
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
        core: set[str] = set()
        for child in verb.children:
            if child.dep_ in _SUBJECTS:
                subject = _phrase_key(child)
            elif child.dep_ == "nsubjpass" or child.dep_ in _OBJECTS:
                others.add(_phrase_key(child))
                core.add(_phrase_key(child))
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
        if subject is None and verb.dep_ == "xcomp":
            # `Holt Bank agreed to buy Crane Savings`: who buys is who agreed.
            subject = next((_phrase_key(c) for c in verb.head.children if c.dep_ in _SUBJECTS), None)
        if subject is not None and others:
            roles.append(Role(verb.lemma_.lower(), subject, frozenset(others - {subject}),
                              frozenset(core - {subject}), verb.dep_ == "ROOT"))
    return tuple(roles)


def _negations(doc: Doc) -> int:
    """Polarity words of the main clause (and of what it reports: `said that ...`): their parity is
    the claim's polarity. Those inside a relative or adverbial clause (`at being refused asylum`)
    qualify a detail, not the claim."""
    main = _main_path(doc)
    return sum(1 for token in doc if _negates(token) and _attachment(token) & main)


def _all_negations(doc: Doc) -> int:
    """Every polarity word of the sentence, wherever it stands."""
    return sum(1 for token in doc if _negates(token))


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


def _negates(token: Token) -> bool:
    """A negator, a refusal verb, or a falsehood predicate (`the report is false`)."""
    lemma = token.lemma_.lower()
    if token.dep_ == "intj":
        return False  # the answer `No, ...` restates the clause after it, which carries its own negation
    if token.lower_ in _NEGATORS or token.dep_ == "neg":
        return True
    if token.pos_ == "VERB" and lemma in _REFUSALS:
        return True
    return lemma in _FALSEHOODS and token.dep_ in ("acomp", "attr", "amod", "ROOT")


def _attachment(token: Token) -> set[int]:
    """The tokens a polarity word bears on: itself and what it hangs on ("no evidence", "no longer",
    "nothing": a negator's noun or adverb hangs on the predicate)."""
    if token.lower_ in _NEGATORS or token.dep_ == "neg":
        anchor = token.head
        if anchor.pos_ in ("NOUN", "ADV", "ADJ", "PROPN", "PRON") and anchor.dep_ != "ROOT":
            anchor = anchor.head
        return {anchor.i, token.i}
    if token.lemma_.lower() in _FALSEHOODS:
        return {token.i, token.head.i}
    return {token.i}


def _is_polarity_word(token: Token) -> bool:
    """Dropped from the neutral text: polarity words, any falsehood word, the `to` of `refused to`."""
    lemma = token.lemma_.lower()
    return (
        _negates(token) or lemma in _FALSEHOODS
        or (lemma == "to" and token.head.lemma_.lower() in _REFUSALS)
    )


def _neutral(doc: Doc, names: list[Span]) -> str:
    """The claim with polarity words dropped, entity names by key, antonyms by one member and figures in
    digits."""
    words: list[str] = []
    ent_at = {span.start: span for span in names}
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
    return as_digits(" ".join(words))


def _facts(doc: Doc) -> ClaimFacts:
    names = _names(doc)
    entities = tuple(_mention(span) for span in names)
    lemmas = frozenset(
        t.lemma_.lower() for t in doc if (t.is_alpha and not t.is_stop) or t.lower_ in _OPPOSABLE
    )
    return ClaimFacts(
        text=doc.text, negations=_negations(doc), all_negations=_all_negations(doc), lemmas=lemmas,
        entities=entities, roles=_roles(doc), neutral=_neutral(doc, names),
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
    meets = [[same_entity(e.name, f.name) for f in b.entities] for e in a.entities]
    only_a = [e for e, row in zip(a.entities, meets, strict=True) if not any(row)]
    only_b = [f for k, f in enumerate(b.entities) if not any(row[k] for row in meets)]
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


_PRONOUNS = frozenset(
    "it he she they we i you him her them us this that these those one which who what".split()
)


def _predicates_differ(a: ClaimFacts, b: ClaimFacts) -> bool:
    """The same doer does something else to something else: the main predicates share no verb and no
    object (`the bank kept rates on hold` / `the bank appointed a deputy governor`). Shared adjuncts
    (`at its March meeting`) and a shared subject are what make such pairs look alike to the matcher."""
    # A pronoun stands for what the other side may name (`called it` / `described the technology`).
    main_a = [r for r in a.roles if r.main and r.core and not r.core & _PRONOUNS]
    main_b = [r for r in b.roles if r.main and r.core and not r.core & _PRONOUNS]
    if not main_a or not main_b:
        return False
    for ra in main_a:
        for rb in main_b:
            if not _same_role(ra.doer, rb.doer) or ra.verb == rb.verb and ra.core & rb.core:
                return False
            shared = ra.core & b.lemmas or rb.core & a.lemmas
            if shared or any(_same_role(x, y) for x in ra.core for y in rb.core):
                return False
    return True


def _same_role(x: str, y: str) -> bool:
    return x == y or same_entity(x, y)


def _figures_differ(a: str, b: str, dated: tuple[date | None, date | None]) -> Explained | None:
    """`different` when the two claims state other figures or other dates (relative days read
    against each claim's publication date), else None."""
    qa, qb = anchored(quantities(a), a, dated[0]), anchored(quantities(b), b, dated[1])
    if conflicting_numbers(qa, qb):
        return Explained("different", "number")
    if conflicting_dates(qa, qb):
        return Explained("different", "date")
    return None


#: Content-word lemmas two claims without names must share to be read as one fact by their figures.
SHARED_LEMMAS_WITHOUT_NAMES = 2


def _same_figures(a: str, b: str, dated: tuple[date | None, date | None]) -> bool:
    """Both claims state figures, dates or times, and the same ones (in whatever words or units)."""
    qa, qb = anchored(quantities(a), a, dated[0]), anchored(quantities(b), b, dated[1])
    stated = qa.numbers or qa.dates or qa.times
    return bool(stated) and (qa.numbers, qa.dates, qa.times) == (qb.numbers, qb.dates, qb.times)


def _share_a_name_or_lemmas(a: ClaimFacts, b: ClaimFacts) -> bool:
    """The claims are about the same thing: a name in common (by the alias rules) or, where neither
    names anything, at least SHARED_LEMMAS_WITHOUT_NAMES content words."""
    if a.entities or b.entities:
        return any(same_entity(e.name, f.name) for e in a.entities for f in b.entities)
    return len(a.lemmas & b.lemmas) >= SHARED_LEMMAS_WITHOUT_NAMES


@dataclass(frozen=True, slots=True)
class Explained:
    relation: Relation
    reason: str  # number, date, entity, role, predicate, polarity, unrelated, match


def explain(
    a: ClaimFacts, b: ClaimFacts, similar: bool, dated: tuple[date | None, date | None] = (None, None),
    denies: bool = False,
) -> Explained:
    """The relation of two parsed claims; `similar`: the matcher's verdict on their neutral texts;
    `dated`: each claim's publication date, against which `on Sunday` and `yesterday` are read;
    `denies`: the contradiction model's verdict (`contradiction`), for what the polarity rules miss."""
    figures = _figures_differ(a.text, b.text, dated)
    if figures is not None:
        return figures
    if _roles_swapped(a, b):
        return Explained("different", "role")
    if _entities_conflict(a, b):
        return Explained("different", "entity")
    if not similar and _same_figures(a.text, b.text, dated) and _share_a_name_or_lemmas(a, b):
        similar = True  # `about 3,000 homes` / `roughly three thousand houses`: reworded, one fact
    if not similar:
        return Explained("contradicts", "model") if denies else Explained("different", "unrelated")
    if _predicates_differ(a, b):
        return Explained("different", "predicate")
    # Polarity differs only when it differs in the main clause and in the sentence as a whole: a
    # paraphrase may move a negation between clauses, and the parse may hang it on either.
    negated = a.negations % 2 != b.negations % 2 and a.all_negations % 2 != b.all_negations % 2
    flipped = negated != _antonym_flip(a, b)
    return Explained("contradicts", "polarity") if flipped else Explained("same", "match")


def explain_pairs(
    pairs: Sequence[tuple[str, str]], similar: Sequence[bool] | None = None, parse_limit: int | None = None,
    dated: Sequence[tuple[date | None, date | None]] | None = None,
    known: Callable[[str], ClaimFacts | None] | None = None,
) -> list[Explained]:
    """The relation of each pair, with the reason (what differed, or polarity); `known`: the facts
    already at hand for a text (see `facts_of`).

    A pair whose words differ only in ways no rule reads needs no parse (`_needs_parse`): its relation
    is the matcher's verdict, after figures and dates are compared (regular expressions). A trace
    decides tens of pairs per query, and parsing them all cost more than the rest of the query.
    """
    if not pairs:
        return []
    # `similar`: the matcher's verdict on the raw pairs when the caller has it already (a trace).
    raw_similar = default_matcher().same(list(pairs)) if similar is None else list(similar)
    out: list[Explained | None] = [None] * len(pairs)
    to_parse: list[int] = []
    polar: list[int] = []  # positions in `to_parse` of pairs where a polarity word differs

    def when(i: int) -> tuple[date | None, date | None]:
        return dated[i] if dated is not None else (None, None)

    for i, (a, b) in enumerate(pairs):
        # `parse_limit`: at most this many pairs parsed (the first ones); the rest get the parse-free
        # decision, so a query with hundreds of near-identical reports stays interactive.
        within = parse_limit is None or len(to_parse) < parse_limit
        diff = differing_words(a, b) if within else None
        # A pair the matcher rejects that states the same figures is parsed: its names decide.
        reworded = diff is not None and not raw_similar[i] and _same_figures(a, b, when(i))
        if diff is not None and (_needs_parse(diff, bool(raw_similar[i])) or reworded):
            if diff.polar:
                polar.append(len(to_parse))
            to_parse.append(i)
            continue
        out[i] = _figures_differ(a, b, when(i)) or (
            Explained("same", "match") if raw_similar[i] else Explained("different", "unrelated")
        )
    if to_parse:
        facts = facts_of([t for i in to_parse for t in pairs[i]], known)
        parsed = [(facts[pairs[i][0]], facts[pairs[i][1]]) for i in to_parse]
        # Either reading may see the match: the raw texts keep detail the neutral ones drop, the
        # neutral ones see through negation, antonyms and aliases. The neutral texts go to the
        # torch-free matcher whatever is installed: they are rewritten word lists, which a sentence
        # embedding reads no better, and embedding them would cost 15 ms each in a trace.
        lexical = default_matcher(LEXICAL)
        neutral_similarity, neutral = lexical.scores([(fa.neutral, _aligned(fb, fa)) for fa, fb in parsed])
        # The contradiction model decides only pairs of its domain (a polarity word differs).
        denies = np.zeros(len(to_parse), dtype=bool)
        if polar:
            denies[polar] = _model_denies(
                [pairs[to_parse[k]] for k in polar], [parsed[k] for k in polar], neutral_similarity[polar]
            )
        for k, i in enumerate(to_parse):
            out[i] = explain(*parsed[k], bool(raw_similar[i] or neutral[k]), when(i), bool(denies[k]))
    return [e for e in out if e is not None]


def _aligned(b: ClaimFacts, a: ClaimFacts) -> str:
    """`b`'s neutral text with each name that is an alias of one of `a`'s (`Youssef Al Khateeb` /
    `Yusuf al-Khatib`, `WHO` / `World Health Organization`) spelled as `a` spells it."""
    words = b.neutral.split(" ")
    for f in b.entities:
        match = next((e for e in a.entities if same_entity(e.name, f.name)), None)
        if match is None:
            continue
        mine, theirs = entity_key(f.name).replace(" ", "_"), entity_key(match.name).replace(" ", "_")
        words = [theirs if w == mine else w for w in words]
    return " ".join(words)


def _model_denies(
    pairs: Sequence[tuple[str, str]], parsed: Sequence[tuple[ClaimFacts, ClaimFacts]],
    neutral_similarity: np.ndarray,
) -> np.ndarray:
    """The contradiction model's verdict on parsed pairs (see `contradiction`)."""
    overlap = default_matcher(LEXICAL).features(list(pairs))
    flips = [_antonym_flip(a, b) for a, b in parsed]
    return contradicts(pair_features(parsed, overlap, neutral_similarity, flips))


_WORDS = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")


@cache
def _polar_forms() -> frozenset[str]:
    """Surface forms of every word the polarity rules read (negators, refusals, antonyms)."""
    lemmas = set(_REFUSALS) | set(_FALSEHOODS) | set(antonyms()) | set(_OPPOSABLE)
    return frozenset(_NEGATORS | {"longer"} | polarity.forms(lemmas))


@dataclass(frozen=True, slots=True)
class WordDiff:
    """What the words of a pair show before any parse, read once per pair."""

    polar: bool  # a polarity word or prefix opposite among the words only one side has
    named: tuple[bool, bool]  # whether each side has a name of its own
    lower_a: list[str]
    lower_b: list[str]

    def names_or_order_differ(self) -> bool:
        """Each side has a name of its own (aliases or a swap), or the shared words come in another
        order (who did what to whom)."""
        shared = set(self.lower_a) & set(self.lower_b)
        return (self.named[0] and self.named[1]) or _reordered(self.lower_a, self.lower_b, shared)


def differing_words(a: str, b: str) -> WordDiff:
    words_a, words_b = _WORDS.findall(a), _WORDS.findall(b)
    lower_a, lower_b = [w.lower() for w in words_a], [w.lower() for w in words_b]
    set_a, set_b = set(lower_a), set(lower_b)
    polar = _polar_forms()
    named = [False, False]
    sides = ((words_a, set_a - set_b, set_b), (words_b, set_b - set_a, set_a))
    for side, (words, only, other) in enumerate(sides):
        for word in words:
            low = word.lower()
            if low not in only:
                continue
            if low in polar or "n't" in low or any(
                low.startswith(p) and low[len(p):] in other for p in _PREFIX_OPPOSITES
            ):
                return WordDiff(True, (False, False), lower_a, lower_b)
            named[side] = named[side] or (word[:1].isupper() and low not in STOP_WORDS)
    return WordDiff(False, (named[0], named[1]), lower_a, lower_b)


def _needs_parse(diff: WordDiff, similar: bool) -> bool:
    """Whether a rule could read the pair differently from the matcher's verdict: a polarity word or
    an antonym among the differing words, names on both sides that may be aliases or a swap, or (for a
    pair the matcher accepts) a change of voice, content words of its own on each side (another
    predicate) or shared words in another order, which may be who did what to whom."""
    if diff.polar:
        return True
    if not similar:
        # Names of its own on each side may be aliases (`UK` / `Britain`), which the neutral texts
        # spell alike; nothing else could make a pair the matcher refuses `same`.
        return diff.named[0] and diff.named[1]
    set_a, set_b = set(diff.lower_a), set(diff.lower_b)
    # The voice changed (`X defeated Y` / `X was defeated by Y`): who did what to whom may have too.
    if "by" in set_a ^ set_b:
        return True
    own_a, own_b = set_a - set_b - STOP_WORDS, set_b - set_a - STOP_WORDS
    return bool(own_a and own_b) or diff.names_or_order_differ()


def _reordered(lower_a: list[str], lower_b: list[str], shared: set[str]) -> bool:
    """The content words both claims use come in another order."""
    content = {w for w in shared if w not in STOP_WORDS}
    order_a = list(dict.fromkeys(w for w in lower_a if w in content))
    order_b = list(dict.fromkeys(w for w in lower_b if w in content))
    return order_a != order_b


#: Parsed claims kept per process: a trace re-reads the same stored claims query after query.
_PARSED: dict[str, ClaimFacts] = {}
_PARSED_MAX = 20_000
#: Bump when `_facts` reads a parse differently: facts stored beside a corpus (`<db>.claimfacts`)
#: under another version are then parsed again rather than trusted.
FACTS_VERSION = 4


def facts_of(
    texts: Sequence[str], known: Callable[[str], ClaimFacts | None] | None = None
) -> dict[str, ClaimFacts]:
    """The facts of each distinct text, parsed in one batch (the cache is cleared when full).

    `known`: the facts already at hand for a text, or None (a corpus's stored claims': see
    `stored_facts`); texts it knows are not parsed."""
    wanted = list(dict.fromkeys(texts))
    stored = {t: f for t in wanted if known is not None and (f := known(t)) is not None}
    missing = [t for t in wanted if t not in _PARSED and t not in stored]
    if len(_PARSED) + len(missing) > _PARSED_MAX:
        _PARSED.clear()
        missing = [t for t in wanted if t not in stored]
    for text, doc in zip(missing, _nlp().pipe(missing, batch_size=64), strict=True):
        _PARSED[text] = _facts(doc)
    return {t: stored.get(t) or _PARSED[t] for t in wanted}


@cache
def facts_fingerprint() -> str:
    """What stored facts depend on besides the text: this code's reading (FACTS_VERSION), the spaCy
    pipeline and the word lists. Stored facts with another fingerprint are not used."""
    import spacy

    from sourcetrace.nlp.loader import DEFAULT_MODEL

    model_version = spacy.util.get_package_version(DEFAULT_MODEL) or ""
    digest = hashlib.sha256(f"{FACTS_VERSION}|{spacy.__version__}|{DEFAULT_MODEL}|{model_version}".encode())
    for name in ("antonyms.tsv", "aliases.tsv", "polarity.tsv"):
        digest.update((resources.files("sourcetrace") / "data" / name).read_bytes())
    return digest.hexdigest()[:16]


def facts_to_json(facts: ClaimFacts) -> str:
    """A compact JSON form of `facts` (sets sorted, so equal facts encode alike)."""
    return json.dumps([
        facts.text, facts.negations, facts.all_negations, sorted(facts.lemmas),
        [[m.name, *m.slot] for m in facts.entities],
        [[r.verb, r.doer, sorted(r.others), sorted(r.core), r.main] for r in facts.roles], facts.neutral,
    ], ensure_ascii=False, separators=(",", ":"))


def facts_from_json(text: str) -> ClaimFacts:
    """The inverse of `facts_to_json`."""
    claim, negations, all_negations, lemmas, entities, roles, neutral = json.loads(text)
    return ClaimFacts(
        text=claim, negations=negations, all_negations=all_negations, lemmas=frozenset(lemmas),
        entities=tuple(Mention(name, (dep, head)) for name, dep, head in entities),
        roles=tuple(Role(verb, doer, frozenset(others), frozenset(core), main)
                    for verb, doer, others, core, main in roles),
        neutral=neutral,
    )
