"""The `sourcetrace` command line: analyse articles, score against gold data, print the JSON Schema.

User mistakes (bad input, missing model) end in one red `error:` line on stderr, never a traceback.
Heavy imports (spaCy, the analyzer, ingest) happen inside the commands so `--help` and `--version` are
instant and a broken optional part cannot stop the rest of the CLI from starting.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TextIO

import typer
from rich.console import Console
from rich.markup import escape

from sourcetrace.errors import InputError, ModelError
from sourcetrace.ingest.dates import iso_published
from sourcetrace.terminal import (
    EXIT_OK,
    EXIT_PARTIAL,
    EXIT_USAGE,
    error_line,
    fail,
    load_analyzer,
    stderr_console,
    warning_line,
)
from sourcetrace.version import __version__

if TYPE_CHECKING:
    from sourcetrace.schema import Document, Report

app = typer.Typer(
    name="sourcetrace",
    help=(
        "Take a news article apart like a fact-checker: who asserts each claim, through which chain "
        "of intermediaries, on what evidence.\n\n"
        "[bold]Examples[/bold]\n"
        "  [cyan]sourcetrace analyze story.txt[/cyan]                      [dim]# readable report[/dim]\n"
        "  [cyan]sourcetrace analyze https://example.org/a -f json[/cyan]  [dim]# a web page, as JSON[/dim]\n"
        "  [cyan]cat story.txt | sourcetrace analyze -[/cyan]              [dim]# read stdin[/dim]\n"
        "  [cyan]sourcetrace analyze news/ -f jsonl -o out.jsonl[/cyan]    [dim]# folder, JSON lines[/dim]\n"
        "  [cyan]sourcetrace eval polnear ../shared/data/polnear/dev --limit 20[/cyan]\n"
        "  [cyan]sourcetrace schema > report.schema.json[/cyan]\n\n"
        "Run [cyan]sourcetrace COMMAND --help[/cyan] for the options of each command."
    ),
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
)
eval_app = typer.Typer(
    help="Score sourcetrace against gold annotations and print a scores table.",
    no_args_is_help=True,
    rich_markup_mode="rich",
)
app.add_typer(eval_app, name="eval")

from sourcetrace.corpus.commands import corpus_app  # noqa: E402 - light: typer only
from sourcetrace.corpus.query_commands import register as _register_corpus_queries  # noqa: E402

_register_corpus_queries(corpus_app)
app.add_typer(corpus_app, name="corpus")

from sourcetrace.web.commands import SERVE_EPILOG  # noqa: E402 - light: typer only
from sourcetrace.web.commands import serve as _serve  # noqa: E402

app.command("serve", epilog=SERVE_EPILOG)(_serve)


class OutputFormat(StrEnum):
    TEXT = "text"
    JSON = "json"
    JSONL = "jsonl"


def _version_callback(value: bool) -> None:
    if value:
        from sourcetrace.encoders.minilm import model_settings

        typer.echo(f"sourcetrace {__version__}")
        for part, setting in model_settings():
            typer.echo(f"  {part}: {setting}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool,
        typer.Option("--version", "-V", help="Print the version, which optional models run, and exit.",
                     is_eager=True, callback=_version_callback),
    ] = False,
) -> None:
    """sourcetrace command line."""


# --------------------------------------------------------------------------------------------- analyze


@dataclass
class _Tally:
    """What happened to the inputs, so the exit code can be decided at the end of a batch."""

    documents: int = 0
    errors: list[str] = field(default_factory=list)


def _describe_error(spec: str, error: InputError) -> str:
    # InputError renders as "<source>: <message>" when ingest knew the source (e.g. a file inside a
    # directory); otherwise the spec the user typed is the most useful name for it.
    return str(error) if error.source else f"{spec}: {error}"


def _apply_overrides(document: Document, overrides: dict[str, str | None]) -> Document:
    update = {key: value for key, value in overrides.items() if value is not None}
    return document.with_meta(**update)


def _documents(
    specs: Sequence[str],
    *,
    max_bytes: int,
    overrides: dict[str, str | None],
    tally: _Tally,
    allow_loopback: bool = False,
) -> Iterator[Document]:
    """Good documents from all inputs, in order; bad ones are reported on stderr and skipped."""
    from sourcetrace.ingest import Fetcher, iter_documents
    from sourcetrace.ingest.lang import language_warning

    # One fetcher for the batch; it refuses private and loopback addresses unless told otherwise.
    fetcher = Fetcher(allow_loopback=allow_loopback, max_text_bytes=max_bytes)
    for spec in specs:
        # One spec at a time so each error can be pinned to what the user typed.
        for item in iter_documents([spec], max_bytes=max_bytes, fetcher=fetcher):
            if isinstance(item, InputError):
                message = _describe_error(spec, item)
                tally.errors.append(message)
                error_line(message)
                continue
            tally.documents += 1
            document = _apply_overrides(item, overrides)
            warning = language_warning(document.language)
            if warning:
                # The report carries the same warning (`warnings`); stderr says it before the wait.
                warning_line(f"{document.path or document.url or spec}: {warning}")
            yield document


class _Writer:
    """Writes reports in the chosen format to stdout or a file."""

    def __init__(self, fmt: OutputFormat, out: TextIO | None, as_array: bool) -> None:
        self.fmt = fmt
        self.as_array = as_array
        self._out = out
        self._collected: list[dict[str, Any]] = []
        self._count = 0
        if fmt is OutputFormat.TEXT:
            # A file gets plain text; the terminal gets colour. file=None keeps rich writing to the
            # *current* sys.stdout (the test runner swaps it).
            self._console = (
                Console(file=out, width=110, color_system=None, force_terminal=False, soft_wrap=False)
                if out is not None
                else Console()
            )

    def _stream(self) -> TextIO:
        return self._out if self._out is not None else sys.stdout

    def write(self, report: Report) -> None:
        if self.fmt is OutputFormat.TEXT:
            from sourcetrace.report.text import render

            if self.as_array:
                # In a batch, a rule naming each article keeps the reports apart.
                document = report.document
                name = document.path or document.final_url or document.url or document.title or "stdin"
                if self._count:
                    self._console.print()
                self._console.rule(escape(name), style="bright_black")
            render(report, self._console)
        elif self.fmt is OutputFormat.JSONL:
            self._stream().write(report.to_json(indent=None) + "\n")
            self._stream().flush()
        else:
            self._collected.append(report.to_dict())
        self._count += 1

    def close(self) -> None:
        if self.fmt is not OutputFormat.JSON:
            return
        if not self._collected and not self.as_array:
            return  # the single input failed; its error is the whole output
        payload: Any = self._collected if (self.as_array or len(self._collected) != 1) else self._collected[0]
        self._stream().write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")


def _open_output(path: Path) -> TextIO:
    try:
        return path.open("w", encoding="utf-8")
    except OSError as exc:
        fail(f"{path}: cannot write: {exc.strerror or exc}")


def _is_batch(specs: Sequence[str]) -> bool:
    return len(specs) > 1 or any(spec != "-" and Path(spec).is_dir() for spec in specs)


def _with_progress(reports: Iterator[Report], total: int | None) -> Iterator[Report]:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TimeElapsedColumn

    with Progress(
        SpinnerColumn(), "[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
        TimeElapsedColumn(), console=Console(stderr=True), transient=True,
        # Reports go to the real stdout (a file or pipe here), never into the bar's stream.
        redirect_stdout=False, redirect_stderr=False,
    ) as progress:
        task = progress.add_task("analysing", total=total)
        for report in reports:
            yield report
            progress.advance(task)


@app.command(
    epilog=(
        "[bold]Examples[/bold]\n"
        "  [cyan]sourcetrace analyze story.txt[/cyan]\n"
        "  [cyan]sourcetrace analyze story.txt --format json --outlet 'The Ledger' --published 2024-05-02"
        "[/cyan]\n"
        "  [cyan]curl -s https://example.org/a.html | sourcetrace analyze - --format json[/cyan]\n"
        "  [cyan]sourcetrace analyze https://example.org/news/story-1[/cyan]\n"
        "  [cyan]sourcetrace analyze news/ a.txt b.txt --format jsonl --output reports.jsonl[/cyan]\n\n"
        "Exit status: 0 all analysed, 1 some inputs of a batch failed, 2 the input or the model failed.\n\n"
        "Optional MiniLM models (they need the semantic extra; `sourcetrace --version` says which run): "
        "SOURCETRACE_MATCHING=semantic, SOURCETRACE_CHECKWORTHINESS=semantic, SOURCETRACE_FRAMING=semantic."
    )
)
def analyze(
    inputs: Annotated[
        list[str],
        typer.Argument(
            help="Files, folders (every .txt/.html inside), http(s) URLs, or '-' for stdin.",
            metavar="INPUT",
            show_default=False,
        ),
    ],
    fmt: Annotated[
        OutputFormat,
        typer.Option("--format", "-f", help="text: readable report; json: one object (an array for "
                     "several inputs); jsonl: one object per line.", case_sensitive=False),
    ] = OutputFormat.TEXT,
    model: Annotated[
        str | None,
        typer.Option("--model", "-m", help="spaCy pipeline name or path (default: the bundled one).",
                     metavar="NAME_OR_PATH"),
    ] = None,
    max_bytes: Annotated[
        int, typer.Option("--max-bytes", min=1, help="Refuse inputs larger than this many bytes.")
    ] = 5_000_000,
    outlet: Annotated[
        str | None, typer.Option(help="Publishing outlet, overriding what ingest found.")
    ] = None,
    title: Annotated[str | None, typer.Option(help="Headline, overriding what ingest found.")] = None,
    published: Annotated[
        str | None, typer.Option(help="Publication date (2026-03-02, 2 March 2026, an RSS date ...), "
                                 "overriding what ingest found.")
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write the reports to FILE instead of stdout.", dir_okay=False,
                     metavar="FILE"),
    ] = None,
    allow_loopback: Annotated[
        bool,
        # Hidden: for articles served on this machine (tests, local archives); never needed for the web.
        typer.Option("--allow-loopback", hidden=True, help="Let URLs point at 127.0.0.1 / ::1."),
    ] = False,
) -> None:
    """Analyse news articles: every attribution, each claim's chain of sources, hedges, headline check."""
    tally = _Tally()
    try:
        published = iso_published(published, strict=True, what="--published")
    except InputError as exc:
        fail(str(exc))
    overrides = {"outlet": outlet, "title": title, "published": published}
    batch = _is_batch(inputs)
    documents = _documents(
        inputs, max_bytes=max_bytes, overrides=overrides, tally=tally, allow_loopback=allow_loopback
    )

    try:
        # Peek before loading the model: a single bad input should fail fast, without spaCy's start-up.
        first = next(documents, None)
        if first is not None:
            analyzer = load_analyzer(model)
            out_file = _open_output(output) if output else None
            writer = _Writer(fmt, out_file, as_array=batch)

            def refused(document: Document, error: InputError) -> None:
                # One article the analysis refuses (too long): say so and go on with the rest.
                message = str(error) if error.source else f"{document.path or 'input'}: {error}"
                tally.documents -= 1
                tally.errors.append(message)
                error_line(message)

            try:
                stream: Iterable[Document] = itertools.chain([first], documents)
                reports: Iterator[Report]
                # A bar only when the reports go elsewhere than the terminal that shows it.
                if batch and sys.stderr.isatty() and (output is not None or not sys.stdout.isatty()):
                    # Read every input first so the bar knows its total (text is small next to a model).
                    pending = list(stream)
                    reports = _with_progress(analyzer.analyze_many(pending, on_error=refused), len(pending))
                else:
                    reports = analyzer.analyze_many(stream, on_error=refused)
                for report in reports:
                    writer.write(report)
            finally:
                # Whatever stopped the batch, the reports already made are written out (`-f json` closes
                # its array), so nothing finished is lost.
                with contextlib.suppress(BrokenPipeError):
                    writer.close()
                if out_file is not None:
                    out_file.close()
        elif batch and fmt is OutputFormat.JSON and not output:
            typer.echo("[]")
    except (InputError, ModelError) as exc:
        fail(str(exc))
    except KeyboardInterrupt:
        raise typer.Exit(130) from None
    except BrokenPipeError:
        # `sourcetrace analyze ... | head`: the reader left. Point stdout at /dev/null so the interpreter's
        # final flush does not raise a second time, and stop quietly.
        with contextlib.suppress(OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        raise typer.Exit(EXIT_OK) from None

    if tally.documents == 0 and not tally.errors:
        fail(f"no articles found in {', '.join(inputs)}")

    if tally.errors:
        total = tally.documents + len(tally.errors)
        if total == 1:
            raise typer.Exit(EXIT_USAGE)
        stderr_console().print(f"[red]{len(tally.errors)} of {total} inputs failed[/red]")
        raise typer.Exit(EXIT_PARTIAL)


# ------------------------------------------------------------------------------------------------ eval
# Each eval command lives beside its scorer in sourcetrace.eval (light modules: typer only).

from sourcetrace.eval.polnear_command import EPILOG as _POLNEAR_EPILOG  # noqa: E402
from sourcetrace.eval.polnear_command import eval_polnear as _eval_polnear  # noqa: E402

eval_app.command("polnear", epilog=_POLNEAR_EPILOG)(_eval_polnear)

from sourcetrace.eval.chains_command import EPILOG as _CHAINS_EPILOG  # noqa: E402
from sourcetrace.eval.chains_command import eval_chains as _eval_chains  # noqa: E402

eval_app.command("chains", epilog=_CHAINS_EPILOG)(_eval_chains)

from sourcetrace.eval.checkworthiness_command import EPILOG as _CW_EPILOG  # noqa: E402
from sourcetrace.eval.checkworthiness_command import eval_checkworthiness as _eval_cw  # noqa: E402

eval_app.command("checkworthiness", epilog=_CW_EPILOG)(_eval_cw)

from sourcetrace.eval.matching_command import EPILOG as _MATCHING_EPILOG  # noqa: E402 - light: typer only
from sourcetrace.eval.matching_command import eval_matching as _eval_matching  # noqa: E402

eval_app.command("matching", epilog=_MATCHING_EPILOG)(_eval_matching)

from sourcetrace.eval.gap_command import EPILOG as _GAP_EPILOG  # noqa: E402 - light: typer only
from sourcetrace.eval.gap_command import eval_gap as _eval_gap  # noqa: E402

eval_app.command("gap", epilog=_GAP_EPILOG)(_eval_gap)

from sourcetrace.eval.ptc_command import EPILOG as _PTC_EPILOG  # noqa: E402 - light: typer only
from sourcetrace.eval.ptc_command import eval_ptc as _eval_ptc  # noqa: E402

eval_app.command("ptc", epilog=_PTC_EPILOG)(_eval_ptc)

from sourcetrace.eval.contrast_command import EPILOG as _CONTRAST_EPILOG  # noqa: E402 - light: typer only
from sourcetrace.eval.contrast_command import eval_contrast as _eval_contrast  # noqa: E402

eval_app.command("contrast", epilog=_CONTRAST_EPILOG)(_eval_contrast)


# ---------------------------------------------------------------------------------------------- schema


@app.command(
    epilog=(
        "[bold]Examples[/bold]\n"
        "  [cyan]sourcetrace outlet Reuters[/cyan]\n"
        "  [cyan]sourcetrace outlet nypost.com[/cyan]\n"
        "  [cyan]sourcetrace outlet https://www.bbc.co.uk/news/world-123[/cyan]"
    )
)
def outlet(
    name: Annotated[str, typer.Argument(help="An outlet's name, alias, domain or a URL on its site.")],
) -> None:
    """What the bundled rating sets say about an outlet (score 0..1, label, which sets agree)."""
    from sourcetrace.outlets.table import default_table, describe

    try:
        table = default_table()
    except (InputError, ModelError) as exc:
        fail(str(exc))
    record = table.lookup(name, strict=False)
    if record is None:
        fail(f"{name}: not in the outlet table (try its domain, e.g. example.com)")
    Console().print(describe(record, table))


@app.command()
def schema() -> None:
    """Print the JSON Schema of a report (the same as docs/report.schema.json)."""
    from sourcetrace.schema import json_schema

    typer.echo(json.dumps(json_schema(), indent=2, ensure_ascii=False))


if __name__ == "__main__":  # pragma: no cover
    app()
