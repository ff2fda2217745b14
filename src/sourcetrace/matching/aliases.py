"""One key per named entity however a claim writes it: `UK` = `Britain` = `British`; `WHO` = `World
Health Organization`; `Hezbollah` = `Hizbullah`; `Gaddafi` = `Qadhafi`.

Three sources, in order: countries from pycountry (ISO 3166 names, official and common names, codes: a
maintained public table), a short curated list for what it lacks (`data/aliases.tsv`: everyday short
names, demonyms, international bodies; see LEXICON_CARD.md), and two rules: an acronym equals the
initials of a name in the other claim, and a transliteration skeleton (`fold`) makes spelling variants
of one name meet.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from importlib import resources

from unidecode import unidecode

#: Words skipped when an acronym is read off a name ("Organization of the Petroleum ...").
_ACRONYM_SKIP = frozenset({"of", "the", "for", "and", "on", "in", "de", "des", "du", "la"})


@lru_cache(maxsize=65536)
def _norm(name: str) -> str:
    """Lower-case ASCII, no possessive `'s`, no leading `the`, single spaces."""
    text = unidecode(name).lower().replace("’", "'").strip(" .,;:'\"")
    text = re.sub(r"'s\b", "", text).removeprefix("the ")
    return " ".join(text.split())


@cache
def alias_table() -> dict[str, str]:
    """Normalised name -> entity key."""
    import pycountry

    table: dict[str, str] = {}
    for country in pycountry.countries:
        for attribute in ("name", "official_name", "common_name", "alpha_3"):
            value = getattr(country, attribute, None)
            if value:
                table.setdefault(_norm(value), country.alpha_2)
    text = (resources.files("sourcetrace") / "data" / "aliases.tsv").read_text(encoding="utf-8")
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        key, _, names = line.partition("\t")
        for name in names.split(","):
            table[_norm(name)] = key.strip()
    return table


@lru_cache(maxsize=65536)
def entity_key(name: str) -> str:
    """The table's key for a name, else the normalised name itself."""
    norm = _norm(name)
    table = alias_table()
    if norm in table:
        return table[norm]
    # A plural demonym: "Kenyans" (`_norm` has already dropped a possessive).
    return table.get(norm.removesuffix("s"), norm)


def is_table_entity(key: str) -> bool:
    return key in _table_keys()


@cache
def _table_keys() -> frozenset[str]:
    return frozenset(alias_table().values())


_DIGRAPHS = (("ph", "f"), ("dh", "d"), ("th", "t"), ("kh", "k"), ("gh", "g"), ("ck", "k"), ("ou", "u"))


@lru_cache(maxsize=65536)
def fold(name: str) -> str:
    """A transliteration skeleton: consonants only, `q`/`g`/`c`/`k` as one, doubles collapsed.

    `Hezbollah`, `Hizbullah` -> `hzbl`; `Gaddafi`, `Qadhafi` -> `kdf`; `Tehran`, `Teheran` -> `trn`.
    """
    text = unidecode(name).lower().replace("-", " ")
    for digraph, single in _DIGRAPHS:
        text = text.replace(digraph, single)
    out: list[str] = []
    for i, char in enumerate(text):
        if not char.isalpha():
            if char == " ":
                out.append(" ")
            continue
        if char in "aeiouyw" or (char == "h" and i > 0 and text[i - 1] != " "):
            if i == 0 or text[i - 1] == " ":
                out.append("a")
            continue
        out.append("k" if char in "qgck" else char)
    skeleton = re.sub(r"(.)\1+", r"\1", "".join(out))
    return " ".join(skeleton.split())


_DEMONYM_ENDINGS = ("an", "n", "ian", "ean", "ese", "i", "ish")


def _demonym_of(name: str, place: str) -> bool:
    """`european` of `europe`, `kenyan` of `kenya`: the adjective of a place not in the tables."""
    stem = place.rstrip("aeiouy")
    if len(name) < len(place) or len(stem) < 4 or not name.startswith(stem):
        return False
    return name[len(stem):].lstrip("aeiouy") in ("", "n", "sh", "se")


def acronym_of(name: str) -> str:
    words = [w for w in re.findall(r"[^\W\d_]+", unidecode(name)) if w.lower() not in _ACRONYM_SKIP]
    return "".join(w[0] for w in words).lower() if len(words) > 1 else ""


@lru_cache(maxsize=65536)
def same_entity(a: str, b: str) -> bool:
    """Two names of one entity: one key, an acronym of the other, one name inside the other
    (`Smith` in `John Smith`), or transliteration variants (skeletons of at least 3 letters)."""
    ka, kb = entity_key(a), entity_key(b)
    if ka == kb:
        return True
    if is_table_entity(ka) and is_table_entity(kb):
        return False  # two different countries or bodies, however alike their spelling
    na, nb = _norm(a), _norm(b)
    if na.replace(".", "") == acronym_of(b) or nb.replace(".", "") == acronym_of(a):
        return True
    wa, wb = set(na.split()), set(nb.split())
    if wa and wb and (wa <= wb or wb <= wa):
        return True
    if is_table_entity(ka) or is_table_entity(kb):
        return False  # the tables list their entries' variants; the rules below would add false ones
    if _demonym_of(na, nb) or _demonym_of(nb, na):
        return True
    fa, fb = fold(na), fold(nb)
    # Short skeletons meet by chance ("kn": Kenya, Guinea); two letters only with the same initial
    # and near-equal lengths (Kyiv / Kiev).
    if fa == fb and (len(fa) >= 3 or (len(fa) == 2 and na[:1] == nb[:1] and abs(len(na) - len(nb)) <= 2)):
        return True
    # A transliterated or shortened name: every word's skeleton of the shorter meets one of the longer
    # (`Schooff` / `Blair Schoof`, `Al Qaeda` / `al-Qaida`). A word of one or two consonants must meet
    # too: dropping it made `Calloway University` (`kl anvrst`) a part of `Brightwater University`.
    sa = {w.removesuffix("s") for w in fa.split()}
    sb = {w.removesuffix("s") for w in fb.split()}
    long_a, long_b = {w for w in sa if len(w) > 2}, {w for w in sb if len(w) > 2}
    return bool(long_a) and bool(long_b) and (sa <= sb or sb <= sa)
