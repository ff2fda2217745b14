"""Command-line options shared by the `python -m sourcetrace.eval.*` scorers of a trained model."""

from __future__ import annotations

import argparse
from pathlib import Path


def model_eval_parser(description: str | None, default_data: Path, data_help: str) -> argparse.ArgumentParser:
    """--data, --model, --split and --no-baseline: what every model scorer against a gold split takes."""
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--data", type=Path, default=default_data, help=data_help)
    parser.add_argument("--model", type=Path, default=None, help="model directory (default: packaged)")
    parser.add_argument("--split", default="dev", help="dev (default) or train")
    parser.add_argument("--no-baseline", action="store_true", help="skip the TF-IDF + LR baseline")
    return parser
