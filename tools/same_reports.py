"""Show that a change leaves the reports as they were: dump them before and after, then compare.

    git worktree add /tmp/old 20cb53a                      # the old code, in an environment of its own
    python -m venv /tmp/oldenv && /tmp/oldenv/bin/pip install -e /tmp/old
    /tmp/oldenv/bin/python tools/same_reports.py dump before.json
    .venv/bin/python tools/same_reports.py dump after.json     # this checkout
    .venv/bin/python tools/same_reports.py compare before.json after.json

The inputs: the demo article, the first 100 non-reserved BuzzFeed-Webis articles and the PTC dev
articles from `../shared/data` (`--data`). Each report is written as JSON without `provenance` (the code
version and model hashes it records change with every commit), keys sorted. A refactor that claims no
change in behaviour should compare identical; used for the layout move of issue 15.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from sourcetrace.analyzer import Analyzer
from sourcetrace.eval.realgold.shared import is_reserved_buzzfeed_file

try:
    from sourcetrace.corpus.formats import read_buzzfeed
    from sourcetrace.schema import Document
except ImportError:  # a commit before the layout move (20cb53a and older): its names for the same code
    from sourcetrace.corpus.readers import read_buzzfeed  # type: ignore[no-redef]
    from sourcetrace.model import Document  # type: ignore[no-redef]

REPO = Path(__file__).resolve().parents[1]
BUZZFEED_ARTICLES = 100


def documents(data: Path) -> list[Document]:
    demo = (REPO / "examples" / "demo.txt").read_text(encoding="utf-8")
    out = [Document(text=demo, url="https://www.example-news.co.uk/world/story1")]
    articles = [a for a in read_buzzfeed(data / "buzzfeed_webis_2016")
                if not is_reserved_buzzfeed_file(data, Path(a.name))][:BUZZFEED_ARTICLES]
    out += [Document(text=(a.title + "\n\n" if a.title else "") + a.text, url=a.url, outlet=a.portal)
            for a in articles]
    out += [Document(text=p.read_text(encoding="utf-8"))
            for p in sorted((data / "ptc" / "dev-articles").glob("*.txt"))]
    return out


def dump(data: Path, out: Path) -> int:
    reports = []
    for report in Analyzer().analyze_many(documents(data)):
        row = json.loads(report.model_dump_json())
        row.pop("provenance", None)
        reports.append(row)
    out.write_text(json.dumps(reports, sort_keys=True), encoding="utf-8")
    print(f"{len(reports)} reports written to {out}")
    return 0


def compare(before: Path, after: Path) -> int:
    old = json.loads(before.read_text(encoding="utf-8"))
    new = json.loads(after.read_text(encoding="utf-8"))
    if len(old) != len(new):
        print(f"different: {len(old)} reports before, {len(new)} after")
        return 1
    changed = [i for i, (a, b) in enumerate(zip(old, new, strict=True)) if a != b]
    if not changed:
        print(f"identical: {len(old)} reports")
        return 0
    first = changed[0]
    fields = sorted(k for k in set(old[first]) | set(new[first]) if old[first].get(k) != new[first].get(k))
    print(f"different: {len(changed)} of {len(old)} reports; "
          f"the first is #{first} (fields {', '.join(fields)})")
    return 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    d = sub.add_parser("dump", help="analyse the inputs and write their reports")
    d.add_argument("out", type=Path)
    d.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    c = sub.add_parser("compare", help="compare two dumps")
    c.add_argument("before", type=Path)
    c.add_argument("after", type=Path)
    args = parser.parse_args(argv)
    if args.command == "dump":
        if not (args.data / "buzzfeed_webis_2016").is_dir():
            print(f"error: {args.data} holds no buzzfeed_webis_2016/ (pass --data)", file=sys.stderr)
            return 2
        return dump(args.data, args.out)
    return compare(args.before, args.after)


if __name__ == "__main__":
    sys.exit(main())
