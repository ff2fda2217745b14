"""Which language an article is written in, by py3langid (a maintained fork of langid.py, Lui & Baldwin
2012, whose model ships inside the package: nothing is downloaded).

sourcetrace's models are English; the language is recorded in `document.language`, and a report of a
text that is not English carries a warning (`Report.warnings`) on every face: the CLI, the JSON, the web
page, and the corpus, whose outlet profiles count such articles.
"""

from __future__ import annotations

from functools import cache

#: Fewer letters than this and any guess is noise.
MIN_LETTERS = 40
#: Below this normalised probability the language is called undetermined (`und`).
MIN_PROBABILITY = 0.5
#: How much of the text is read: the language of a news article shows in its first pages.
SAMPLE_CHARS = 20_000


@cache
def _identifier():  # noqa: ANN202 - py3langid's LanguageIdentifier
    from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

    # norm_probs: a probability we can hold a threshold against, not a raw log score.
    return LanguageIdentifier.from_modelpath(MODEL_DIR / MODEL_FILE, norm_probs=True)


def detect_language(text: str) -> str | None:
    """An ISO 639-1 code ('en', 'de', ...), 'und' when no language is clear, None if the text is too short."""
    sample = text[:SAMPLE_CHARS]
    if sum(ch.isalpha() for ch in sample) < MIN_LETTERS:
        return None
    language, probability = _identifier().classify(sample)
    return language if probability >= MIN_PROBABILITY else "und"


def language_warning(language: str | None) -> str | None:
    """The warning a report of a text in `language` carries, or None for English and for too-short text."""
    if language is None or language == "en":
        return None
    looks = "is not recognisably English" if language == "und" else f"looks like '{language}', not English"
    return f"text {looks}; the models are English, so attributions and claims are unreliable"
