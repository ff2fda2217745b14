"""Arbitrary input must never crash sourcetrace: `analyze` returns a valid Report or raises InputError with
one readable line, and the HTTP API answers every request without a 500.

The unit suite runs a short sample of each property. `make fuzz` runs them with SOURCETRACE_FUZZ_EXAMPLES
(10,000 in CI, split over the properties) once.

The generators mix what real scraped input carries and what Hypothesis's default `st.text()` never makes:
random bytes, text in legacy encodings, UTF-8 read as Windows-1252 (mojibake), control characters, lone
UTF-16 surrogates, very long lines of quote marks and speech verbs with no sentence end, HTML fragments,
empty and whitespace-only input.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import sourcetrace
from sourcetrace.errors import InputError
from sourcetrace.schema import Report
from sourcetrace.web import WebSettings, create_app

#: Total generated inputs over the properties below; a short sample unless `make fuzz` asks for more.
TOTAL_EXAMPLES = int(os.environ.get("SOURCETRACE_FUZZ_EXAMPLES", "240"))
#: The properties share the total: analysing text, analysing files (bytes), and the two API routes.
PER_PROPERTY = max(10, TOTAL_EXAMPLES // 4)

# News-shaped pieces, so the attribution code paths are exercised and not only the tokenizer.
NEWS_BITS = st.sampled_from([
    '"', "“", "”", "'", "‘", "’", " said ", " told ", " according to ", ", officials said.",
    "(Reuters) - ", "LONDON — ", "\n\n", "\n", " the minister ", " sources ", " reportedly ",
    " may ", ". ", ",", " — ", "«", "»", "\u200b", "\ufeff", "\r\n", "\t", " claimed ", " Ms. Quist ",
])
HTML_BITS = st.sampled_from([
    "<p>", "</p>", "<html><head><title>T</title></head><body>", "</body></html>", "<script>x=1</script>",
    "<div class='a'>", "</div>", "<br>", "&amp;", "&#xD800;", "&nbsp;", "<!-- c -->", "<![CDATA[x]]>",
    "<meta charset='cp1251'>", "<article><h1>Headline</h1>", "</article>",
])
LONE_SURROGATES = st.integers(0xD800, 0xDFFF).map(chr)
CONTROLS = st.integers(0, 0x1F).map(chr) | st.integers(0x7F, 0x9F).map(chr)
SPEECH_LINE = st.tuples(st.integers(200, 4000), st.integers(0, 10**6)).map(
    # One long "sentence": quote marks and speech verbs, no full stop (bounded candidates keep it linear).
    lambda n_seed: "".join(('"', " said ", " told ", " officials ", " word ")[(n_seed[1] + i * 7) % 5]
                           for i in range(n_seed[0]))
)
PIECES = st.one_of(
    st.text(max_size=40), NEWS_BITS, HTML_BITS, LONE_SURROGATES, CONTROLS, st.just(" "), st.just("\n")
)
TEXTS = st.one_of(
    st.lists(PIECES, max_size=30).map("".join),
    st.text(alphabet=st.sampled_from(" \t\n\r\x0b\x0c\u00a0\u2028"), max_size=20),  # whitespace only
    SPEECH_LINE,
    st.lists(NEWS_BITS, min_size=1, max_size=20).map(lambda p: "".join(p) + " " + "\ud83d"),
)
ENCODINGS = st.sampled_from(["utf-8", "cp1252", "latin-1", "cp1251", "utf-16", "utf-8-sig", "shift_jis"])
BYTES = st.one_of(
    st.binary(max_size=400),
    st.tuples(TEXTS, ENCODINGS).map(lambda te: te[0].encode(te[1], errors="replace")),
    # UTF-8 read as Windows-1252 and written back as UTF-8: the mojibake of scraped news.
    TEXTS.map(lambda t: t.encode("utf-8", "replace").decode("cp1252", "replace").encode("utf-8", "replace")),
)
SUFFIXES = st.sampled_from([".txt", ".html", ".json", ".jsonl"])


def _check_report(report: Report) -> None:
    body = report.document.text
    for claim in report.claims:
        assert body[claim.start:claim.end] == claim.text
    for attribution in report.attributions:
        for span in (attribution.cue, attribution.source, attribution.content):
            if span.start is not None and span.end is not None:
                assert body[span.start:span.end] == span.text
    # The JSON form must always be producible, and as UTF-8.
    encoded = report.to_json().encode("utf-8")
    assert Report.model_validate_json(encoded).document.text == body


def _check_refusal(error: InputError) -> None:
    message = str(error)
    assert message.strip() and "\n" not in message and "Traceback" not in message


@settings(max_examples=PER_PROPERTY, deadline=None, suppress_health_check=list(HealthCheck))
@given(TEXTS)
@example("ACCORDinG TO 000")  # found by this test: 'according to' followed by no source tokens
@example("The mayor said \udc80 the bridge would close, officials said.")
@example("\ud800 Headline\n\nBody text that the minister said was true.")
def test_arbitrary_text_never_crashes(text: str) -> None:
    try:
        report = sourcetrace.analyze(text)
    except InputError as error:
        _check_refusal(error)  # empty / whitespace-only / no article text: a user error, one line
        return
    _check_report(report)


@settings(max_examples=PER_PROPERTY, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=BYTES, suffix=SUFFIXES)
@example(data=b'{"text": "The mayor said \\udc80 it would close.", "title": "\\ud800"}', suffix=".json")
def test_arbitrary_files_never_crash(
    tmp_path_factory: pytest.TempPathFactory, data: bytes, suffix: str
) -> None:
    path: Path = tmp_path_factory.mktemp("fuzz") / f"input{suffix}"
    path.write_bytes(data)
    try:
        report = sourcetrace.analyze(path)
    except InputError as error:
        _check_refusal(error)
        return
    _check_report(report)


@pytest.fixture(scope="module")
def api() -> Iterator[TestClient]:
    # The real app in process, lifespan included (the rate limit off: this client sends thousands).
    app = create_app(WebSettings(rate_limit=0, refuse_fetch=True))
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def _check_answer(response) -> None:  # noqa: ANN001 - httpx.Response
    assert response.status_code < 500, response.text[:300]
    payload = json.loads(response.content.decode("utf-8"))  # strict UTF-8, valid JSON
    if response.status_code != 200:
        detail = payload["detail"]
        text = detail if isinstance(detail, str) else json.dumps(detail)
        assert text.strip() and "Traceback" not in text


@settings(max_examples=PER_PROPERTY, deadline=None, suppress_health_check=list(HealthCheck))
@given(text=TEXTS, field=st.sampled_from(["text", "html"]), title=st.none() | TEXTS)
def test_api_answers_arbitrary_json_without_500(api: TestClient, text: str, field: str, title) -> None:  # noqa: ANN001
    # json.dumps escapes lone surrogates as \udXXX, exactly what a client in another language may send.
    body = json.dumps({field: text, **({"title": title[:500]} if title is not None else {})})
    response = api.post("/api/analyze", content=body, headers={"content-type": "application/json"})
    _check_answer(response)


@settings(max_examples=PER_PROPERTY, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=BYTES, suffix=SUFFIXES, name=st.text(max_size=30))
def test_api_answers_arbitrary_uploads_without_500(
    api: TestClient, data: bytes, suffix: str, name: str
) -> None:
    files = {"file": ((name or "upload") + suffix, data, "application/octet-stream")}
    _check_answer(api.post("/api/analyze/file", files=files))
