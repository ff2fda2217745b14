"""Nesting and chains, on invented relays."""


def claim_with(report, fragment):
    matches = [c for c in report.claims if fragment in c.text]
    assert matches, f"no claim containing {fragment!r}: {[c.text for c in report.claims]}"
    return matches[0]


def hops(claim):
    return [(link.name, link.type) for link in claim.chain]


RELAY = (
    "Flood warning in Dunmore\n\n"
    "DUNMORE (Coastal News Agency) - According to Channel 4, a senior official told the Valley Gazette on "
    "Sunday that eyewitnesses had informed security officials that the north dyke was leaking."
)


def test_five_hop_relay_with_wire_and_outlet_addressee(analyze_text):
    r = analyze_text(RELAY, outlet="The Evening Lantern")
    claim = claim_with(r, "the north dyke was leaking")
    assert hops(claim) == [
        ("The Evening Lantern", "outlet"),
        ("Coastal News Agency", "outlet"),
        ("Channel 4", "outlet"),
        ("Valley Gazette", "outlet"),
        ("a senior official", "official_unnamed"),
        ("eyewitnesses", "eyewitness"),
    ]
    # security officials were told but published nothing: not a hop
    assert all(link.name != "security officials" for link in claim.chain)


def test_parent_links_follow_the_relay(analyze_text):
    r = analyze_text(RELAY)
    by_cue = {a.cue.text: a for a in r.attributions}
    assert by_cue["According to"].parent is None
    assert by_cue["told"].parent == by_cue["According to"].id
    assert by_cue["informed"].parent == by_cue["told"].id


def test_unattributed_claim_is_publisher_then_author(analyze_text):
    r = analyze_text("The ferry to Skerrin Island carries about 300 passengers a day.", outlet="Island Post")
    (claim,) = r.claims
    assert hops(claim) == [("Island Post", "outlet"), ("author", "author")]


def test_reposting_credit_covers_unattributed_claims(analyze_text):
    text = (
        "From the Harbour Times:\n\nThe new terminal opened three weeks behind schedule. "
        "A port spokesman said the delay cost nothing."
    )
    r = analyze_text(text, outlet="Coast Digest")
    assert hops(claim_with(r, "terminal opened")) == [
        ("Coast Digest", "outlet"),
        ("Harbour Times", "outlet"),
        ("author", "author"),
    ]
    assert hops(claim_with(r, "the delay cost nothing"))[:2] == [
        ("Coast Digest", "outlet"),
        ("Harbour Times", "outlet"),
    ]


def test_pronoun_and_surname_resolve_to_the_full_name(analyze_text):
    text = (
        "Health Minister Abena Mensah said the clinic would reopen. Mensah said staff had been hired. "
        "She added that the wait for surgery had fallen."
    )
    r = analyze_text(text)
    names = {r.source(a.source.source_id).name for a in r.attributions}
    assert names == {"Abena Mensah"}
    source = r.source(r.attributions[0].source.source_id)
    assert source.type == "named_person"
    assert source.role == "Health Minister"


def test_role_description_resolves_to_earlier_unnamed_official(analyze_text):
    text = (
        "A senior police official said the road would stay closed. "
        "The official said the inquiry would take a month."
    )
    r = analyze_text(text)
    ids = {a.source.source_id for a in r.attributions}
    assert len(ids) == 1
    assert r.source(ids.pop()).type == "official_unnamed"


def test_source_types(analyze_text):
    text = (
        "A source familiar with the talks said a deal was close. "
        "Many residents believe the quarry is unsafe. "
        "A report by the audit office found that the budget was overspent. "
        "Witnesses said the bus had swerved. "
        "The Dorval Transit Authority said the bus was inspected in May."
    )
    r = analyze_text(text)
    expected = {
        "a deal was close": "anonymous",
        "the quarry is unsafe": "collective",
        "the budget was overspent": "document",
        "the bus had swerved": "eyewitness",
        "the bus was inspected in May": "named_organization",
    }
    for fragment, stype in expected.items():
        assert claim_with(r, fragment).chain[-1].type == stype, fragment
