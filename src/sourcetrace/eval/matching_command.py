"""`sourcetrace eval matching`: the command, kept apart from the scorer so the CLI starts without numpy."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sourcetrace.errors import InputError, ModelError
from sourcetrace.terminal import fail, print_table

EPILOG = (
    "Example: sourcetrace eval matching --mrpc ../shared/data/matching/mrpc/msr_paraphrase_train.txt "
    "--emergent ../shared/data/matching/emergent/emergent_train.csv"
)


def eval_matching(
    mrpc: Annotated[
        Path, typer.Option("--mrpc", help="MRPC train half (msr_paraphrase_train.txt).", metavar="FILE")
    ],
    emergent: Annotated[
        Path,
        typer.Option("--emergent", help="Emergent training claims (emergent_train.csv).", metavar="FILE"),
    ],
    semantic: Annotated[
        bool,
        typer.Option("--semantic/--no-semantic",
                     help="Also score the MiniLM configuration (needs the \\[semantic] extra)."),
    ] = True,
) -> None:
    """Claim matching: MRPC accuracy/F1 (cross-validated on the train half), Emergent ranking MAP (all and
    'against' headlines), a TF-IDF cosine baseline, and the candidate recall of the MinHash index."""
    for path, what in ((mrpc, "the MRPC train TSV"), (emergent, "the Emergent CSV")):
        if not path.is_file():
            fail(f"{path}: no such file (expected {what})")
    from sourcetrace.eval import matching
    from sourcetrace.matching import semantic as sem

    try:
        result = matching.evaluate(mrpc, emergent, semantic=semantic and sem.available())
    except (InputError, ModelError) as exc:
        fail(str(exc))
    print_table(matching.scores_table(result))
    print_table(matching.recall_table(result))
