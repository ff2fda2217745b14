"""Numbers and dates of a claim sentence, normalised so that two ways of writing one fact compare equal.

`3,000` = `three thousand` = `3k`; `1.2 million` = `1,200,000`; `half a point` = `50 basis points`;
`3 June` = `June 3` = `2025-06-03` (with the year, where given). Number words go through text2num
(`alpha2digit`), a maintained converter; scales, fractions of a point and dates are the small rules
below, because no library joins them to the figures they qualify.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

#: Scale words after a figure multiply it.
_SCALES = {
    "thousand": 1e3, "k": 1e3, "million": 1e6, "mn": 1e6, "m": 1e6, "mln": 1e6, "billion": 1e9,
    "bn": 1e9, "b": 1e9, "trillion": 1e12, "tn": 1e12, "dozen": 12, "hundred": 100,
}
#: A figure in basis points is a hundredth of a (percentage) point.
_BASIS = re.compile(r"^(?:basis points?|bps?)$")
_FRACTIONS = {"half": 0.5, "quarter": 0.25, "third": 1 / 3, "tenth": 0.1}
_WORD_FIGURES = {"a dozen": "12", "dozens of": "", "half a million": "500000", "a million": "1000000",
                 "a billion": "1000000000", "a thousand": "1000", "a hundred": "100"}
_FIGURE = re.compile(
    r"(?<![\w.])(?P<num>\d+(?:[.,]\d+)*)(?:\s*(?P<scale>thousand|million|billion|trillion|mln|mn|bn|tn|"
    r"hundred|dozen|[kmb])\b)?(?:\s*(?P<unit>basis points?|bps?\b))?",
    re.IGNORECASE,
)
_FRACTION_OF_POINT = re.compile(
    r"\b(?:(?:a|one)\s+)?(?P<frac>half|quarter|third|tenth)\s+(?:of\s+)?(?:a|one)\s+(?:percentage\s+)?point\b",
    re.IGNORECASE,
)
_FRACTION_OF_SCALE = re.compile(
    r"\b(?:a|one)?\s*(?P<frac>half|quarter|third)\s+(?:of\s+)?(?:a|one)\s+(?P<scale>million|billion|trillion)\b",
    re.IGNORECASE,
)
_MONTHS = {
    m: i + 1
    for i, names in enumerate(
        ("january jan", "february feb", "march mar", "april apr", "may", "june jun", "july jul",
         "august aug", "september sep sept", "october oct", "november nov", "december dec")
    )
    for m in names.split()
}
_MONTH = r"(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>(?:1[89]|20)\d\d)"
_DATE_PATTERNS = (
    re.compile(r"\b(?P<year>(?:1[89]|20)\d\d)-(?P<mnum>[01]\d)-(?P<day>[0-3]\d)\b"),
    # `31/12/2023` (day first, as the day is over 12) and `12/31/2023` (month first).
    re.compile(r"\b(?P<day>1[3-9]|2\d|3[01])/(?P<mnum>0?[1-9]|1[0-2])/(?P<year>(?:1[89]|20)\d\d)\b"),
    re.compile(r"\b(?P<mnum>0?[1-9]|1[0-2])/(?P<day>1[3-9]|2\d|3[01])/(?P<year>(?:1[89]|20)\d\d)\b"),
    re.compile(rf"\b{_DAY}\s+(?:of\s+)?{_MONTH}(?:,?\s+{_YEAR})?\b", re.IGNORECASE),
    re.compile(rf"\b{_MONTH}\s+{_DAY}(?:,?\s+{_YEAR})?\b(?!\s*(?:%|per))", re.IGNORECASE),
    re.compile(rf"\b{_MONTH}(?:\s+of)?\s+{_YEAR}\b", re.IGNORECASE),
    # A quarter of a year (`Q3 2024`, also read from `the third quarter of 2024`), dated by its first month.
    re.compile(rf"\bQ(?P<quarter>[1-4])\s+{_YEAR}\b"),
    re.compile(rf"\b(?:in|since|until|by|of|from|during|before|after)\s+{_YEAR}\b", re.IGNORECASE),
)
#: Words before a figure that make it approximate, and how far an approximate figure may be off.
_APPROXIMATE = re.compile(
    r"\b(?:about|around|some|nearly|almost|roughly|approximately|close to|more than|over|just over|"
    r"just under|up to|an estimated|estimated|at least|upwards of)\W+(?:[$€£]\s*)?$",
    re.IGNORECASE,
)
APPROXIMATE_SHARE = 0.1
_WEEKDAYS = tuple(day.lower() for day in calendar.day_name)
#: Weekday and full month names: words that name a date, not a person or a place.
DATE_WORDS = frozenset(_WEEKDAYS) | frozenset(m.lower() for m in calendar.month_name if m)
_WEEKDAY = re.compile(r"\b(" + "|".join(_WEEKDAYS) + r")\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Date:
    year: int | None
    month: int | None
    day: int | None

    def compatible(self, other: Date) -> bool:
        """Equal wherever both say something: `3 June` fits `3 June 2025`, not `3 July`."""
        pairs = ((self.year, other.year), (self.month, other.month), (self.day, other.day))
        return all(a is None or b is None or a == b for a, b in pairs)


@dataclass(frozen=True, slots=True)
class Quantities:
    numbers: frozenset[float]
    dates: frozenset[Date]
    weekdays: frozenset[str]
    approximate: frozenset[float] = frozenset()  # figures given as "about", "some", "nearly" ...
    times: frozenset[int] = frozenset()  # clock times as minutes after midnight: `3 p.m.` = `15:00`
    seasons: frozenset[str] = frozenset()  # `in the spring`, `this autumn` (`fall` = `autumn`)


_SCALED_FIGURE = re.compile(
    r"(?<![\w.,])(\d+(?:,\d{3})*(?:\.\d+)?)(?:\s+and\s+a\s+(half))?\s*(thousand|million|billion|trillion)\b",
    re.IGNORECASE,
)
#: "four and a half billion", "three and a half per cent", "two-and-a-half-kilometre", after text2num
#: has turned the words into digits (`4 and a half 1000000000`): one figure.
_AND_A_HALF = re.compile(
    r"(?<![\w.,])(\d+)(?:\s+|-)and(?:\s+|-)a(?:\s+|-)half(?:(?:\s+|-)(1000(?:000)*)\b)?", re.IGNORECASE
)
#: Clock times: `15:00`, `3 p.m.`, `3.40am`, `noon`, `midnight`. They are times, not figures.
_CLOCK = re.compile(
    r"(?<![\w.:])(?:(?P<h>[01]?\d|2[0-3])(?:[:.](?P<m>[0-5]\d))?\s*(?P<ampm>[ap])\.?\s?m\b\.?"
    r"|(?P<h24>[01]?\d|2[0-3]):(?P<m24>[0-5]\d)(?![\d:])|(?P<word>noon|midday|midnight))",
    re.IGNORECASE,
)


def _clock_minutes(match: re.Match[str]) -> int:
    if match["word"]:
        return 0 if match["word"].lower() == "midnight" else 12 * 60
    if match["h24"] is not None:
        return int(match["h24"]) * 60 + int(match["m24"])
    hour = int(match["h"]) % 12 + (12 if match["ampm"].lower() == "p" else 0)
    return hour * 60 + int(match["m"] or 0)


#: Units that are multiples of another: "four decades" = "forty years".
_UNIT_MULTIPLES = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)\s+(decades?|centuries|century)\b", re.IGNORECASE)
_UNIT_FACTORS = {"decade": 10, "decades": 10, "century": 100, "centuries": 100}


def _figure(value: float) -> str:
    return f"{value:.0f}" if value == int(value) else f"{value:g}"


_SMALL = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen twenty".split()
)}
del _SMALL["one"]  # "one of them", "no one": a pronoun more often than a figure
_SMALL_NUMBER = re.compile(r"\b(?:" + "|".join(_SMALL) + r")\b", re.IGNORECASE)
#: Metric prefixes before a unit: "1.2 gigawatts" = "1,200 megawatts".
_SI_UNIT = re.compile(
    r"(?<![\w.,])(\d+(?:,\d{3})*(?:\.\d+)?)(?:\s*|-)(kilo|mega|giga|tera)"
    r"(watts?|watt-hours?|tonnes?|grams?|metres?|meters?)\b",
    re.IGNORECASE,
)
_SI_FACTORS = {"kilo": 1e3, "mega": 1e6, "giga": 1e9, "tera": 1e12}
#: The same prefixed units abbreviated: `2 km` = `two kilometres` = `2000 metres`.
_SI_SHORT = re.compile(r"(?<![\w.,])(\d+(?:,\d{3})*(?:\.\d+)?)\s*(km|kg|kW|MW|GW|kWh|MWh|GWh)\b")
_SI_SHORT_UNITS = {
    "km": (1e3, "metres"), "kg": (1e3, "grams"), "kW": (1e3, "watts"), "MW": (1e6, "watts"),
    "GW": (1e9, "watts"), "kWh": (1e3, "watt-hours"), "MWh": (1e6, "watt-hours"), "GWh": (1e9, "watt-hours"),
}
#: `2 hours and 5 minutes`, `2h 05min`, `3h10min`: one duration, in minutes.
_HOURS_AND_MINUTES = re.compile(
    r"(?<![\w.,])(?P<h>\d+)\s*(?:hours?|hrs?|h)(?:\s*(?:and|,)\s*|\s*)(?P<m>\d+)\s*(?:minutes?|mins?)\b",
    re.IGNORECASE,
)
#: `Q3 2024`, `the third quarter of 2024` (`3rd quarter` after text2num): one quarter, written `Q3` (a
#: date with its year: `_DATE_PATTERNS`).
_QUARTER = re.compile(
    r"\b(?:the\s+)?(?:(?P<q>[1-4])(?:st|nd|rd|th)|(?P<word>first|second|third|fourth))\s+quarter"
    r"(?:\s+of)?\b|\bQ(?P<q2>[1-4])\b",
    re.IGNORECASE,
)
_QUARTER_WORDS = {"first": "1", "second": "2", "third": "3", "fourth": "4"}
#: `from 5 to 9 August`: both days of the month.
_DAY_RANGE = re.compile(
    r"\b(?P<d1>[0-3]?\d)(?:st|nd|rd|th)?\s*(?:-|\u2013|to|until|and)\s*(?P<d2>[0-3]?\d)(?:st|nd|rd|th)?\s+"
    r"(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\b",
    re.IGNORECASE,
)


def _day_range(match: re.Match[str]) -> str:
    if match["month"] == "may":
        return match[0]  # `between 20 and 30 may die`: a modal verb, as in `_dates`
    return f"{match['d1']} {match['month']} to {match['d2']} {match['month']}"


def _si_short_base(match: re.Match[str]) -> str:
    factor, unit = _SI_SHORT_UNITS[match[2]]
    return f"{_figure(float(match[1].replace(',', '')) * factor)} {unit}"


def _si_base(match: re.Match[str]) -> str:
    value = float(match[1].replace(",", "")) * _SI_FACTORS[match[2].lower()]
    return f"{_figure(value)} {match[3].lower()}"


def _scaled(match: re.Match[str]) -> str:
    value = float(match[1].replace(",", "")) + (0.5 if match[2] else 0.0)
    return _figure(value * _SCALES[match[3].lower()])


def _digits(text: str) -> str:
    """Number words as digits, and scales and fractions of them as one figure."""
    from text_to_num import alpha2digit

    # Fractions of a scale first: "a quarter of a million" must not become "a quarter of 1000000".
    text = _FRACTION_OF_SCALE.sub(
        lambda m: _figure(_FRACTIONS[m["frac"].lower()] * _SCALES[m["scale"].lower()]), text
    )
    for words, figure in _WORD_FIGURES.items():
        text = re.sub(rf"\b{words}\b", figure, text, flags=re.IGNORECASE)
    # Written scales after a figure are joined before text2num, which would read "million" on its own.
    text = _SCALED_FIGURE.sub(_scaled, text)
    text = alpha2digit(text, "en")
    # text2num keeps small numbers as words ("two soldiers"); they are figures here all the same.
    text = _SMALL_NUMBER.sub(lambda m: str(_SMALL[m[0].lower()]), text)
    text = _AND_A_HALF.sub(lambda m: _figure((int(m[1]) + 0.5) * int(m[2] or 1)), text)
    text = _SCALED_FIGURE.sub(_scaled, text)
    text = _SI_UNIT.sub(_si_base, text)
    text = _SI_SHORT.sub(_si_short_base, text)
    text = _HOURS_AND_MINUTES.sub(lambda m: f"{int(m['h']) * 60 + int(m['m'])} minutes", text)
    text = _QUARTER.sub(lambda m: f"Q{m['q'] or m['q2'] or _QUARTER_WORDS[m['word'].lower()]}", text)
    text = _DAY_RANGE.sub(_day_range, text)
    return _UNIT_MULTIPLES.sub(
        lambda m: f"{_figure(float(m[1]) * _UNIT_FACTORS[m[2].lower()])} years", text
    )


_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}\b)")


def as_digits(text: str) -> str:
    """The text with every figure written one way (`Forty-five thousand`, `45,000` -> `45000`), so two
    wordings of one figure read alike to a word-based matcher."""
    return _THOUSANDS.sub("", _digits(text))


def _value(number: str) -> float | None:
    cleaned = number.replace(",", "") if re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?", number) else number
    try:
        return float(cleaned)
    except ValueError:
        return None


def _dates(text: str) -> tuple[list[Date], list[tuple[int, int]]]:
    found: list[Date] = []
    spans: list[tuple[int, int]] = []
    for pattern in _DATE_PATTERNS:
        for match in pattern.finditer(text):
            if any(s < match.end() and match.start() < e for s, e in spans):
                continue
            groups = match.groupdict()
            month = _MONTHS.get((groups.get("month") or "").lower().rstrip(".")) or (
                int(groups["mnum"]) if groups.get("mnum") else None
            ) or (3 * int(groups["quarter"]) - 2 if groups.get("quarter") else None)
            day = int(groups["day"]) if groups.get("day") else None
            if day is not None and not 1 <= day <= 31:
                continue
            year = int(groups["year"]) if groups.get("year") else None
            # "may" is a modal verb far more often than a month: only capitalised (`30 may die` is no
            # date) and with a day or a year.
            if (groups.get("month") or "") == "may" or (
                (groups.get("month") or "").lower() == "may" and day is None and year is None
            ):
                continue
            found.append(Date(year, month, day))
            start = match.start("year") if pattern is _DATE_PATTERNS[-1] else match.start()
            spans.append((start, match.end()))
    return found, spans


#: A figure with a unit of time: `eight years`, `18-month`, `three weeks`. Its value is counted in the
#: unit's base (days for days and weeks, months for months and longer, minutes for hours and minutes),
#: so `two years` = `24 months` and `eight years` differs from `eight months`.
_DURATION = re.compile(
    r"(?<![\w.,])(?P<num>\d+(?:\.\d+)?)(?:\s+|-)"
    r"(?P<unit>minute|hour|day|week|month|year|decade|century)s?\b",
    re.IGNORECASE,
)
_DURATION_BASE = {
    "minute": 1, "hour": 60, "day": 1, "week": 7, "month": 1, "year": 12, "decade": 120, "century": 1200,
}
_SEASON = re.compile(
    r"\b(?:in|this|next|last|the|early|late)\s+(spring|summer|autumn|fall|winter)\b", re.IGNORECASE
)


@lru_cache(maxsize=16384)
def quantities(text: str) -> Quantities:
    """The figures (as values), the dates and the weekdays a sentence states."""
    digits = _digits(text)
    dates, spans = _dates(digits)
    times: set[int] = set()
    for match in _CLOCK.finditer(digits):
        if not any(s < match.end() and match.start() < e for s, e in spans):
            times.add(_clock_minutes(match))
            spans.append(match.span())
    numbers: set[float] = set()
    for match in _DURATION.finditer(digits):
        if any(s < match.end() and match.start() < e for s, e in spans):
            continue
        numbers.add(round(float(match["num"]) * _DURATION_BASE[match["unit"].lower()], 4))
        spans.append(match.span())
    for match in _FRACTION_OF_POINT.finditer(digits):
        numbers.add(round(_FRACTIONS[match["frac"].lower()], 4))
        spans.append(match.span())
    approximate: set[float] = set()
    for match in _FIGURE.finditer(digits):
        if any(s <= match.start() < e for s, e in spans):
            continue
        hedged = bool(_APPROXIMATE.search(digits[max(0, match.start() - 25) : match.start()]))
        value = _value(match["num"])
        if value is None:
            continue
        if match["scale"]:
            value *= _SCALES[match["scale"].lower()]
        if match["unit"] and _BASIS.match(match["unit"].lower()):
            value /= 100
        numbers.add(round(value, 4))
        if hedged:
            approximate.add(round(value, 4))
    weekdays = frozenset(w.lower() for w in _WEEKDAY.findall(text))
    seasons = frozenset("autumn" if w.lower() == "fall" else w.lower() for w in _SEASON.findall(text))
    return Quantities(
        frozenset(numbers), frozenset(dates), weekdays, frozenset(approximate), frozenset(times), seasons
    )


_RELATIVE_DAYS = {"today": 0, "yesterday": -1, "tomorrow": 1, "tonight": 0}
_RELATIVE = re.compile(r"\b(today|yesterday|tomorrow|tonight)\b", re.IGNORECASE)


def anchored(found: Quantities, text: str, published: date | None) -> Quantities:
    """`found` with relative days resolved against the publication date: `on Sunday` in an article of
    Monday 2 March 2026 is 1 March 2026 (the latest such day on or before publication, as news reports
    what happened), `yesterday` the day before. Without a date, weekdays stay words."""
    if published is None:
        return found
    resolved: set[Date] = set()
    for weekday in found.weekdays:
        back = (published.weekday() - _WEEKDAYS.index(weekday)) % 7
        day = published - timedelta(days=back)
        resolved.add(Date(day.year, day.month, day.day))
    for word in _RELATIVE.findall(text):
        day = published + timedelta(days=_RELATIVE_DAYS[word.lower()])
        resolved.add(Date(day.year, day.month, day.day))
    if not resolved:
        return found
    return Quantities(
        found.numbers, found.dates | resolved, frozenset(), found.approximate, found.times, found.seasons
    )


def conflicting_numbers(a: Quantities, b: Quantities) -> bool:
    """Each side states a figure the other lacks: another number for the quantity, not a dropped one.
    A figure given as approximate (`about 15`) matches one within APPROXIMATE_SHARE of it (`14.7`)."""
    only_a = [x for x in a.numbers - b.numbers if not _near_any(x, b.numbers, x in a.approximate, b)]
    only_b = [y for y in b.numbers - a.numbers if not _near_any(y, a.numbers, y in b.approximate, a)]
    return bool(only_a) and bool(only_b)


def _near_any(value: float, others: frozenset[float], approximate: bool, other: Quantities) -> bool:
    return any(
        abs(value - o) <= APPROXIMATE_SHARE * max(abs(value), abs(o))
        for o in others if approximate or o in other.approximate
    )


def conflicting_dates(a: Quantities, b: Quantities) -> bool:
    """A date on one side fits no date on the other (both sides dated), or two weekdays differ."""
    if a.dates and b.dates:
        if any(not any(d.compatible(e) for e in b.dates) for d in a.dates):
            return True
        if any(not any(e.compatible(d) for d in a.dates) for e in b.dates):
            return True
    if a.times and b.times and a.times != b.times:
        return True  # `until 9 p.m.` / `until 9 a.m.`
    if a.seasons and b.seasons and not a.seasons & b.seasons:
        return True  # `reopens in the spring` / `in the autumn`
    return bool(a.weekdays and b.weekdays and not a.weekdays & b.weekdays)
