"""Repairing text that was decoded with the wrong encoding somewhere upstream (mojibake).

Scraped news is full of UTF-8 read as Windows-1252 and written back (`Hillaryâ€™s`, `â€œbigotâ€`,
with C1 control characters where the bytes had no cp1252 meaning). Such text is readable once
re-decoded, so it is repaired with ftfy (a maintained library that undoes exactly this, and only
where the result is plainly better) rather than refused as binary. What was repaired is recorded,
so the report can say so. No-break spaces become plain ones (same length, so offsets hold).
"""

from __future__ import annotations

import ftfy

from sourcetrace.schema import without_surrogates

#: No-break spaces (U+00A0, the narrow U+202F, the figure space U+2007): web pages put them inside
#: names (`Leisa&nbsp;Smith`), and the parser reads one as a token of its own, splitting the name in two.
_NO_BREAK_SPACES = str.maketrans({"\u00a0": " ", "\u202f": " ", "\u2007": " "})


def repair_text(text: str) -> tuple[str, list[str]]:
    """(text with mojibake undone, lone surrogates replaced and no-break spaces made plain, one line per
    kind of repair made; empty when nothing changed)."""
    repairs: list[str] = []
    clean = without_surrogates(text)
    if clean != text:
        count = sum(a != b for a, b in zip(text, clean, strict=True))
        repairs.append(f"{count} lone UTF-16 surrogate(s) replaced by U+FFFD (UTF-8 cannot carry them)")
        text = clean
    fixed = ftfy.fix_encoding_and_explain(text)
    if fixed.text != text and fixed.explanation:
        changed = len(text) - len(fixed.text)
        steps = sorted({step for _, step in fixed.explanation})
        repairs.append(f"mojibake repaired by ftfy ({', '.join(steps)}; text {changed} characters shorter)")
        text = fixed.text
    # After ftfy, which may itself restore a no-break space out of mojibake (`Â\xa0`).
    plain = text.translate(_NO_BREAK_SPACES)
    if plain != text:
        count = sum(a != b for a, b in zip(text, plain, strict=True))
        repairs.append(f"{count} no-break space(s) read as plain spaces (offsets unchanged)")
    return plain, repairs
