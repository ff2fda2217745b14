from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"


@pytest.fixture(scope="session")
def analyzer():
    from sourcetrace.analyzer import default_analyzer

    return default_analyzer()


@pytest.fixture(scope="session")
def analyze_text(analyzer):
    from sourcetrace.ingest import document_from_text

    def run(text: str, **meta):
        return analyzer.analyze(document_from_text(text, **meta))

    return run


def shared_data(name: str) -> Path:
    path = SHARED_DATA / name
    if not path.exists():
        pytest.skip(f"shared data set {name!r} not present at {path} (only in the project's CI/dev checkout)")
    return path
