"""Reading real files: each format, directories, stdin, and every kind of bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from sourcetrace.errors import InputError
from sourcetrace.ingest import iter_documents, read_path
from sourcetrace.schema import Document

ARTICLE = """Ferry fares to rise by a third

PORT ELLIS (Reuters) - Ferry fares across Port Ellis harbour will rise by a third from April, the \
regional transport authority said on Tuesday, blaming higher fuel costs.

"We held prices for four years, but we cannot absorb these costs any longer," said Dana Whitfield, \
the authority's chief executive.
"""

HTML = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Ferry fares to rise by a third | The Coastal Herald</title>
<meta property="og:site_name" content="The Coastal Herald">
<meta property="og:title" content="Ferry fares to rise by a third">
<meta name="author" content="Tomas Reyes">
<meta property="article:published_time" content="2024-03-05T08:00:00Z">
</head><body>
<nav><a href="/">Home</a> <a href="/news">News</a> <a href="/sport">Sport</a></nav>
<article>
<h1>Ferry fares to rise by a third</h1>
<p>PORT ELLIS (Reuters) - Ferry fares across Port Ellis harbour will rise by a third from April, the
regional transport authority said on Tuesday, blaming higher fuel costs.</p>
<p>"We held prices for four years, but we cannot absorb these costs any longer," said Dana Whitfield,
the authority's chief executive, in a statement.</p>
<p>Commuter groups said the increase would hit shift workers hardest. One nurse who takes the early
crossing told the Herald she would now drive instead.</p>
</article>
<footer>Subscribe to the Coastal Herald newsletter</footer>
</body></html>
"""

NO_ARTICLE_HTML = """<!DOCTYPE html><html><head><title>Menu</title></head>
<body><nav><a href="/">Home</a> <a href="/news">News</a></nav><footer>Contact us</footer></body></html>
"""

CP1252_TEXT = (
    "Caf\u00e9 owners in Brookhaven said the new \u201cparking r\u00e9gime\u201d \u2014 approved on "
    "Tuesday \u2014 would cost them \u00a35,000 a year."
)


def write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def only_error(items: list[Document | InputError]) -> InputError:
    assert len(items) == 1 and isinstance(items[0], InputError), items
    return items[0]


# --- formats --------------------------------------------------------------------------------------


def test_txt_file(tmp_path: Path) -> None:
    path = write(tmp_path / "ferry.txt", ARTICLE)
    [doc] = read_path(path)
    assert doc.title == "Ferry fares to rise by a third"
    assert doc.wire == "Reuters"
    assert doc.path == str(path)
    assert doc.language == "en"
    assert doc.text.startswith("PORT ELLIS (Reuters) - Ferry fares")
    assert doc.text.endswith("chief executive.")


def test_html_file_main_text_and_metadata(tmp_path: Path) -> None:
    [doc] = read_path(write(tmp_path / "ferry.html", HTML))
    assert doc.title == "Ferry fares to rise by a third"
    assert doc.outlet == "The Coastal Herald"
    assert doc.author == "Tomas Reyes"
    assert doc.published == "2024-03-05"
    assert doc.wire == "Reuters"
    assert doc.text.startswith("PORT ELLIS (Reuters) - Ferry fares")
    assert "Dana Whitfield" in doc.text
    # Boilerplate is not article text.
    assert "Subscribe" not in doc.text and "Sport" not in doc.text


def test_htm_with_declared_legacy_charset(tmp_path: Path) -> None:
    page = HTML.replace('<meta charset="utf-8">', '<meta charset="windows-1252">')
    page = page.replace("Dana Whitfield", "Dana Whitfield-Mu\u00f1oz")
    [doc] = read_path(write(tmp_path / "ferry.htm", page.encode("cp1252")))
    assert "Dana Whitfield-Mu\u00f1oz" in doc.text


def test_html_without_article_text(tmp_path: Path) -> None:
    path = write(tmp_path / "menu.html", NO_ARTICLE_HTML)
    error = only_error(list(iter_documents([str(path)])))
    assert str(error) == f"{path}: no article text found"


def test_json_single_object(tmp_path: Path) -> None:
    record = {
        "text": "Daily Ledger – The port authority said on Monday that fares would rise.",
        "title": "Fares to rise",
        "published": "2024-03-04",
        "url": "https://ledger.example/fares",
        "author": "Ana Silva",
        "ignored_key": 42,
    }
    path = write(tmp_path / "one.json", json.dumps(record))
    [doc] = read_path(path)
    assert (doc.title, doc.published, doc.url, doc.author) == (
        "Fares to rise",
        "2024-03-04",
        "https://ledger.example/fares",
        "Ana Silva",
    )
    assert doc.outlet == "Daily Ledger"  # from the dateline, metadata gave none
    assert doc.path == str(path)


