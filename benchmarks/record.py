"""Run a measuring command and keep what it printed, headed by when, how and where it ran.

    python benchmarks/record.py eval-chains-tune -- sourcetrace eval chains tests/gold/real --part tune

writes benchmarks/results/eval-chains-tune.txt (and still prints everything). `make eval` records each of
its scores this way; the figures in docs/ point at these files.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from sourcetrace.eval.runinfo import run_record

RESULTS = Path(__file__).resolve().parent / "results"


def main(argv: list[str]) -> int:
    if len(argv) < 3 or argv[1] != "--":
        print("usage: record.py NAME -- COMMAND [ARGS...]", file=sys.stderr)
        return 2
    name, command = argv[0], argv[2:]
    header = run_record(command)
    # Tables drawn for a wide terminal read the same in the file as on screen.
    env = {**os.environ, "COLUMNS": os.environ.get("COLUMNS", "160")}
    proc = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    sys.stdout.write(proc.stdout)
    sys.stderr.write(proc.stderr)
    RESULTS.mkdir(parents=True, exist_ok=True)
    header["exit_code"] = proc.returncode
    body = proc.stdout + (("\n--- stderr ---\n" + proc.stderr) if proc.stderr.strip() else "")
    (RESULTS / f"{name}.txt").write_text("# " + json.dumps(header) + "\n" + body, encoding="utf-8")
    return proc.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
