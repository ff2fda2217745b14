"""`sourcetrace eval checkworthiness`: the command, kept apart from the scorer (no numpy at CLI start)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sourcetrace.errors import InputError, ModelError
from sourcetrace.terminal import fail, print_table, require_dir

EPILOG = "Example: sourcetrace eval checkworthiness ../shared/data/checkworthiness"


def eval_checkworthiness(
    directory: Annotated[
        Path, typer.Argument(help="The CheckThat! 2024 English folder (train and dev TSV).", metavar="DIR")
    ],
) -> None:
    """Precision, recall and F1 of the check-worthy class on the dev split, model vs TF-IDF baseline."""
    require_dir(directory, "expected the checkworthiness data folder, e.g. ../shared/data/checkworthiness")
    from sourcetrace.eval import checkworthiness

    try:
        result = checkworthiness.evaluate(directory)
    except (InputError, ModelError) as exc:
        fail(str(exc))
    print_table(checkworthiness.scores_table(result))
