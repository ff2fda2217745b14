"""`sourcetrace eval chains`: the command, kept apart from the scorers so the CLI starts without numpy."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sourcetrace.errors import InputError, ModelError
from sourcetrace.terminal import fail, print_table, require_dir, stderr_console

EPILOG = (
    "Examples:\n\n"
    "  sourcetrace eval chains tests/gold/real                 # real articles, tuning part (make eval)\n\n"
    "  sourcetrace eval chains tests/gold/real --part locked   # locked part, logged (make eval-locked)\n\n"
    "  sourcetrace eval chains tests/gold/chains --details     # invented articles: single-rule checks"
)


def eval_chains(
    directory: Annotated[
        Path, typer.Argument(help="tests/gold/real (real articles) or a folder of invented gold *.json.",
                             metavar="DIR")
    ] = Path("tests/gold/real"),
    part: Annotated[
        str, typer.Option(help="Real gold only: tune, locked (each run appended to its log) or all.")
    ] = "tune",
    data: Annotated[
        Path, typer.Option(help="Real gold only: the shared data folder the gold points into.")
    ] = Path("../shared/data"),
    model: Annotated[
        str | None, typer.Option("--model", "-m", help="spaCy pipeline name or path.", metavar="NAME_OR_PATH")
    ] = None,
    details: Annotated[
        bool, typer.Option("--details", help="Also list every claim whose chain is wrong, gold vs predicted.")
    ] = False,
) -> None:
    """Score claim chains (publisher › … › innermost source) against hand-annotated gold.

    Real articles (tests/gold/real): exact chain, innermost source, hop types, quote speakers, claim
    recall and precision, overstated headlines, with and without the publisher as metadata."""
    require_dir(directory, "expected tests/gold/real or a folder of gold chains such as tests/gold/chains")
    from sourcetrace.eval.realgold import report as real

    if real.is_real_gold(directory):
        _eval_real(directory, part, data, model, details)
        return
    from sourcetrace.eval import chains

    try:
        scores = chains.evaluate(directory, model=model)
    except (InputError, ModelError, chains.GoldError) as exc:
        # A malformed gold file is the user's to fix, like a bad input: one line, no traceback.
        fail(str(exc))
    print_table(chains.scores_table(scores))
    if details:
        print_table(chains.details_table(scores))


def _eval_real(directory: Path, part: str, data: Path, model: str | None, details: bool) -> None:
    from sourcetrace.eval.realgold import report as real
    from sourcetrace.eval.realgold.shared import SharedDataError

    require_dir(data, "the real gold points into ../shared/data; pass --data")
    try:
        results = real.evaluate(directory, data, part, model, progress=lambda m: stderr_console().print(m))
    except (InputError, ModelError, real.RealGoldError, SharedDataError) as exc:
        fail(str(exc))
    first = results["with outlet"]
    title = (f"Chains on real articles, {part} part ({len(first.articles)} articles, "
             f"{len(first.claims)} gold claims)")
    print_table(real.scores_table(results, title))
    if part == "locked":
        stderr_console().print(f"locked run logged in {real.log_locked_run(directory, results)}")
    if details:
        print_table(real.details_table(first))