def test_json_list_bad_records_do_not_stop_the_rest(tmp_path: Path) -> None:
    records = [
        {"text": "The harbour master said the pier would reopen in June.", "outlet": "Coastal Herald"},
        {"title": "No text here"},
        {"text": "   "},
        "not an object",
        {"text": "Officials said the ferry timetable would not change.", "title": 7},
        {"text": "Fishermen said catches had fallen for a third year."},
    ]
    path = write(tmp_path / "many.json", json.dumps(records))
    items = list(iter_documents([str(path)]))
    assert [type(i).__name__ for i in items] == [
        "Document",
        "InputError",
        "InputError",
        "InputError",
        "InputError",
        "Document",
    ]
    assert items[0].outlet == "Coastal Herald"
    assert items[1].source == f"{path}[1]" and "no 'text'" in str(items[1])
    assert items[2].source == f"{path}[2]"
    assert "not a JSON object" in str(items[3])
    assert "'title' must be a string" in str(items[4])
    assert items[5].path == f"{path}[5]"
    with pytest.raises(InputError, match=r"\[1\]: record has no 'text'"):
        read_path(path)  # the strict reader stops at the first bad record


@pytest.mark.parametrize(
    "content, message", [("{not json", "invalid JSON"), ("[]", "non-empty list"), ("3", "object")]
)
def test_json_whole_file_errors(tmp_path: Path, content: str, message: str) -> None:
    error = only_error(list(iter_documents([str(write(tmp_path / "bad.json", content))])))
    assert message in str(error)


def test_jsonl_records_labelled_by_line(tmp_path: Path) -> None:
    lines = [
        json.dumps(
            {"text": "The lighthouse will be repainted in May, the trust said.", "title": "Lighthouse"}
        ),
        "",
        "{broken",
        json.dumps({"outlet": "Coastal Herald"}),
        json.dumps({"text": "Volunteers said they had raised the money in six weeks."}),
    ]
    path = write(tmp_path / "batch.jsonl", "\n".join(lines) + "\n")
    items = list(iter_documents([str(path)]))
    assert [type(i).__name__ for i in items] == ["Document", "InputError", "InputError", "Document"]
    assert items[0].title == "Lighthouse" and items[0].path == f"{path}:1"
    assert items[1].source == f"{path}:3" and "invalid JSON" in str(items[1])
    assert items[2].source == f"{path}:4" and "no 'text'" in str(items[2])
    assert items[3].path == f"{path}:5"


def test_jsonl_size_cap_is_per_record(tmp_path: Path) -> None:
    small = json.dumps({"text": "The pier reopened on Friday, the council said."})
    big = json.dumps({"text": "Word " * 400})
    path = write(tmp_path / "batch.jsonl", f"{small}\n{big}\n{small}\n")
    items = list(iter_documents([str(path)], max_bytes=1000))
    assert [type(i).__name__ for i in items] == ["Document", "InputError", "Document"]
    assert items[1].source == f"{path}:2" and "size limit" in str(items[1])


def test_directory_recursive_sorted_supported_only(tmp_path: Path) -> None:
    write(tmp_path / "b.txt", "Second story.\n\nThe mayor said the bridge would reopen.")
    write(tmp_path / "a.txt", "First story.\n\nThe ferry operator said fares would rise.")
    write(tmp_path / "sub" / "c.json", json.dumps({"text": "The trust said the lighthouse would close."}))
    write(tmp_path / "sub" / "notes.md", "# not an article")
    write(tmp_path / "sub" / "photo.png", b"\x89PNG\r\n\x1a\n\x00\x00")
    write(tmp_path / ".cache" / "z.txt", "hidden")
    write(tmp_path / "A.TXT", "Upper-case extension.\n\nThe harbour master said the pier was safe.")
    docs = read_path(tmp_path)
    assert [Path(d.path).relative_to(tmp_path).as_posix() for d in docs] == [
        "A.TXT",
        "a.txt",
        "b.txt",
        "sub/c.json",
    ]


def test_empty_directory(tmp_path: Path) -> None:
    write(tmp_path / "readme.md", "nothing to see")
    error = only_error(list(iter_documents([str(tmp_path)])))
    assert "no supported files" in str(error)


def test_iter_documents_keeps_going_in_order(tmp_path: Path) -> None:
    good = write(tmp_path / "good.txt", ARTICLE)
    binary = write(tmp_path / "bad.txt", b"\x00\x01\x02binary")
    items = list(iter_documents([str(tmp_path / "missing.txt"), str(good), str(binary)]))
    assert [type(i).__name__ for i in items] == ["InputError", "Document", "InputError"]
    assert items[0].source == str(tmp_path / "missing.txt")
    assert items[2].source == str(binary)


