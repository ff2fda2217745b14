"""The one data model that flows through sourcetrace.

`Document` is what came in (text plus metadata); `Report` is what goes out (the JSON contract).
Everything in between works on the spaCy `Doc`; the Report is built from it once, at the end.
Every offset is a Python `str` index into `Document.text`, the exact text analysed.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

SCHEMA_VERSION = "1.1"


def text_sha256(text: str) -> str:
    """The input hash that claim ids and provenance are derived from."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


#: A UTF-16 surrogate code point on its own: Python strings can hold one (JSON `"\udc80"`, a file name
#: that is not UTF-8, `--title` from such a terminal), UTF-8 cannot encode it, so spaCy and every JSON
#: writer would fail on it.
_SURROGATE = re.compile("[\ud800-\udfff]")


def without_surrogates(value: str) -> str:
    """`value` with each surrogate code point replaced by U+FFFD: one character for one, offsets hold."""
    return _SURROGATE.sub("\ufffd", value) if _SURROGATE.search(value) else value


class SourceType(StrEnum):
    OUTLET = "outlet"
    NAMED_PERSON = "named_person"
    NAMED_ORGANIZATION = "named_organization"
    OFFICIAL_UNNAMED = "official_unnamed"
    ANONYMOUS = "anonymous"
    EYEWITNESS = "eyewitness"
    DOCUMENT = "document"
    COLLECTIVE = "collective"
    AUTHOR = "author"


#: Source types whose innermost position makes a claim rest on someone the reader cannot identify.
UNNAMED_TYPES = frozenset({SourceType.ANONYMOUS, SourceType.OFFICIAL_UNNAMED, SourceType.EYEWITNESS})


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", use_enum_values=True)


class Reliability(_Model):
    """An outlet's standing in public rating sets (see src/sourcetrace/data/DATA_CARD.md)."""

    domain: str | None = None
    score: float | None = Field(None, ge=0.0, le=1.0, description="0 unreliable .. 1 reliable.")
    label: str | None = Field(None, description="unreliable | mixed | reliable")
    rating_sources: list[str] = Field(default_factory=list, description="Rating sets that rate it.")


class Document(_Model):
    """An input article, after ingest and before analysis."""

    text: str = Field(description="The exact text analysed; every offset indexes into it.")
    title: str | None = None
    outlet: str | None = Field(None, description="Publishing outlet from metadata, site name or dateline.")
    wire: str | None = Field(None, description="Wire service named in the dateline, e.g. '(Reuters)'.")
    published: str | None = Field(None, description="Publication date as given (ISO 8601 when known).")
    author: str | None = None
    path: str | None = None
    url: str | None = None
    language: str | None = Field(None, description="Detected language code, e.g. 'en'.")
    fetched_at: str | None = Field(None, description="UTC time the URL was fetched (ISO 8601).")
    final_url: str | None = Field(None, description="URL after redirects, when fetched.")
    outlet_reliability: Reliability | None = Field(None, description="The publisher's standing, when known.")
    repairs: list[str] = Field(
        default_factory=list,
        description="What ingest repaired in the text before analysis (mojibake undone by ftfy); offsets "
        "index the repaired text.",
    )

    @field_validator("*", mode="before")
    @classmethod
    def _encodable(cls, value: Any) -> Any:
        # Every way in (files, stdin, the web, the library, `with_meta`) ends here, so no report can
        # be unencodable.
        return without_surrogates(value) if isinstance(value, str) else value

    @field_validator("published")
    @classmethod
    def _iso_date(cls, value: str | None) -> str | None:
        # Any common format becomes ISO 8601; a value that is no date is kept as given.
        from sourcetrace.ingest.dates import iso_published

        return (iso_published(value, strict=False) or value) if value else value

    def with_meta(self, **update: Any) -> Document:
        """A copy with fields replaced, validated like a new Document (`model_copy` would skip that)."""
        return type(self).model_validate({**self.model_dump(), **update}) if update else self

    def sha256(self) -> str:
        return text_sha256(self.text)


class TextSpan(_Model):
    text: str
    start: int | None = Field(description="Start offset into document.text; null when implicit.")
    end: int | None = None


class SourceMention(TextSpan):
    source_id: str | None = None


class Content(TextSpan):
    parts: list[TextSpan] = Field(
        default_factory=list, description="The pieces of a quote split by its speech tag, in order."
    )


class Attribution(_Model):
    id: str
    kind: str = Field(description="direct | indirect | according_to | passive | mixed")
    cue: TextSpan
    source: SourceMention
    content: Content
    addressee: SourceMention | None = None
    time: TextSpan | None = None
    parent: str | None = Field(None, description="Id of the attribution that relays this one.")
    confidence: float = Field(
        ge=0.0, le=1.0,
        description="A ranking score, not a calibrated probability: the learned tagger's cue probability "
        "where the tagger found the attribution, a fixed value per construction where only a rule did "
        "(see docs/json-contract.md).",
    )
    asserts: bool = Field(
        True,
        description="The source asserts the content (speech, belief, a record, a position taken), so it is "
        "a claim whose chain runs through the source. False for deeds and attitudes (`voted for the bill`, "
        "`welcomed the envoy`), which count as attributions in PolNeAR but carry no claim.",
    )


class Source(_Model):
    id: str
    name: str
    type: SourceType
    role: str | None = None
    affiliation: str | None = None
    mentions: list[tuple[int, int]] = Field(default_factory=list)
    reliability: Reliability | None = Field(None, description="For outlets found in the rating table.")


