"""Names that must never stand as an outlet hop in a chain: places, dates and bare descriptions.

A chain's outlet hop says "this outlet published it". The parse sometimes hands that role to a place
(`Varna` out of `the Varna river dam`), a date (`Sunday`, `2 March`) or a description that names no
outlet (`the veteran organiser`). Outlets in the outlet table, names with an outlet word (`Radio
Sofia`, `local media`) and agency acronyms are always kept. Places are recognised by country and
region names and GeoNames cities (`resolution.places`).
"""

from __future__ import annotations

import re

from sourcetrace.matching.quantities import DATE_WORDS
from sourcetrace.nlp.attribution.lexicon import OUTLET_NOUNS, OUTLET_WORDS
from sourcetrace.nlp.attribution.outlet_names import DETERMINERS
from sourcetrace.nlp.resolution.places import is_place

_DATE_WORDS = DATE_WORDS | frozenset(
    "today yesterday tomorrow tonight morning afternoon evening night week weekend month year".split()
)
_DETERMINERS = DETERMINERS | frozenset("its their his her our local".split())


def is_date(name: str) -> bool:
    from sourcetrace.ingest.dates import parse_date

    words = re.findall(r"[a-z]+", name.lower())
    if words and all(w in _DATE_WORDS or w in _DETERMINERS or w in ("on", "last", "next") for w in words):
        return True
    return bool(re.search(r"\d", name)) and parse_date(name) is not None


def is_description(name: str) -> bool:
    """Lower-case words with no outlet noun: `the veteran organiser`, not `a news website` nor a
    domain (`nunezreport.blogspot.com`)."""
    if re.search(r"\w\.\w", name):
        return False
    words = re.findall(r"[^\W\d_]+", name)
    if not words or any(w[:1].isupper() for w in words if w.lower() not in _DETERMINERS):
        return False
    lowered = {w.lower() for w in words}
    return not lowered & (OUTLET_NOUNS | OUTLET_WORDS | {"website", "site", "paper", "outlets"})


def bogus_outlet(name: str) -> bool:
    """True when `name` is a place, a date or a description, and no outlet by the outlet table."""
    from sourcetrace.nlp.resolution.mentions import is_outlet_name

    if not name.strip() or is_outlet_name(name):
        return False
    return is_date(name) or is_description(name) or is_place(name)
