"""Stored claim facts (`matching.stored_facts`): what a corpus keeps of each claim's parse."""

from __future__ import annotations

from pathlib import Path

import pytest

from sourcetrace.errors import InputError
from sourcetrace.matching.relation import explain_pairs, facts_from_json, facts_of, facts_to_json
from sourcetrace.matching.stored_facts import StoredFacts

SENTENCES = [
    "The minister said the plant will not reopen in Kenya, Reuters reported.",
    "Obama's aide denied that 3,000 jobs were cut by Siemens on Sunday.",
    "The drug was outperformed by the placebo in two trials, the World Health Organization said.",
    "Prices rose sharply in March.",
    "No, the report is false.",
    "",
]


def test_facts_survive_their_json_form() -> None:
    for text, facts in facts_of(SENTENCES).items():
        assert facts_from_json(facts_to_json(facts)) == facts, text


def test_stored_facts_are_saved_loaded_and_found_by_key(tmp_path: Path) -> None:
    parsed = facts_of(SENTENCES)
    stored = StoredFacts("print")
    assert stored.add([f"k{i}" for i in range(3)], [parsed[t] for t in SENTENCES[:3]]) == 3
    stored.save(tmp_path / "part.claimfacts")  # saved once, then grown: the blob is appended to
    assert stored.add(["k0", "k3"], [parsed[SENTENCES[3]], parsed[SENTENCES[3]]]) == 1  # k0 kept
    stored.save(tmp_path / "db.claimfacts")
    loaded = StoredFacts.load(tmp_path / "db.claimfacts")
    assert loaded.fingerprint == "print" and len(loaded) == 4
    assert [loaded.get(f"k{i}") for i in range(4)] == [parsed[t] for t in SENTENCES[:4]]
    assert loaded.get("k9") is None
    with pytest.raises(InputError):
        StoredFacts.load(tmp_path / "missing.claimfacts")


def test_facts_by_text_skip_a_claim_whose_text_is_not_the_one_parsed() -> None:
    parsed = facts_of(SENTENCES[:2])
    stored = StoredFacts("print")
    stored.add(["a", "b"], [parsed[SENTENCES[0]], parsed[SENTENCES[1]]])
    lookup = stored.by_text({SENTENCES[0]: "a", "Another wording of b.": "b", "unknown": "c"})
    assert lookup(SENTENCES[0]) == parsed[SENTENCES[0]]
    assert lookup("Another wording of b.") is None
    assert lookup("unknown") is None
    assert lookup("never asked about") is None


def test_explained_pairs_are_the_same_with_stored_facts() -> None:
    pairs = [
        ("The plant will reopen in Kenya.", "The plant will not reopen in Kenya."),
        ("The plant will reopen in Kenya.", "The plant will reopen in Uganda."),
        ("Prices rose sharply in March.", "Prices fell sharply in March."),
    ]
    texts = [t for pair in pairs for t in pair]
    stored = StoredFacts("print")
    parsed = facts_of(texts)
    stored.add(texts, [parsed[t] for t in texts])
    known = stored.by_text({t: t for t in texts})
    assert explain_pairs(pairs, [True] * 3, known=known) == explain_pairs(pairs, [True] * 3)