class ChainLink(_Model):
    source_id: str
    name: str
    type: SourceType
    attribution_id: str | None = Field(
        None, description="The attribution through which this source speaks; null for the publisher."
    )


class Hedge(_Model):
    text: str
    start: int
    end: int
    kind: str = Field(
        description="hedge | booster | factive | assertive | reporting | conditional | so_called "
        "| scare_quote (lexicons: src/sourcetrace/data/LEXICON_CARD.md)"
    )


#: Every marker kind the hedging lexicon uses (`data/hedges.tsv`).
KINDS = frozenset(
    {"hedge", "booster", "factive", "assertive", "reporting", "conditional", "so_called", "scare_quote"}
)
#: Kinds that lower the writer's or the source's commitment to the claim.
HEDGING_KINDS = frozenset({"hedge", "reporting", "conditional", "so_called", "scare_quote"})
#: Kinds that raise it: boosters, and factives, which presuppose their complement is true.
BOOSTING_KINDS = frozenset({"booster", "factive"})
# `assertive` counts for neither: strong assertives (`insisted`, `claimed`) commit the source, and in news
# prose they relay that commitment without the writer sharing it.


def certainty(hedges: Iterable[Hedge]) -> str:
    """Summary of a claim's markers: 'hedged', 'boosted', 'mixed' (both) or 'neutral' (neither)."""
    kinds = {h.kind for h in hedges}
    hedged = bool(kinds & HEDGING_KINDS)
    boosted = bool(kinds & BOOSTING_KINDS)
    if hedged and boosted:
        return "mixed"
    return "hedged" if hedged else "boosted" if boosted else "neutral"


def is_hedging(hedge: Hedge) -> bool:
    """True for markers that weaken or distance the claim (not boosters, factives or assertives)."""
    return hedge.kind in HEDGING_KINDS


class Claim(_Model):
    id: str
    text: str
    start: int
    end: int
    chain: list[ChainLink] = Field(description="Sources from the publisher (first) to the innermost.")
    attribution_id: str | None = None
    hedges: list[Hedge] = Field(default_factory=list)
    certainty: str = Field(
        "neutral",
        description="hedged | boosted | mixed | neutral: whether `hedges` weaken the claim, strengthen it, "
        "both or neither.",
    )
    checkworthiness: float | None = None

    def model_post_init(self, context: Any, /) -> None:
        # Derived from the hedges unless given (a report read back keeps what it says).
        if "certainty" not in self.model_fields_set:
            self.certainty = certainty(self.hedges)


class Profile(_Model):
    sources_by_type: dict[str, int]
    claims: int
    unattributed_share: float
    unnamed_innermost_share: float
    deepest_chain: int
    distinct_innermost_sources: int
    loaded_language_per_100_words: float = Field(
        0.0, ge=0.0, description="Spans labelled Loaded_Language per 100 words of the article."
    )
    technique_counts: dict[str, int] = Field(
        default_factory=dict, description="Propaganda-technique spans (`framing`) per technique."
    )


class FramingSpan(_Model):
    """A span using one of the 14 propaganda techniques of SemEval-2020 Task 11."""

    technique: str = Field(description="Technique, spelled as in the PTC corpus, e.g. Loaded_Language.")
    start: int = Field(description="Start offset into document.text.")
    end: int
    text: str
    score: float = Field(ge=0.0, le=1.0, description="Span confidence x technique probability.")


class HeadlineReason(StrEnum):
    """Why a headline that states a claim as fact overstates it (`../shared/ANNOTATION.md`, Headlines)."""

    UNNAMED_SOURCE = "unnamed_source"  # (a) the body's chain ends in anonymous, official_unnamed, collective
    LONG_CHAIN = "long_chain"  # (b) three or more hops below the publisher
    HEDGED_IN_BODY = "hedged_in_body"  # (c) the body hedges it: reportedly, allegedly, may


class HeadlineCheck(_Model):
    text: str | None
    matched_claim_ids: list[str] = Field(default_factory=list)
    similarity: float | None = None
    states_as_fact: bool = Field(
        False, description="The headline asserts its claim with no attribution cue, hedge or quotation marks."
    )
    overstated: bool = Field(
        False, description="States as fact a claim the body sources weakly: see `reasons` (one or more)."
    )
    reasons: list[HeadlineReason] = Field(
        default_factory=list,
        description="unnamed_source: the body's chain ends in an anonymous, unnamed official or collective "
        "source; long_chain: three or more hops below the publisher; hedged_in_body: the body hedges it.",
    )
    note: str | None = None
    chain: list[ChainLink] | None = None


class Provenance(_Model):
    tool_version: str
    pipeline: str
    pipeline_version: str
    model_hashes: dict[str, str]
    input_sha256: str
    fetched_at: str | None = None
    final_url: str | None = None
    repairs: list[str] = Field(
        default_factory=list, description="What was repaired in the input before analysis (document.repairs)."
    )


class Report(_Model):
    schema_version: str = SCHEMA_VERSION
    document: Document
    attributions: list[Attribution]
    sources: list[Source]
    claims: list[Claim]
    profile: Profile
    headline: HeadlineCheck
    provenance: Provenance
    framing: list[FramingSpan] = Field(
        default_factory=list, description="Propaganda-technique spans, in text order."
    )
    warnings: list[str] = Field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json")

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent)

    def source(self, source_id: str) -> Source:
        return next(s for s in self.sources if s.id == source_id)


def json_schema() -> dict[str, Any]:
    """The JSON Schema of a Report, as published in docs/report.schema.json."""
    schema = Report.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"https://sourcetrace.dev/schema/report-{SCHEMA_VERSION}.json"
    return schema
