"""Attribution constructions from the issue, on sentences written for these tests.

Content spans follow PolNeAR's convention: a complementiser `that` and quotation marks are part of the
content; claims drop them."""

import pytest


def only(report, cue):
    matches = [a for a in report.attributions if cue in a.cue.text]
    assert matches, f"no attribution with cue {cue!r}: {[a.cue.text for a in report.attributions]}"
    return matches[0]


def chain_names(claim):
    return [link.name for link in claim.chain]


def claim_with(report, fragment):
    matches = [c for c in report.claims if fragment in c.text]
    assert matches, f"no claim containing {fragment!r}: {[c.text for c in report.claims]}"
    return matches[0]


def test_told_addressee_and_time(analyze_text):
    r = analyze_text("The harbour master told reporters on Monday that two cranes had collapsed.")
    att = only(r, "told")
    assert att.source.text == "The harbour master"
    assert att.addressee.text == "reporters"
    assert att.time.text == "on Monday"
    assert att.content.text == "that two cranes had collapsed"


def test_according_to(analyze_text):
    r = analyze_text("According to the Valley Gazette, the bakery on Elm Street will close in March.")
    att = only(r, "According to")
    assert att.source.text == "the Valley Gazette"
    assert "bakery on Elm Street will close" in att.content.text
    assert r.source(att.source.source_id).type == "outlet"


def test_quoted_as_saying(analyze_text):
    r = analyze_text("The coach was quoted as saying that the team would appeal the ruling.")
    att = only(r, "quoted as saying")
    assert att.source.text == "The coach"
    assert att.content.text == "that the team would appeal the ruling"


def test_impersonal_passive_has_implicit_source(analyze_text):
    r = analyze_text("It was reported that the mill had stopped paying its suppliers.")
    att = only(r, "reported")
    assert att.source.start is None
    assert r.source(att.source.source_id).type == "anonymous"


def test_adding_inherits_the_speaker(analyze_text):
    r = analyze_text(
        "Councillor Dana Whitlow said the road was unsafe, adding that repairs would start soon."
    )
    adding = only(r, "adding")
    said = only(r, "said")
    assert adding.source.source_id == said.source.source_id
    assert r.source(adding.source.source_id).name == "Dana Whitlow"
    assert adding.content.text == "that repairs would start soon"


@pytest.mark.parametrize(
    "text",
    [
        '"The pumps are working again," the engineer said.',
        '"The pumps are working again," said the engineer.',
        'The engineer said: "The pumps are working again."',
    ],
)
def test_direct_quote_speaker_before_or_after(analyze_text, text):
    r = analyze_text(text)
    (att,) = [a for a in r.attributions if "pumps are working" in a.content.text]
    assert att.kind == "direct"
    assert "engineer" in att.source.text
    assert att.content.text.strip('"').startswith("The pumps are working again")


def test_quote_split_by_its_speech_tag_has_parts(analyze_text):
    r = analyze_text('"We lost the east wing," said curator Ines Barros, "but the archive is safe."')
    (att,) = [a for a in r.attributions if a.kind == "direct"]
    assert [p.text for p in att.content.parts] == ['"We lost the east wing,"', '"but the archive is safe."']
    assert r.source(att.source.source_id).name == "Ines Barros"


def test_trailing_dash_name(analyze_text):
    r = analyze_text('"Nobody warned us about the closure, not once." - Marta Lindqvist')
    (att,) = r.attributions
    assert att.source.text == "Marta Lindqvist"
    assert r.source(att.source.source_id).type == "named_person"


def test_denial_is_an_attribution(analyze_text):
    r = analyze_text("The mining company denied that it had dumped waste in the river.")
    att = only(r, "denied")
    assert att.content.text == "that it had dumped waste in the river"


def test_every_offset_slices_the_text(analyze_text):
    text = (
        '"The dam is safe," said engineer Paul Ndlovu. He added that the spillway was cleared.\n\n'
        "According to the Delta Herald, a spokesman for the ministry told the Coastal News Agency that "
        "witnesses informed police that the gates had opened."
    )
    r = analyze_text(text)
    body = r.document.text
    for att in r.attributions:
        for span in (att.cue, att.source, att.content, *att.content.parts):
            if span.start is not None:
                assert body[span.start : span.end] == span.text
    for claim in r.claims:
        assert body[claim.start : claim.end] == claim.text
