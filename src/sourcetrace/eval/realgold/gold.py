"""The real-article gold format: offsets and labels, never article text.

`tests/gold/real/articles/<id>.json` (settled gold) and `tests/gold/real/annotators/<A|B>/<id>.json`
(each annotator's own answers) hold::

    {"id": "tt-57345", "folder": "tehran_times", "key": "57345", "field": "text", "sha256": "...",
     "split": "tune" | "locked", "region": [start, end], "publisher": "Tehran Times", "readable": true,
     "annotators": ["A", "B"],
     "headline": {"states_as_fact": true, "claim": [start, end] | null, "overstated": false, "reasons": []},
     "claims": [{"start": 0, "end": 42, "quote": false,
                 "chain": [{"name": "Tehran Times", "type": "outlet"}, {"name": "IRNA", "type": "outlet"}]}]}

Offsets index the shared field (`field` of the article `folder`/`key`), whose sha256 is checked on load.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from sourcetrace.eval.realgold.shared import ArticleRef, SharedArticle, SharedDataError, load_article

GOLD_DIR = Path("tests/gold/real")


@dataclass(frozen=True, slots=True)
class Hop:
    name: str
    type: str


@dataclass(frozen=True, slots=True)
class GoldClaim:
    start: int
    end: int
    chain: tuple[Hop, ...]
    quote: bool = False


@dataclass(frozen=True, slots=True)
class GoldHeadline:
    states_as_fact: bool
    claim: tuple[int, int] | None
    overstated: bool
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class GoldArticle:
    ref: ArticleRef
    field: str
    sha256: str
    split: str
    region: tuple[int, int]
    publisher: str
    readable: bool
    claims: tuple[GoldClaim, ...]
    headline: GoldHeadline | None
    annotators: tuple[str, ...] = ()

    def article(self, data: Path) -> SharedArticle:
        """The shared article, checked against the hash the gold was made on."""
        article = load_article(data, self.ref)
        if article.sha256 != self.sha256:
            raise SharedDataError(f"{self.ref.id}: the shared {self.field} changed since the gold was made")
        return article


def to_dict(gold: GoldArticle) -> dict:
    headline = None
    if gold.headline is not None:
        h = gold.headline
        headline = {
            "states_as_fact": h.states_as_fact,
            "claim": list(h.claim) if h.claim else None,
            "overstated": h.overstated,
            "reasons": list(h.reasons),
        }
    return {
        "id": gold.ref.id,
        "folder": gold.ref.folder,
        "key": gold.ref.key,
        "field": gold.field,
        "sha256": gold.sha256,
        "split": gold.split,
        "region": list(gold.region),
        "publisher": gold.publisher,
        "readable": gold.readable,
        "annotators": list(gold.annotators),
        "headline": headline,
        "claims": [
            {
                "start": c.start,
                "end": c.end,
                "quote": c.quote,
                "chain": [{"name": h.name, "type": h.type} for h in c.chain],
            }
            for c in gold.claims
        ],
    }


def from_dict(raw: dict) -> GoldArticle:
    headline = raw.get("headline")
    return GoldArticle(
        ref=ArticleRef(raw["folder"], str(raw["key"])),
        field=raw["field"],
        sha256=raw["sha256"],
        split=raw["split"],
        region=tuple(raw["region"]),
        publisher=raw.get("publisher", ""),
        readable=bool(raw.get("readable", True)),
        claims=tuple(
            GoldClaim(
                int(c["start"]),
                int(c["end"]),
                tuple(Hop(h.get("name", ""), h["type"]) for h in c["chain"]),
                bool(c.get("quote", False)),
            )
            for c in raw.get("claims", ())
        ),
        headline=(
            GoldHeadline(
                bool(headline.get("states_as_fact")),
                tuple(headline["claim"]) if headline.get("claim") else None,
                bool(headline.get("overstated")),
                tuple(headline.get("reasons") or ()),
            )
            if headline
            else None
        ),
        annotators=tuple(raw.get("annotators", ())),
    )


def write_gold(gold: GoldArticle, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{gold.ref.id}.json"
    path.write_text(json.dumps(to_dict(gold), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def load_gold_dir(folder: Path) -> list[GoldArticle]:
    """Every gold file in `folder`, in id order."""
    paths = sorted(Path(folder).glob("*.json"))
    return [from_dict(json.loads(p.read_text(encoding="utf-8"))) for p in paths]
