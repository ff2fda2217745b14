"""Which attributions make someone the source of a claim.

The tagger learned PolNeAR's broad notion of attribution, which includes acts and attitudes (`voted
for the bill`, `welcomed his counterpart`, `wants a deal`, `outlined the programmes`). A fact-checker's
chain needs narrower evidence: someone *asserting* something, by speech (`said`, `told`, `according
to`, a quotation), by belief (`believes that`), by a record (`records show`) or by a position they take
(`called it ineffective`, `denied the report`). Judging or directing someone without a reported statement
(`blamed Obama for the deaths`, `urged the government to act`) is the author's report of an act
(ADJUDICATION.md reading 11). So each attribution is classed:

- `asserts`: its content becomes a claim whose chain runs through its source;
- `act`: a deed or attitude in the author's voice; kept in `attributions` (it is what PolNeAR calls an
  attribution) but it carries no claim, and the sentence stays the author's;
- `none`: no attribution at all: raising and modal constructions without a speaker (`seems to`, `is
  expected to`, `is required to`, `was listed as`), dropped.
"""

from __future__ import annotations

from spacy.tokens import Doc, Span, Token

from sourcetrace.nlp.attribution.lexicon import COMMITTING_VERBS, JUDGING_VERBS, PLAIN_SPEECH_VERBS
from sourcetrace.nlp.attribution.types import RawAttribution

ASSERTS, ACT, NONE = "asserts", "act", "none"

#: Verbs whose clausal content is asserted by their subject: speech, belief, evidence and positions.
ASSERTING_VERBS = frozenset(
    """
    say tell add state claim report announce explain insist warn note stress emphasise emphasize argue
    assert allege acknowledge admit confirm deny dispute contend maintain believe think suspect fear
    estimate predict suggest reckon feel hope expect conclude find write tweet post reply respond answer
    recall recount declare testify inform notify brief assure promise vow pledge threaten urge caution
    concede complain indicate reveal disclose divulge show demonstrate prove observe remark comment
    mention point reiterate repeat affirm aver charge accuse blame speculate imply hint signal agree
    disagree quote cite underline underscore highlight stipulate clarify announce forecast calculate
    know learn hear understand guarantee swear boast brag joke quip lament acknowledge reaffirm
    recommend propose demand call ask appeal plead order advise describe label dub brand term
    characterise characterize portray proclaim protest object counter retort rebut refute reject
    dismiss condemn denounce slam criticize criticise praise hail accept count tally
    """.split()
)
#: Of those, cues whose noun-phrase object is itself the claim: `denied the report`, `called it X`,
#: `claimed responsibility`, `accused him of Y`, `urged calm`.
NOUN_CONTENT_CUES = frozenset(
    """deny dismiss reject refute dispute confirm acknowledge admit announce report claim call label dub
    brand term describe accuse blame charge urge demand condemn denounce slam criticize criticise
    praise hail boast count tally""".split()
)
#: Nouns that head a statement when the tagger makes them the cue: `in a statement`, `his remarks`.
ASSERTING_NOUNS = frozenset(
    """statement statements remark remarks comment comments claim claims report reports announcement
    testimony interview speech tweet post letter warning assertion allegation allegations accusation
    denial confirmation assessment view views opinion belief position message""".split()
)
#: Raising, modal and scheduling predicates: `X seems to`, `X is expected to`: nobody is asserting.
NOT_ATTRIBUTION = frozenset(
    """seem appear look sound require expect suppose set schedule due likely unlikely bound list
    slate plan tip poise destine""".split()
)
#: Passives that report someone's claim even without an agent: `X is said to`, `it is believed that`.
REPORTING_PASSIVES = frozenset(
    "say report believe think allege rumor rumour claim understand know fear".split()
)


def _span(doc: Doc, span: tuple[int, int]) -> Span | None:
    out = doc.char_span(span[0], span[1], alignment_mode="expand")
    return out if out is not None and len(out) else None


#: Characters that open a quotation.
_QUOTE_OPENERS = "\"'\u201c\u2018\u00ab"


def _is_clause(content: Span) -> bool:
    """A clause (or a quotation) rather than a noun phrase: `that exports rose`, `to act now`."""
    text = content.text.lstrip()
    if text[:1] in _QUOTE_OPENERS:
        return True
    root = content.root
    if root.pos_ in ("VERB", "AUX"):
        return True
    return any(c.dep_ in ("nsubj", "nsubjpass", "cop", "aux", "expl") for c in root.children)


def _passive(cue: Token) -> bool:
    return any(c.dep_ == "auxpass" for c in cue.children) or cue.tag_ == "VBN" and cue.dep_ == "acl"


