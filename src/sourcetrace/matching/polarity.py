"""The polarity lexicon (`data/polarity.tsv`): negators, refusals, denials, falsehoods.

One list for every part that reads polarity: the claim relation (`relation`), the contradiction model
(`contradiction`), the trace's disputing cues (`corpus.trace.is_dispute`) and the matcher's negation
feature (`text.NEGATIONS`). Lemmas are stored; `forms` spells the inflections the parse-free checks
match (`denied`, `rebutted`, `refusing`).
"""

from __future__ import annotations

from functools import cache
from importlib import resources

KINDS = ("negator", "refusal", "denial", "falsehood", "dispute")

#: Past forms the suffix rules cannot make (the antonym table's verbs among them).
IRREGULAR = {
    "rise": "rose risen", "fall": "fell fallen", "grow": "grew grown", "shrink": "shrank shrunk",
    "win": "won", "lose": "lost", "leave": "left", "withdraw": "withdrew withdrawn",
}


@cache
def lexicon() -> dict[str, frozenset[str]]:
    """Kind -> its words (`data/polarity.tsv`)."""
    text = (resources.files("sourcetrace") / "data" / "polarity.tsv").read_text(encoding="utf-8")
    table: dict[str, set[str]] = {kind: set() for kind in KINDS}
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        kind, _, word = line.partition("\t")
        if kind not in table:
            raise ValueError(f"polarity.tsv: unknown kind {kind!r}")
        table[kind].add(word.strip())
    return {kind: frozenset(words) for kind, words in table.items()}


def negators() -> frozenset[str]:
    return lexicon()["negator"]


def refusals() -> frozenset[str]:
    """Verb lemmas that negate their complement or object: refusals and denials."""
    return lexicon()["refusal"] | lexicon()["denial"]


def falsehoods() -> frozenset[str]:
    return lexicon()["falsehood"]


@cache
def dispute_cue_forms() -> frozenset[str]:
    """Word forms of speech cues that dispute what they introduce (`denied`, `flatly rejected`)."""
    return forms(lexicon()["denial"] | lexicon()["dispute"])


def forms(lemmas: frozenset[str] | set[str]) -> frozenset[str]:
    """The lemmas and their regular inflections (over-generating is harmless: the forms are looked up)."""
    out: set[str] = set()
    for lemma in lemmas:
        out |= {lemma, lemma + "s", lemma + "es", lemma + "d", lemma + "ed", lemma + "ing", lemma + "er"}
        if lemma.endswith("e"):
            out |= {lemma[:-1] + "ing", lemma + "r"}
        if lemma.endswith("y"):
            out |= {lemma[:-1] + "ied", lemma[:-1] + "ies", lemma[:-1] + "ier"}
        if len(lemma) > 2 and lemma[-1] not in "aeiouwy" and lemma[-2] in "aeiou":
            out |= {lemma + lemma[-1] + "ed", lemma + lemma[-1] + "ing", lemma + lemma[-1] + "er"}
        out |= set(IRREGULAR.get(lemma, "").split())
    return frozenset(out)
