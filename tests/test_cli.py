"""The `sourcetrace` command line, driven through typer's runner with the real analyzer and ingest.

Every article here is invented. URLs are served by a real HTTP server on 127.0.0.1.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import Result
from typer.testing import CliRunner

from sourcetrace import __version__
from sourcetrace.cli import app
from sourcetrace.schema import json_schema

REPO = Path(__file__).resolve().parents[1]
POLNEAR_DEV = REPO.parent / "shared" / "data" / "polnear" / "dev"

ARTICLE = """\
Council delays vote on Millbrook tram extension

LANDON (Reuters) - The city council postponed Tuesday's vote on the Millbrook tram extension, \
a spokeswoman for the council said, after engineers warned that the budget could rise by a third.
"We will not sign a blank cheque," councillor Priya Natarajan told reporters outside the chamber.
According to a draft report seen by the Landon Courier, the line may not open before 2029.
"""

SECOND = """\
Library fines abolished in Westerfield

Westerfield's libraries will stop charging late fees from June, the county librarian, Omar Haddad, said on \
Friday. Officials said the fines had cost more to collect than they raised.
"""

GERMAN = """\
Stadtrat vertagt Abstimmung über die Straßenbahn

Der Stadtrat hat die Abstimmung über die Verlängerung der Straßenbahn vertagt, sagte eine Sprecherin am \
Dienstag. Die Ingenieure hatten gewarnt, dass die Kosten um ein Drittel steigen könnten, und die \
Fraktionen wollen nun einen neuen Bericht abwarten.
"""

HTML = """<!doctype html>
<html><head><meta charset="utf-8"><title>Harbour ferry fares to rise | The Quay Herald</title>
<meta property="og:site_name" content="The Quay Herald"></head>
<body><header><nav>Home | News | Sport</nav></header>
<article><h1>Harbour ferry fares to rise</h1>
<p>Ferry fares across Quay Harbour will rise by 12 percent in April, the transport authority said in a \
statement on Wednesday, blaming higher fuel costs.</p>
<p>"Nobody likes a fare rise, but the alternative was cutting the night crossings," said Lena Morrow, \
the authority's chief executive. Commuter groups said they would challenge the decision.</p>
<p>A union official, who asked not to be named, said crews had not been consulted about the timetable.</p>
</article><footer>Copyright The Quay Herald</footer></body></html>
"""


@pytest.fixture(scope="module")
def runner() -> CliRunner:
    return CliRunner()


def invoke(runner: CliRunner, *args: str, stdin: str | None = None) -> Result:
    result = runner.invoke(app, list(args), input=stdin)
    # A user error must end in SystemExit (typer.Exit); anything else is a crash the user would see.
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def error_lines(result: Result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("error:")]


@pytest.fixture()
def article(tmp_path: Path) -> Path:
    path = tmp_path / "tram.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    return path


@pytest.fixture()
def second(tmp_path: Path) -> Path:
    path = tmp_path / "library.txt"
    path.write_text(SECOND, encoding="utf-8")
    return path


# ------------------------------------------------------------------------------- no analyzer needed


def test_version(runner: CliRunner) -> None:
    result = invoke(runner, "--version")
    assert result.exit_code == 0
    lines = result.stdout.strip().splitlines()
    assert lines[0] == f"sourcetrace {__version__}"
    # Which optional models run, each part once, the environment variable named where one decides.
    parts = [line.split(":")[0].strip() for line in lines[1:]]
    assert parts == ["claim matching", "check-worthiness", "framing"]
    # One rule for all three: each names its environment variable.
    assert "SOURCETRACE_MATCHING" in lines[1]
    assert "SOURCETRACE_CHECKWORTHINESS" in lines[2] and "SOURCETRACE_FRAMING" in lines[3]


def test_help_teaches_with_examples(runner: CliRunner) -> None:
    result = invoke(runner, "--help")
    assert result.exit_code == 0
    assert "Examples" in result.stdout
    assert "sourcetrace analyze story.txt" in result.stdout
    analyze_help = invoke(runner, "analyze", "--help").stdout
    for option in ("--format", "--model", "--max-bytes", "--outlet", "--title", "--published", "--output"):
        assert option in analyze_help
    assert "Exit status" in analyze_help
    assert "SOURCETRACE_FRAMING=semantic" in analyze_help  # the opt-in slower models are discoverable


def test_schema_command_prints_the_report_schema(runner: CliRunner) -> None:
    result = invoke(runner, "schema")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == json_schema()


def test_unknown_format_is_a_usage_error(runner: CliRunner, article: Path) -> None:
    result = invoke(runner, "analyze", str(article), "--format", "yaml")
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_eval_on_a_missing_directory(runner: CliRunner, tmp_path: Path) -> None:
    for kind in ("polnear", "chains"):
        result = invoke(runner, "eval", kind, str(tmp_path / "nowhere"))
        assert result.exit_code == 2
        assert error_lines(result) and "no such directory" in error_lines(result)[0]


# ------------------------------------------------------------------------------------- input errors


def test_missing_file_is_one_red_line_and_exit_2(runner: CliRunner, tmp_path: Path) -> None:
    missing = tmp_path / "no-such-article.txt"
    result = invoke(runner, "analyze", str(missing))
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"error: {missing}")
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("empty.txt", b""),
        ("blank.txt", b"  \n\n \t\n"),
        ("image.txt", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8),
    ],
)
def test_unusable_file_exits_2(runner: CliRunner, tmp_path: Path, name: str, content: bytes) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    result = invoke(runner, "analyze", str(path))
    assert result.exit_code == 2
    assert len(error_lines(result)) == 1
    assert name in error_lines(result)[0]
    assert "Traceback" not in result.stderr


def test_max_bytes_refuses_large_input(runner: CliRunner, article: Path) -> None:
    result = invoke(runner, "analyze", str(article), "--max-bytes", "100")
    assert result.exit_code == 2
    assert len(error_lines(result)) == 1
    assert str(article) in error_lines(result)[0]


def test_batch_reports_each_bad_input_and_exits_1(
    runner: CliRunner, article: Path, second: Path, tmp_path: Path
) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("", encoding="utf-8")
    missing = tmp_path / "missing.txt"
    inputs = [str(empty), str(article), str(missing), str(second)]
    result = invoke(runner, "analyze", *inputs, "--format", "jsonl")
    assert result.exit_code == 1
    reports = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(reports) == 2
    assert [r["document"]["title"] for r in reports] == [
        "Council delays vote on Millbrook tram extension",
        "Library fines abolished in Westerfield",
    ]
    errors = error_lines(result)
    assert len(errors) == 2
    assert str(empty) in errors[0] and str(missing) in errors[1]
    assert "2 of 4 inputs failed" in result.stderr
    assert "Traceback" not in result.stderr


def test_unknown_model_is_explained(runner: CliRunner, article: Path) -> None:
    result = invoke(runner, "analyze", str(article), "--model", "xx_no_such_pipeline")
    assert result.exit_code == 2
    errors = error_lines(result)
    assert len(errors) == 1
    assert "xx_no_such_pipeline" in errors[0]
    assert "Traceback" not in result.stderr


def test_subprocess_entry_point_has_no_traceback(tmp_path: Path) -> None:
    # The installed console script, as a user runs it: real stderr, real exit status.
    missing = tmp_path / "gone.txt"
    proc = subprocess.run(
        [*_console_script(), "analyze", str(missing)], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.strip().startswith(f"error: {missing}")
    assert len(proc.stderr.strip().splitlines()) == 1


def _console_script() -> list[str]:
    script = Path(sys.executable).with_name("sourcetrace")
    return [str(script)] if script.exists() else [sys.executable, "-m", "sourcetrace.cli"]


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_progress_bar_on_a_terminal_keeps_stdout_clean(article: Path, second: Path) -> None:
    import os
    import pty

    controller, terminal = pty.openpty()
    try:
        proc = subprocess.run(
            [*_console_script(), "analyze", str(article), str(second), "--format", "jsonl"],
            stdout=subprocess.PIPE, stderr=terminal, timeout=300, env={**os.environ, "COLUMNS": "100"},
        )
        os.close(terminal)
        terminal = -1
        chunks = []
        while True:
            try:
                chunk = os.read(controller, 65536)
            except OSError:  # EIO: the terminal side is closed and drained
                break
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        if terminal >= 0:
            os.close(terminal)
        os.close(controller)
    shown = b"".join(chunks).decode("utf-8", "replace")
    assert proc.returncode == 0
    assert "analysing" in shown and "2/2" in shown
    lines = proc.stdout.decode("utf-8").splitlines()
    assert len(lines) == 2 and all(json.loads(line)["schema_version"] for line in lines)


# ----------------------------------------------------------------------------------- real analysis


def test_text_report(runner: CliRunner, article: Path) -> None:
    result = invoke(runner, "analyze", str(article))
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "Council delays vote on Millbrook tram extension" in out
    assert "Sourcing" in out
    assert "Priya Natarajan" in out
    assert "Reuters" in out
    assert "\x1b[" not in out  # not a terminal: plain text


def test_text_reports_in_a_batch_are_separated_by_named_rules(
    runner: CliRunner, article: Path, second: Path
) -> None:
    result = invoke(runner, "analyze", str(article), str(second))
    assert result.exit_code == 0, result.stderr
    rules = [line for line in result.stdout.splitlines() if line.startswith("─") and ".txt" in line]
    assert len(rules) == 2
    assert "tram.txt" in rules[0] and "library.txt" in rules[1]


def test_json_for_one_input_is_one_object(runner: CliRunner, article: Path) -> None:
    result = invoke(runner, "analyze", str(article), "--format", "json")
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert isinstance(report, dict)
    assert report["document"]["wire"] == "Reuters"
    assert report["document"]["path"].endswith("tram.txt")
    names = {s["name"] for s in report["sources"]}
    assert any("Natarajan" in name for name in names)


def test_json_for_several_inputs_is_an_array(runner: CliRunner, article: Path, second: Path) -> None:
    result = invoke(runner, "analyze", str(article), str(second), "--format", "json")
    assert result.exit_code == 0, result.stderr
    reports = json.loads(result.stdout)
    assert isinstance(reports, list) and len(reports) == 2
    assert reports[1]["document"]["title"] == "Library fines abolished in Westerfield"


def test_directory_input(runner: CliRunner, article: Path, second: Path) -> None:
    result = invoke(runner, "analyze", str(article.parent), "--format", "json")
    assert result.exit_code == 0, result.stderr
    titles = sorted(r["document"]["title"] for r in json.loads(result.stdout))
    assert titles == [
        "Council delays vote on Millbrook tram extension",
        "Library fines abolished in Westerfield",
    ]


def test_stdin(runner: CliRunner) -> None:
    result = invoke(runner, "analyze", "-", "--format", "json", stdin=SECOND)
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["document"]["title"] == "Library fines abolished in Westerfield"
    assert any("Haddad" in s["name"] for s in report["sources"])


def test_metadata_overrides(runner: CliRunner, second: Path) -> None:
    result = invoke(
        runner, "analyze", str(second), "--format", "json",
        "--outlet", "The Westerfield Echo", "--published", "2024-05-03", "--title", "Late fees scrapped",
    )
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)["document"]
    assert document["outlet"] == "The Westerfield Echo"
    assert document["published"] == "2024-05-03"
    assert document["title"] == "Late fees scrapped"


def test_output_file(runner: CliRunner, article: Path, second: Path, tmp_path: Path) -> None:
    target = tmp_path / "out" / "reports.jsonl"
    target.parent.mkdir()
    result = invoke(runner, "analyze", str(article), str(second), "-f", "jsonl", "--output", str(target))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    lines = target.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2 and all(json.loads(line)["schema_version"] for line in lines)


def test_unwritable_output_is_one_line(runner: CliRunner, article: Path, tmp_path: Path) -> None:
    target = tmp_path / "no-such-dir" / "out.json"
    result = invoke(runner, "analyze", str(article), "-f", "json", "-o", str(target))
    assert result.exit_code == 2
    errors = error_lines(result)
    assert len(errors) == 1 and str(target) in errors[0] and "cannot write" in errors[0]


def test_text_output_file_is_plain(runner: CliRunner, article: Path, tmp_path: Path) -> None:
    target = tmp_path / "report.txt"
    result = invoke(runner, "analyze", str(article), "-o", str(target))
    assert result.exit_code == 0, result.stderr
    text = target.read_text(encoding="utf-8")
    assert "Millbrook" in text and "\x1b[" not in text


def test_non_english_input_warns_but_runs(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "strassenbahn.txt"
    path.write_text(GERMAN, encoding="utf-8")
    result = invoke(runner, "analyze", str(path), "--format", "json")
    assert result.exit_code == 0
    assert "warning:" in result.stderr and "'de'" in result.stderr
    assert json.loads(result.stdout)["document"]["language"] == "de"


# --------------------------------------------------------------------------------------------- URLs


class _ArticleHandler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        if self.path == "/news/ferry-fares":
            body = HTML.encode("utf-8")
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        else:
            self.send_error(404, "Not Found")

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - quiet test output
        pass


@pytest.fixture()
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _ArticleHandler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_loopback_url_is_refused_by_default(runner: CliRunner, server: str) -> None:
    # The CLI must not become a proxy into the machine it runs on.
    url = f"{server}/news/ferry-fares"
    result = invoke(runner, "analyze", url)
    assert result.exit_code == 2
    errors = error_lines(result)
    assert len(errors) == 1 and url in errors[0] and "loopback" in errors[0]


def test_url_is_fetched_and_analysed(runner: CliRunner, server: str) -> None:
    url = f"{server}/news/ferry-fares"
    result = invoke(runner, "analyze", url, "--format", "json", "--allow-loopback")
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["document"]["url"] == url
    assert report["document"]["title"] == "Harbour ferry fares to rise"
    assert "Copyright" not in report["document"]["text"]  # boilerplate stripped
    assert any("Morrow" in s["name"] for s in report["sources"])


def test_url_not_found_is_one_line(runner: CliRunner, server: str) -> None:
    url = f"{server}/news/missing"
    result = invoke(runner, "analyze", url, "--allow-loopback")
    assert result.exit_code == 2
    errors = error_lines(result)
    assert len(errors) == 1 and url in errors[0] and "404" in errors[0]


def test_unreachable_url_is_one_line(runner: CliRunner) -> None:
    with socket.socket() as sock:  # a port nobody listens on: bind, note it, close
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}/story"
    result = invoke(runner, "analyze", url, "--allow-loopback")
    assert result.exit_code == 2
    assert len(error_lines(result)) == 1 and url in error_lines(result)[0]
    assert "Traceback" not in result.stderr


# --------------------------------------------------------------------------------------------- eval


def test_eval_chains_prints_scores(runner: CliRunner) -> None:
    result = invoke(runner, "eval", "chains", str(REPO / "tests" / "gold" / "chains"), "--details")
    assert result.exit_code == 0, result.stderr
    assert "Chain scores" in result.stdout
    assert "exact chain match" in result.stdout


def test_eval_chains_reports_a_malformed_gold_file(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "broken.json").write_text('{"id": "broken", "text": "Headline\n\nBody.", "claims": [{}]}',
                                          encoding="utf-8")
    result = invoke(runner, "eval", "chains", str(tmp_path))
    assert result.exit_code == 2
    assert len(error_lines(result)) == 1
    assert "Traceback" not in result.stderr


@pytest.mark.skipif(not POLNEAR_DEV.is_dir(), reason="PolNeAR dev split not at ../shared/data/polnear/dev")
def test_eval_polnear_prints_scores(runner: CliRunner) -> None:
    result = invoke(runner, "eval", "polnear", str(POLNEAR_DEV), "--limit", "2", "--no-baseline")
    assert result.exit_code == 0, result.stderr
    assert "sourcetrace" in result.stdout and "tagger only" in result.stdout
    assert "textacy" not in result.stdout


def _checkthat_folder(root: Path) -> Path:
    """An invented folder in CheckThat! 2024's layout: the command's behaviour, not its dev score."""
    worthy = [
        "Unemployment fell to {n} percent last year, the lowest in a decade.",
        "The new bridge cost {n} million dollars, twice the first estimate.",
        "Crime in the city rose by {n} percent since the law was passed.",
    ]
    chatter = ["Thank you all for coming tonight, number {n}.", "I am glad to be here with you {n} times.",
               "Let me say hello to everyone watching, {n}."]
    def rows(count: int, start: int) -> str:
        lines = ["Sentence_id\tText\tclass_label"]
        for k in range(count):
            template, label = (worthy, "Yes") if k % 2 else (chatter, "No")
            lines.append(f"{start + k}\t{template[k % 3].format(n=k + 1)}\t{label}")
        return "\n".join(lines) + "\n"

    (root / "CT24_checkworthy_english_train.tsv").write_text(rows(60, 1), encoding="utf-8")
    (root / "CT24_checkworthy_english_dev.tsv").write_text(rows(12, 1000), encoding="utf-8")
    return root


def test_eval_checkworthiness_prints_model_and_baseline(runner: CliRunner, tmp_path: Path) -> None:
    result = invoke(runner, "eval", "checkworthiness", str(_checkthat_folder(tmp_path)))
    assert result.exit_code == 0, result.stderr
    assert "model" in result.stdout and "baseline" in result.stdout
    assert "12 sentences" in result.stdout and "6" in result.stdout


def test_eval_checkworthiness_missing_folder_is_one_line(runner: CliRunner, tmp_path: Path) -> None:
    result = invoke(runner, "eval", "checkworthiness", str(tmp_path / "nowhere"))
    assert result.exit_code == 2
    assert "no such directory" in result.stderr
