"""A first name's gender, from a published name list (`data/first_names.tsv.gz`; its card is
`data/FIRST_NAMES_CARD.md`).

Used as one piece of evidence for pronouns (`she said` after `Masoumeh Ebtekar`), never on its own:
the list gives the share of women among people with that name in its sources; names it cannot tell
(`Jean`, `Kim`, rare names) answer None.
"""

from __future__ import annotations

import gzip
from functools import cache

from sourcetrace.modelfile import package_path
from sourcetrace.nlp.resolution.person_names import fold

NAMES_FILE = package_path("data", "first_names.tsv.gz")
#: A name is called female (male) when at least this share of its bearers are women (men).
DECISIVE_SHARE = 0.85


@cache
def _shares() -> dict[str, float]:
    if not NAMES_FILE.is_file():
        return {}
    with gzip.open(NAMES_FILE, "rt", encoding="utf-8") as handle:
        rows = (line.rstrip("\n").split("\t") for line in handle if not line.startswith("#"))
        return {name: float(share) for name, share in rows}


def female_share(first_name: str) -> float | None:
    return _shares().get(fold(first_name).strip(".'"))


def first_name_gender(first_name: str | None) -> str | None:
    """'f', 'm' or None (unknown or ambiguous)."""
    if not first_name:
        return None
    share = female_share(first_name)
    if share is None:
        return None
    if share >= DECISIVE_SHARE:
        return "f"
    if share <= 1 - DECISIVE_SHARE:
        return "m"
    return None
