"""Repairing text that was decoded with the wrong encoding somewhere upstream (mojibake).

Scraped news is full of UTF-8 read as Windows-1252 and written back (`Hillaryâ€™s`, `â€œbigotâ€`,
with C1 control characters where the bytes had no cp1252 meaning). Such text is readable once
re-decoded, so it is repaired with ftfy (a maintained library that undoes exactly this, and only
where the result is plainly better) rather than refused as binary. What was repaired is recorded,
so the report can say so.
"""

from __future__ import annotations

import ftfy


def repair_text(text: str) -> tuple[str, list[str]]:
    """(text with mojibake undone, one line per kind of repair made; empty when nothing changed)."""
    fixed = ftfy.fix_encoding_and_explain(text)
    if fixed.text == text or not fixed.explanation:
        return text, []
    changed = len(text) - len(fixed.text)
    steps = sorted({step for _, step in fixed.explanation})
    return fixed.text, [f"mojibake repaired by ftfy ({', '.join(steps)}; text {changed} characters shorter)"]
