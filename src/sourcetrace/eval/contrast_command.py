"""`sourcetrace eval contrast`: the command, kept apart from the scorer so the CLI starts light."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sourcetrace.errors import InputError, ModelError
from sourcetrace.terminal import fail, print_table, require_dir, stderr_console

EPILOG = "Example: sourcetrace eval contrast tests/gold/contrast --part tune --details"


def eval_contrast(
    directory: Annotated[
        Path, typer.Argument(help="The contrast set folder (pairs_*.jsonl and split.json).", metavar="DIR")
    ] = Path("tests/gold/contrast"),
    part: Annotated[
        str, typer.Option(help="tune, locked (each run appended to locked_runs.jsonl) or all.")
    ] = "tune",
    details: Annotated[bool, typer.Option("--details", help="Also list every pair decided wrongly.")] = False,
    emergent: Annotated[
        Path | None, typer.Option(help="Also: Emergent CSV, recall of 'against' headlines.", metavar="FILE")
    ] = None,
    mrpc: Annotated[
        Path | None, typer.Option(help="Also: MRPC train TSV, same_claim accuracy.", metavar="FILE")
    ] = None,
) -> None:
    """Claim relations (same / contradicts / different) on invented contrast pairs: accuracy per kind,
    same_claim accuracy against the matcher alone, contradiction recall."""
    if part not in ("tune", "locked", "all"):
        fail(f"--part must be tune, locked or all, not {part!r}")
    require_dir(directory, "expected the contrast set folder, e.g. tests/gold/contrast")
    from sourcetrace.eval import contrast
    from sourcetrace.eval.runinfo import git_commit

    try:
        result, decided = contrast.evaluate(directory, part)  # type: ignore[arg-type]
    except (InputError, ModelError) as exc:
        fail(str(exc))
    print_table(contrast.scores_table(result))
    print_table(contrast.confusion_table(result))
    if part == "locked":
        contrast.log_locked(directory, result, git_commit() or "unknown")
        stderr_console().print(f"locked run logged in {directory / 'locked_runs.jsonl'}")
    if emergent is not None or mrpc is not None:
        for path in (emergent, mrpc):
            if path is not None and not path.is_file():
                fail(f"{path}: no such file")
        try:
            print_table(contrast.public_table(contrast.public_pairs(emergent, mrpc)))
        except InputError as exc:
            fail(str(exc))
    if details:
        for pair, relation in decided:
            if relation != pair.relation:
                typer.echo(f"{pair.id} {pair.kind}: gold {pair.relation}, got {relation}")
                typer.echo(f"  a: {pair.a}\n  b: {pair.b}")