# --- stdin (a real subprocess with real stdin) -----------------------------------------------------

_STDIN_SCRIPT = """
import json, sys
from sourcetrace.ingest import iter_documents
for item in iter_documents(["-"]):
    print(json.dumps(item.model_dump() if not isinstance(item, Exception) else {"error": str(item)}))
"""


def run_stdin(data: bytes) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", _STDIN_SCRIPT], input=data, capture_output=True, check=True, timeout=60
    )
    return json.loads(done.stdout)


def test_stdin_is_read_as_txt() -> None:
    doc = run_stdin(ARTICLE.encode("utf-8"))
    assert doc["title"] == "Ferry fares to rise by a third"
    assert doc["wire"] == "Reuters"


def test_stdin_bytes_are_decoded_like_files() -> None:
    assert run_stdin(CP1252_TEXT.encode("cp1252"))["text"] == CP1252_TEXT


def test_stdin_empty() -> None:
    assert run_stdin(b"") == {"error": "<stdin>: input is empty"}


# --- encodings ------------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["cp1252", "latin-1", "utf-8-sig", "utf-16"])
def test_legacy_and_bom_encodings_decode(tmp_path: Path, encoding: str) -> None:
    text = (
        CP1252_TEXT
        if encoding != "latin-1"
        else "Caf\u00e9 owners in Brookhaven said the r\u00e9gime was na\u00efve."
    )
    [doc] = read_path(write(tmp_path / "legacy.txt", text.encode(encoding)))
    assert doc.text == text


def test_cyrillic_legacy_encoding_decodes(tmp_path: Path) -> None:
    text = "Городской совет во вторник проголосовал за закрытие двух библиотек, сообщили чиновники в среду."
    [doc] = read_path(write(tmp_path / "ru.txt", text.encode("cp1251")))
    assert doc.text == text
    assert doc.language == "ru"  # py3langid knows Russian


# --- bad input ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("empty.txt", b"", "input is empty"),
        ("blank.txt", b"  \n\n\t ", "input is empty"),
        ("nul.txt", b"GIF89a\x01\x00\x01\x00\x00\xff\xff", "binary (contains NUL bytes)"),
        ("controls.txt", bytes(range(1, 9)) * 40 + b"some text", "binary (mostly non-text"),
        ("noise.txt", bytes((i * 151 + 7) % 255 + 1 for i in range(3000)), "not valid UTF-8"),
        ("empty.html", b"", "input is empty"),
        ("empty.json", b"", "input is empty"),
        ("empty.jsonl", b"\n\n", "input is empty"),
        ("notes.md", b"# Notes", "unsupported file type '.md'"),
        ("README", b"plain", "unsupported file type (no extension)"),
    ],
)
def test_bad_file(tmp_path: Path, name: str, content: bytes, message: str) -> None:
    path = write(tmp_path / name, content)
    error = only_error(list(iter_documents([str(path)])))
    assert error.source == str(path)
    assert message in str(error)
    assert "\n" not in str(error)
    with pytest.raises(InputError):
        read_path(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file or directory"):
        read_path(tmp_path / "nowhere.txt")


def test_size_cap(tmp_path: Path) -> None:
    path = write(tmp_path / "long.txt", "The council met again. " * 100)
    assert read_path(path, max_bytes=10_000)
    error = only_error(list(iter_documents([str(path)], max_bytes=1_000)))
    assert "over the size limit of 1,000 bytes" in str(error)


def test_size_cap_on_json(tmp_path: Path) -> None:
    path = write(tmp_path / "big.json", json.dumps({"text": "The council met again. " * 100}))
    error = only_error(list(iter_documents([str(path)], max_bytes=1_000)))
    assert "size limit" in str(error)


def test_double_encoded_utf8_is_repaired_not_refused(tmp_path) -> None:
    """UTF-8 decoded as Windows-1252 and saved again upstream (mojibake): repaired, analysed, recorded."""
    import sourcetrace
    from sourcetrace.ingest import iter_documents

    clean = (
        "Ferry fares to rise\n\nThe harbour board said fares would rise by a \u201cmodest\u201d amount. "
        "The board\u2019s chair, Ada Quist, said the change was overdue."
    )
    garbled = clean.encode("utf-8").decode("latin-1")  # every curly quote becomes three odd characters
    path = tmp_path / "mojibake.txt"
    path.write_text(garbled, encoding="utf-8")
    (document,) = list(iter_documents([str(path)]))
    assert "\u201cmodest\u201d" in document.text and "\u00e2" not in document.text
    assert document.repairs and "ftfy" in document.repairs[0]
    report = sourcetrace.analyze(path)
    assert report.provenance.repairs == document.repairs
    assert any(s.name == "Ada Quist" for s in report.sources)
