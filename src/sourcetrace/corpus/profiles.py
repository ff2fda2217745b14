"""Per-outlet sourcing profiles over the corpus store: one SQL pass per figure, joined in Python.

The shares use the same definitions as a single report's `profile` (see `sourcetrace.report.summary`): a
claim is unattributed when its innermost source is the author, and anonymous-only when its innermost
source is unnamed (anonymous, an unnamed official, eyewitnesses). Chain depth counts the publisher, as
`claims.depth` does.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from sourcetrace.corpus.results import OutletProfile
from sourcetrace.schema import UNNAMED_TYPES, SourceType

if TYPE_CHECKING:
    from sourcetrace.corpus.store import Store

#: The name articles without a known outlet are grouped under.
NO_OUTLET = "(unknown outlet)"
#: The framing technique counted for loaded-language density, after `_technique_key`.
LOADED_LANGUAGE = "loaded_language"


def _technique_key(name: str) -> str:
    # The framing layer may name techniques `Loaded_Language` (SemEval style) or `loaded language`.
    return re.sub(r"[\W_]+", "_", name.strip().lower()).strip("_")


def _unnamed_sql() -> str:
    return ", ".join(f"'{SourceType(t).value}'" for t in sorted(UNNAMED_TYPES))


def _documents(store: Store) -> dict[str, dict[str, Any]]:
    rows = store.con.execute(
        f"""
        SELECT coalesce(outlet, '{NO_OUTLET}') AS o, count(*), coalesce(sum(words), 0), mode(domain),
               count(*) FILTER (WHERE json_extract_string(report, '$.document.language') <> 'en')
        FROM documents GROUP BY o
        """  # noqa: S608 - constants only
    ).fetchall()
    # A NULL language (too short to tell) is not counted as foreign: `<> 'en'` is NULL for it.
    copied = _copied(store)
    return {
        r[0]: {"articles": r[1], "words": int(r[2]), "domain": r[3], "non_english": r[4],
               "copied": copied.get(r[0], 0)}
        for r in rows
    }


def _copied(store: Store) -> dict[str, int]:
    """Articles per outlet that copy an earlier article of their copy group (by date, else ingest
    order; the trace also reads credits, which this count does not)."""
    rows = store.con.execute(
        f"""
        SELECT o, count(*) FROM (
            SELECT coalesce(outlet, '{NO_OUTLET}') AS o,
                   row_number() OVER (PARTITION BY coalesce(copy_group, doc_id)
                                      ORDER BY published NULLS LAST, seq) AS place
            FROM documents
        ) WHERE place > 1 GROUP BY o
        """  # noqa: S608 - constants only
    ).fetchall()
    return {r[0]: int(r[1]) for r in rows}


def _claims(store: Store) -> dict[str, dict[str, Any]]:
    rows = store.con.execute(
        f"""
        SELECT coalesce(d.outlet, '{NO_OUTLET}') AS o, count(*),
               count(*) FILTER (WHERE c.innermost_type = '{SourceType.AUTHOR.value}' OR c.depth <= 1),
               count(*) FILTER (WHERE c.innermost_type IN ({_unnamed_sql()})),
               avg(c.depth)
        FROM claims c JOIN documents d USING (doc_id) GROUP BY o
        """  # noqa: S608 - constants only
    ).fetchall()
    return {r[0]: {"claims": r[1], "unattributed": r[2], "anonymous": r[3], "depth": r[4]} for r in rows}


def _framing(store: Store) -> dict[str, dict[str, int]] | None:
    """Technique counts per outlet; None when no framing rows are stored at all."""
    if store.count("framing") == 0:
        return None
    rows = store.con.execute(
        f"""
        SELECT coalesce(d.outlet, '{NO_OUTLET}') AS o, f.technique, count(*)
        FROM framing f JOIN documents d USING (doc_id)
        WHERE f.technique IS NOT NULL GROUP BY o, f.technique
        """  # noqa: S608 - constants only
    ).fetchall()
    counts: dict[str, dict[str, int]] = {}
    for outlet, technique, n in rows:
        per = counts.setdefault(outlet, {})
        key = _technique_key(technique)
        per[key] = per.get(key, 0) + n
    return counts


def _share(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def outlet_profiles(store: Store) -> list[OutletProfile]:
    """One profile per outlet, most articles first."""
    from sourcetrace.outlets.table import default_table

    table = default_table()
    documents = _documents(store)
    claims = _claims(store)
    framing = _framing(store)
    profiles: list[OutletProfile] = []
    for outlet, doc in documents.items():
        cl = claims.get(outlet, {"claims": 0, "unattributed": 0, "anonymous": 0, "depth": None})
        record = None if outlet == NO_OUTLET else table.first(doc["domain"], outlet)
        techniques = None if framing is None else dict(sorted(framing.get(outlet, {}).items()))
        loaded = None
        if techniques is not None:
            loaded = round(1000 * techniques.get(LOADED_LANGUAGE, 0) / max(doc["words"], 1), 3)
        profiles.append(
            OutletProfile(
                outlet=outlet,
                articles=doc["articles"],
                non_english_articles=doc["non_english"],
                copied_articles=doc["copied"],
                copied_share=_share(doc["copied"], doc["articles"]),
                claims=cl["claims"],
                words=doc["words"],
                unattributed_share=_share(cl["unattributed"], cl["claims"]),
                anonymous_share=_share(cl["anonymous"], cl["claims"]),
                mean_chain_depth=round(cl["depth"], 3) if cl["depth"] is not None else None,
                loaded_language_per_1k_words=loaded,
                techniques=techniques,
                domain=record.domain if record else doc["domain"],
                reliability=record.score if record else None,
                reliability_label=record.label if record else None,
            )
        )
    profiles.sort(key=lambda p: (-p.articles, p.outlet.lower()))
    return profiles
