"""Command-line options shared by the scorers (`python -m sourcetrace.eval.*`) and trainers of the models."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path


def model_eval_parser(description: str | None, default_data: Path, data_help: str) -> argparse.ArgumentParser:
    """--data, --model, --split and --no-baseline: what every model scorer against a gold split takes."""
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--data", type=Path, default=default_data, help=data_help)
    parser.add_argument("--model", type=Path, default=None, help="model directory (default: packaged)")
    parser.add_argument("--split", default="dev", help="dev (default) or train")
    parser.add_argument("--no-baseline", action="store_true", help="skip the TF-IDF + LR baseline")
    return parser


def model_train_parser(
    description: str | None, default_data: Path, default_out: Path, *, torch_threads: bool = False
) -> argparse.ArgumentParser:
    """--data, --out and --no-dev (and --threads for a MiniLM trainer): what a model trainer takes."""
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--data", type=Path, default=default_data, help="the data set folder")
    parser.add_argument("--out", type=Path, default=default_out, help="the model folder to write")
    parser.add_argument("--no-dev", action="store_true", help="do not score dev (no dev figures in the card)")
    if torch_threads:
        parser.add_argument("--threads", type=int, default=None, help="torch threads (default: up to 4)")
    return parser


def rerun_command(module: str, argv: Sequence[str] | None) -> str:
    """The command line that reproduces a trainer's run, for its model card."""
    return f"python -m {module} " + " ".join(argv if argv is not None else sys.argv[1:])
