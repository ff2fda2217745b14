"""Where a measurement came from: the date, the command, the machine and the code, stored beside every
benchmark and eval result so a figure in the docs can be traced to the run that produced it."""

from __future__ import annotations

import os
import platform
import shlex
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any


def git_commit(repo: Path | None = None) -> str | None:
    """The checked-out commit, with `+changes` when the working tree differs from it; None outside git."""
    cwd = repo or Path(__file__).resolve().parent
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=cwd, capture_output=True,
                              text=True, check=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=cwd,
                               capture_output=True, text=True, check=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return head + ("+changes" if dirty else "")


def run_record(argv: list[str] | None = None) -> dict[str, Any]:
    """Date (UTC), command line, machine and commit of the current run."""
    return {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": shlex.join(argv if argv is not None else [Path(sys.argv[0]).name, *sys.argv[1:]]),
        "machine": {"platform": platform.platform(), "python": platform.python_version(),
                    "cpus": os.cpu_count(), "loadavg_at_start": list(os.getloadavg())},
        "commit": git_commit(),
    }
