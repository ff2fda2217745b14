"""`sourcetrace eval polnear`: the command, kept apart from the scorer so the CLI starts without numpy."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from sourcetrace.errors import InputError, ModelError
from sourcetrace.terminal import fail, load_analyzer, print_table, require_dir

EPILOG = "Example: sourcetrace eval polnear ../shared/data/polnear/dev --limit 20"


def eval_polnear(
    directory: Annotated[Path, typer.Argument(help="A PolNeAR split folder (with text/ and attributions/).",
                                              metavar="DIR")],
    limit: Annotated[int | None, typer.Option(min=1, help="Score only the first N articles.")] = None,
    baseline: Annotated[
        bool, typer.Option("--baseline/--no-baseline", help="Also score textacy's direct-quote rules.")
    ] = True,
    model: Annotated[
        str | None, typer.Option("--model", "-m", help="spaCy pipeline for the full system.",
                                 metavar="NAME_OR_PATH")
    ] = None,
) -> None:
    """Score attribution spans (source / cue / content) against PolNeAR: the full pipeline, the learned
    tagger alone, and (with --baseline) textacy's quotation rules."""
    require_dir(directory, "expected a PolNeAR split such as ../shared/data/polnear/dev")
    try:
        from sourcetrace.eval import polnear

        analyzer = load_analyzer(model)
        nlp = analyzer.nlp
        predictors: dict[str, Any] = {
            "sourcetrace": polnear.analyzer_predictor(analyzer),
            "tagger only": polnear.on_bare_pipeline(polnear.tagger_predictor(nlp), nlp),
        }
        if baseline:
            predictors["textacy (baseline)"] = polnear.on_bare_pipeline(polnear.textacy_predictor(nlp), nlp)
        scores = polnear.evaluate(directory, predictors, limit=limit)
    except (InputError, ModelError) as exc:
        fail(str(exc))
    print_table(polnear.scores_table(scores))
