"""`sourcetrace eval ptc`: the command, kept apart from the scorer so the CLI starts without numpy."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sourcetrace.errors import InputError, ModelError
from sourcetrace.terminal import fail, print_table, require_dir

EPILOG = "Example: sourcetrace eval ptc ../shared/data/ptc"


def eval_ptc(
    directory: Annotated[
        Path,
        typer.Argument(help="The PTC folder (train-articles/, dev-articles/, dev-gold-labels/ ...).",
                       metavar="DIR"),
    ],
    baseline: Annotated[
        bool, typer.Option("--baseline/--no-baseline", help="Also fit and score the TF-IDF baseline.")
    ] = True,
) -> None:
    """Propaganda techniques on PTC dev: span identification P/R/F1 (partial overlap), technique
    micro-F1 given the gold spans (model and TF-IDF baseline), the joint figure, and F1 per technique."""
    require_dir(directory, "expected the ptc data folder, e.g. ../shared/data/ptc")
    from sourcetrace.eval import ptc

    try:
        result = ptc.evaluate(directory, baseline=baseline)
    except (InputError, ModelError) as exc:
        fail(str(exc))
    print_table(ptc.scores_table(result))
    print_table(ptc.technique_table(result))