#: Constructions that only ever report speech or writing.
_ALWAYS_ASSERTS = frozenset(
    {"according_to", "quoted_as_saying", "continuation", "speaker_label", "closing_report", "reportedly"}
)


def _reported_statement(content: Span) -> bool:
    """A quotation or a finite clause (`that the governor misled`, `the governor had misled`), not an
    infinitive or a noun phrase (`the U.S. to change course`, `Obama for the deaths`)."""
    if content.text.lstrip()[:1] in _QUOTE_OPENERS:
        return True
    return _is_clause(content) and content.root.tag_ not in ("VB", "VBG")


def _has_verb_or_quote(content: Span) -> bool:
    """`said the ad "underscores" how ...` reports words; `said a short prayer` does not."""
    return any(t.pos_ in ("VERB", "AUX") or t.text[:1] in _QUOTE_OPENERS for t in content)


#: Subjects that deny anyone spoke: `nobody has said`, `no one believes`.
_NO_ONE = frozenset({"nobody", "noone", "none", "neither"})


def _no_one_speaks(cue: Token) -> bool:
    subject = next((c for c in cue.children if c.dep_ in ("nsubj", "nsubjpass")), None)
    if subject is None:
        return False
    # `nobody`, `no one`, `No official said ...`: a subject with the determiner `no`.
    return subject.lower_ in _NO_ONE or any(c.lower_ == "no" and c.dep_ == "det" for c in subject.children)


def classify(doc: Doc, att: RawAttribution) -> str:
    """`asserts`, `act` or `none` for one attribution (see the module doc)."""
    if att.cue_head >= 0 and _no_one_speaks(doc[att.cue_head]):
        return NONE  # `Nobody in the cabinet has said "..."`: the author says nobody said it
    if att.kind in ("direct", "according_to") or att.cue_head < 0 or att.extra.get("inherited_speaker"):
        return ASSERTS
    cue = doc[att.cue_head]
    lemma = cue.lemma_.lower()
    content = _span(doc, att.content[0]) if att.content else None
    if content is None:
        return NONE
    if att.extra.get("construction") in _ALWAYS_ASSERTS:
        return ASSERTS
    naming = lemma in ("call", "name", "dub", "term", "label", "title", "know")
    bare_participle = not any(c.dep_ in ("nsubj", "nsubjpass", "aux", "auxpass") for c in cue.children)
    if naming and cue.tag_ == "VBN" and bare_participle:
        return NONE  # `the deal, officially called the JCPOA`: a name, not a statement
    if lemma in NOT_ATTRIBUTION or cue.lower_ in NOT_ATTRIBUTION:
        return NONE if att.source is None or _passive(cue) or lemma in ("seem", "appear") else ACT
    if _passive(cue) and att.source is None:
        # `it is believed that ...`, `the suspect is said to have fled`: an unnamed report; `more than
        # 40 aftershocks have been reported`, `the plant is required to close`: no claim of anyone's.
        subject = next((c for c in cue.children if c.dep_ in ("nsubjpass", "expl")), None)
        takes_clause = any(c.dep_ in ("ccomp", "xcomp") for c in cue.children)
        if lemma in REPORTING_PASSIVES and takes_clause and (subject is None or subject.lower_ == "it" or
                                                             any(c.dep_ == "xcomp" for c in cue.children)):
            return ASSERTS
        return NONE
    if cue.pos_ in ("NOUN", "PROPN"):
        return ASSERTS if lemma in ASSERTING_NOUNS and _is_clause(content) else ACT
    if lemma not in ASSERTING_VERBS:
        return ACT
    if att.source is None and not _passive(cue):
        return ACT  # `asking about how to do it`: a speech verb with no speaker is the author's narration
    if lemma in COMMITTING_VERBS and content[0].lower_ == "to":
        return ACT  # `agreed to limit its programme`: a commitment (`agreed with X that ...` is a view)
    if lemma in JUDGING_VERBS and not _reported_statement(content):
        # `she blamed Obama for ...`, `Iran condemned the move as ...`, `he urged the U.S. to ...`: the
        # author reports the act (ADJUDICATION.md reading 11); `charged (that) the governor misled` asserts.
        return ACT
    if _is_clause(content) or lemma in NOUN_CONTENT_CUES:
        return ASSERTS
    if lemma in PLAIN_SPEECH_VERBS and len(content) >= 4 and _has_verb_or_quote(content):
        # `Cox said the ad "underscores" how ...`: the quoted verb was tagged a noun, so the content does
        # not parse as a clause; what a plain speech verb reports at length is still said.
        return ASSERTS
    return ACT
