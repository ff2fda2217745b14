"""`sourcetrace eval gap`: the command, kept apart from the scorer so the CLI starts without spaCy."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sourcetrace.errors import InputError, ModelError
from sourcetrace.terminal import fail, print_table, require_dir, stderr_console

EPILOG = (
    "Examples:\n\n"
    "  sourcetrace eval gap ../shared/data/coreference_gap                 # validation (tuning)\n\n"
    "  sourcetrace eval gap ../shared/data/coreference_gap --split test    # test: score it once, at the end"
)
SPLITS = ("development", "validation", "test")


def eval_gap(
    directory: Annotated[
        Path, typer.Argument(help="The GAP folder (gap-development.tsv, gap-validation.tsv, gap-test.tsv).",
                             metavar="DIR")
    ],
    split: Annotated[
        str, typer.Option(help="development (training), validation (tuning) or test.")
    ] = "validation",
) -> None:
    """Pronoun resolution on GAP (snippet context): precision, recall and F1 of the (pronoun, name) pairs
    the pronoun scorer links, overall and by the pronoun's gender, and the paper's bias figure."""
    require_dir(directory, "expected the GAP folder, e.g. ../shared/data/coreference_gap")
    if split not in SPLITS:
        fail(f"unknown split {split!r}: one of {', '.join(SPLITS)}")
    from rich.table import Table

    from sourcetrace.eval import gap

    try:
        scores = gap.evaluate(directory, split, progress=lambda m: stderr_console().print(m))
    except (InputError, ModelError, OSError) as exc:
        fail(str(exc))
    table = Table(title=f"GAP {split}: {scores.examples} pronouns, snippet context")
    for column in ("pronouns", "P", "R", "F1"):
        table.add_column(column, justify="right" if column != "pronouns" else "left")
    for key in ("all", "masculine", "feminine"):
        p, r, f = scores.prf(key)
        table.add_row(key, f"{p:.3f}", f"{r:.3f}", f"{f:.3f}")
    table.caption = f"bias (feminine F1 / masculine F1): {scores.bias:.2f}"
    print_table(table)
