"""Publication dates as people and sites write them, read by a maintained parser (dateparser).

`2026-03-02`, `2026-03-02T09:15:00Z`, `March 2, 2026`, `2 Mar 2026 09:15 GMT`, `Mon, 02 Mar 2026
09:15:00 +0000` (RSS), `02.03.2026` all become one ISO 8601 value, so the corpus orders articles by
when they appeared whatever format their source used. ISO 8601 is tried first (exact, fast); numeric
dates with slashes are read day first unless the day cannot be the first number (`03/14/2026`),
because most of the world (and most outlets outside the US) writes them so.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from functools import lru_cache

from sourcetrace.errors import InputError

#: The latest year accepted; a later one is a typing mistake, not a publication date.
MAX_YEAR = 2100
MIN_YEAR = 1800
EXAMPLE = "e.g. 2026-03-02, 2026-03-02T09:15:00Z or 2 March 2026"
_HAS_DIGIT = re.compile(r"\d")


@lru_cache(maxsize=4096)
def parse_date(value: str) -> datetime | None:
    """The moment `value` names, as naive UTC; None when it is not a date."""
    text = " ".join(value.split())
    if not text or not _HAS_DIGIT.search(text) or len(text) > 100:
        return None
    parsed = _iso(text) or _free(text)
    if parsed is None or not MIN_YEAR <= parsed.year <= MAX_YEAR:
        return None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    return parsed


def _iso(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def _free(text: str) -> datetime | None:
    import dateparser

    settings = {
        "DATE_ORDER": "DMY", "PREFER_DAY_OF_MONTH": "first", "STRICT_PARSING": False,
        "RETURN_AS_TIMEZONE_AWARE": True, "TO_TIMEZONE": "UTC", "PREFER_DATES_FROM": "past",
        "REQUIRE_PARTS": ["day", "month", "year"],
    }
    parsed = dateparser.parse(text, languages=["en"], settings=settings)  # type: ignore[arg-type]
    if parsed is None:
        # "03/14/2026": no 14th month, so the US order is the only reading.
        settings["DATE_ORDER"] = "MDY"
        parsed = dateparser.parse(text, languages=["en"], settings=settings)  # type: ignore[arg-type]
    return parsed


def iso_published(value: str | None, *, strict: bool, what: str = "publication date") -> str | None:
    """`value` as an ISO 8601 string (date only when no time was given).

    strict: a value that is not a date raises InputError (a user's `--published`, an API field);
    otherwise it is dropped (None), as a reader's record with a garbled date still has an article.
    """
    if value is None or not value.strip():
        return None
    parsed = parse_date(value)
    if parsed is None:
        if strict:
            raise InputError(f"{what} {value.strip()[:60]!r} is not a date ({EXAMPLE})")
        return None
    has_time = parsed.hour or parsed.minute or parsed.second or ":" in value
    return parsed.isoformat(timespec="seconds") if has_time else parsed.date().isoformat()
