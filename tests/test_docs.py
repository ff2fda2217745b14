"""The docs stay true to the tree: the architecture page names every folder of the package and names no
folder that is gone, and every relative link (file and #anchor) in the README, CONTRIBUTING and docs/
resolves."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "src" / "sourcetrace"
DOCS = [REPO / "README.md", REPO / "CONTRIBUTING.md", *sorted((REPO / "docs").glob("*.md"))]
LINK = re.compile(r"\]\(([^)\s]+)\)")
FENCE = re.compile(r"^```.*?^```", re.S | re.M)


def _package_folders() -> set[str]:
    return {
        str(p.parent.relative_to(PACKAGE)) + "/"
        for p in PACKAGE.rglob("__init__.py")
        if p.parent != PACKAGE
    }


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def _anchors(path: Path) -> set[str]:
    text = FENCE.sub("", path.read_text(encoding="utf-8"))
    return {_slug(m.group(1)) for m in re.finditer(r"^#{1,6} (.+)$", text, re.M)}


def _links(path: Path) -> list[str]:
    text = FENCE.sub("", path.read_text(encoding="utf-8"))
    return [t for t in LINK.findall(text) if not t.startswith(("http://", "https://", "mailto:"))]


def test_the_slug_rule_matches_githubs() -> None:
    assert _slug("Corpus queries") == "corpus-queries"
    heading = "Sourcing on real articles (the headline figures)"
    assert _slug(heading) == "sourcing-on-real-articles-the-headline-figures"


def test_the_architecture_page_names_every_folder_of_the_package() -> None:
    page = (REPO / "docs" / "architecture.md").read_text(encoding="utf-8")
    named = set(re.findall(r"`((?:[a-z_]+/)+)`", page))
    folders = _package_folders()
    assert folders, "no package folders found"
    assert not folders - named, f"folders the architecture page does not name: {sorted(folders - named)}"
    gone = {f for f in named - folders if not (PACKAGE / f).is_dir()}
    assert not gone, f"the architecture page names folders that do not exist: {sorted(gone)}"


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: str(p.relative_to(REPO)))
def test_every_relative_link_resolves(doc: Path) -> None:
    broken = []
    for target in _links(doc):
        file_part, _, anchor = target.partition("#")
        path = (doc.parent / file_part).resolve() if file_part else doc
        if not path.exists() or anchor and path.suffix == ".md" and anchor not in _anchors(path):
            broken.append(target)
    assert not broken, f"{doc.name}: broken links {broken}"
