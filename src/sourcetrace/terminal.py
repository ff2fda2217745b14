"""What every command line face shares: exit codes, one-line errors and warnings, score tables.

User mistakes end in one red `error:` line on stderr and an exit code, never a traceback; sub-commands
living in their own modules (corpus, serve, eval) use these so they all fail the same way.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape

from sourcetrace.errors import ModelError

if TYPE_CHECKING:
    from sourcetrace.analyzer import Analyzer

#: Exit codes: 0 all fine, 1 some inputs of a batch failed, 2 the (single) input or the set-up failed.
EXIT_OK, EXIT_PARTIAL, EXIT_USAGE = 0, 1, 2


def stderr_console() -> Console:
    # Built per call: the test runner and `Live` swap sys.stderr, and rich must follow the current one.
    return Console(stderr=True, highlight=False, soft_wrap=True)


def error_line(message: str) -> None:
    stderr_console().print(f"[bold red]error:[/bold red] [red]{escape(message)}[/red]")


def warning_line(message: str) -> None:
    stderr_console().print(f"[bold yellow]warning:[/bold yellow] [yellow]{escape(message)}[/yellow]")


def fail(message: str, code: int = EXIT_USAGE) -> NoReturn:
    error_line(message)
    raise typer.Exit(code)


def print_table(table: Any) -> None:
    # A scorer may hand back a rich renderable or plain text; print either faithfully.
    if isinstance(table, str):
        typer.echo(table)
        return
    console = Console()
    if not console.is_terminal:
        # Piped or redirected: rich would assume 80 columns and fold the score columns; a file has room.
        console = Console(width=160)
    console.print(table)


def require_dir(path: Path, hint: str) -> None:
    if not path.is_dir():
        fail(f"{path}: no such directory ({hint})")


def load_analyzer(model: str | None) -> Analyzer:
    """The analyzer for `--model` (loaded once per process), or one `error:` line when it cannot load."""
    # Imported here, not at the top: every command module imports this one, and `--help` or a corpus
    # query must not wait for spaCy.
    from sourcetrace.analyzer import default_analyzer

    try:
        return default_analyzer(model)
    except ModelError as exc:
        fail(str(exc))
    except OSError as exc:
        # spaCy signals an unknown pipeline name or path with OSError [E050]/[E053].
        if model and ("E050" in str(exc) or "E053" in str(exc)):
            fail(
                f"unknown model {model!r}: not an installed spaCy pipeline nor a path to one "
                "(try the default by leaving out --model)"
            )
        raise
