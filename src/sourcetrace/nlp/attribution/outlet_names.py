"""Names as sources write them: the bare name (`the agency's` -> `agency`), whether a name reads as an
outlet (`Mehr news agency`, `Reuters`), and the key two credits of one outlet share.

Shared by the source resolver, the credit finder and the mention index, none of which imports the others
for them.
"""

from __future__ import annotations

import re

from sourcetrace.nlp.attribution.lexicon import KNOWN_OUTLETS, OUTLET_WORDS
from sourcetrace.outlets.table import POSSESSIVE, name_key, split_url

DETERMINERS = frozenset("the a an this that these those".split())


def normalise_name(text: str) -> str:
    words = POSSESSIVE.sub("", text.strip()).split()
    while words and words[0].lower() in DETERMINERS:
        words = words[1:]
    return " ".join(words)


#: The capitalised parts of a run-together name (`TheMoscowTimes`, `HuffPost`).
_CAMEL_PARTS = re.compile(r"[A-Z][a-z]+")


def run_together(word: str) -> bool:
    """`TheMoscowTimes`, `HuffPost`: one word made of several capitalised ones (the tagger may call it a
    common noun)."""
    parts = _CAMEL_PARTS.findall(word)
    return len(parts) > 1 and "".join(parts) == word


def _words(name: str) -> list[str]:
    """Lower-cased words, a run-together name split at its capitals (`TheDailyHerald`: the daily herald)."""
    out = []
    for word in normalise_name(name).split():
        if run_together(word):
            out.extend(p.lower() for p in _CAMEL_PARTS.findall(word))
        else:
            out.append(word.lower().strip(".,"))
    return out


def looks_like_outlet(name: str) -> bool:
    words = _words(name)
    if not words:
        return False
    joined = " ".join(words)
    return joined in KNOWN_OUTLETS or words[0] in KNOWN_OUTLETS or any(w in OUTLET_WORDS for w in words)


def outlet_key(name: str) -> str:
    """What two credits of one outlet share: `Infowars`, `infowars.com/...` and `www.InfoWars.com`."""
    parts = split_url(name) if "." in name and " " not in name.strip() else None
    text = parts[0] if parts else name
    text = re.sub(r"\.(?:com|org|net|info|news|co|us|uk|ir|blogspot)\b", "", text.lower())
    key = name_key(text).replace(" ", "")
    return key.removeprefix("the")
