"""Sentences that report a poll's results, which the poll is the source of.

Poll stories name the poll once (`A new Harbour-Quinn poll released Friday puts ...`) and then report
its results sentence by sentence with no cue: `Respondents preferred Ross on trade by 51-41`, `Dale
polled at 10 percent`, `Fifty-seven percent of those reached said ...`, `Likely voters reached by the
poll gave her the edge`. A fact-checker's chain for each ends in the poll (ANNOTATION.md, Types: a
record said to show something is a `document`).
"""

from __future__ import annotations

from spacy.tokens import Span, Token

#: The head nouns of a poll a result sentence refers back to.
POLL_NOUNS = frozenset({"poll", "survey"})
#: Participles that say who a poll reached: `those surveyed`, `voters reached by the poll`.
_REACHED = frozenset({"polled", "surveyed", "questioned", "reached", "interviewed", "sampled", "asked"})
#: The people a poll reached, when such a participle follows them.
_PEOPLE = frozenset({"those", "voter", "adult", "american", "people", "resident", "respondent"})


def reports_poll_result(span: Span) -> bool:
    """The sentence speaks of a poll's respondents, or of a candidate polling at a figure."""
    return any(_respondents(t) or _polled_at(t) for t in span)


def _respondents(token: Token) -> bool:
    """Respondents as (part of) the subject: `Respondents preferred ...`, `Fifty-seven percent of those
    reached said ...`; not the method (`the margin of error for all respondents was ...`)."""
    if token.lemma_.lower() == "respondent":
        people = token
    elif token.lower_ in _REACHED and token.tag_ == "VBN" and token.head.lemma_.lower() in _PEOPLE:
        if _surveyed_by_other(token):
            return False  # `residents surveyed by the council`: the council's own survey
        people = token.head  # `of those reached`, `likely voters reached by the poll`
    else:
        return False
    return _in_subject(people)


def _surveyed_by_other(participle: Token) -> bool:
    agent = next((c for c in participle.children if c.dep_ == "agent"), None)
    by = next((c for c in agent.children if c.dep_ == "pobj"), None) if agent is not None else None
    return by is not None and by.lemma_.lower() not in POLL_NOUNS


def _in_subject(token: Token) -> bool:
    """The subject, or a part of it through `of` only (`percent of those reached`; not `the margin of
    error for all respondents`)."""
    while token.pos_ not in ("VERB", "AUX") and token.head.i != token.i:
        if token.dep_ in ("nsubj", "nsubjpass"):
            return True
        if token.dep_ == "prep" and token.lower_ != "of":
            return False
        token = token.head
    return token.dep_ in ("nsubj", "nsubjpass")


def _polled_at(token: Token) -> bool:
    """`Dale polled at 10 percent`: a candidate's standing in a poll."""
    return (
        token.lemma_.lower() == "poll"
        and token.pos_ == "VERB"
        and any(c.dep_ == "prep" and c.lower_ == "at" for c in token.children)
    )
