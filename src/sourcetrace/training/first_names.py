"""Rebuild `data/first_names.tsv.gz` from the nomquamgender package (`make names`).

    python -m sourcetrace.training.first_names --out src/sourcetrace/data/first_names.tsv.gz

Keeps alphabetic ASCII first names seen at least MIN_COUNT times whose female share is at least
MIN_MARGIN away from one half (the others cannot tell a gender and are left out), with that share
rounded to two decimals.
"""

from __future__ import annotations

import argparse
import gzip
import importlib.resources
import json
from collections.abc import Sequence
from pathlib import Path

from sourcetrace.nlp.resolution.gender import NAMES_FILE

MIN_COUNT = 20
MIN_MARGIN = 0.25
PACKAGE = "nomquamgender"


def build(out: Path) -> int:
    try:
        data = json.loads((importlib.resources.files(PACKAGE) / "name_data.json").read_text("utf-8"))
    except ModuleNotFoundError as exc:
        raise SystemExit(f"error: pip install {PACKAGE}==0.1.4 first ({exc})") from exc
    # Each value is [sources, count, female share, ...] (nomquamgender's name_data.json).
    rows = sorted(
        (name, round(value[2], 2))
        for name, value in data.items()
        if value[1] >= MIN_COUNT and name.isascii() and name.isalpha() and abs(value[2] - 0.5) >= MIN_MARGIN
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    header = (
        f"# first name<TAB>female share; from {PACKAGE} 0.1.4 name_data.json (MIT), see FIRST_NAMES_CARD.md\n"
    )
    body = "".join(f"{name}\t{share:g}\n" for name, share in rows)
    with gzip.GzipFile(out, "wb", mtime=0) as handle:  # mtime 0: the same input gives the same bytes
        handle.write((header + body).encode("utf-8"))
    return len(rows)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=NAMES_FILE)
    args = parser.parse_args(argv)
    print(f"{build(args.out)} first names written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
