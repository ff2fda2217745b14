"""Places, dates and descriptions are never outlet hops; real outlets and outlet descriptions stay."""

from __future__ import annotations

import pytest
import spacy

from sourcetrace.nlp.attribution.bogus_outlets import bogus_outlet
from sourcetrace.nlp.attribution.chains import retype_bogus_outlets
from sourcetrace.nlp.attribution.sources import SourceResolver
from sourcetrace.schema import SourceType


@pytest.mark.parametrize(
    "name", ["Varna", "Bulgaria", "Sunday", "last Tuesday", "2 March", "the veteran organiser"]
)
def test_not_outlets(name: str) -> None:
    assert bogus_outlet(name)


@pytest.mark.parametrize(
    "name", ["Reuters", "IRNA", "Radio Sofia", "local media", "a news website", "Varna Post",
             "nunezreport.blogspot.com"]
)
def test_outlets(name: str) -> None:
    assert not bogus_outlet(name)


def test_resolver_outlets_that_are_places_or_dates_are_retyped() -> None:
    doc = spacy.blank("en")("The sea wall has cracked, engineers said.")
    resolver = SourceResolver(doc, outlet="Harbour Courier", wire=None, author=None)
    place, day, paper = resolver.outlet("Varna"), resolver.outlet("Sunday"), resolver.outlet("Valley Herald")
    retype_bogus_outlets(resolver)
    assert resolver.publisher is not None and resolver.publisher.type == SourceType.OUTLET  # metadata: kept
    assert place.type == SourceType.NAMED_ORGANIZATION  # a place "said": its government, no outlet
    assert day.type == SourceType.ANONYMOUS
    assert paper.type == SourceType.OUTLET
