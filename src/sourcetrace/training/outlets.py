"""Build the packaged outlet table from the four public rating sets plus the hand-written aliases.

    python -m sourcetrace.training.outlets --data ../shared/data/outlets \
        --out src/sourcetrace/data/outlets.json.gz

How the sets are combined (DATA_CARD.md says the same, with the counts):

* Every set's rating of a domain is mapped to a 0..1 score on one three-level scale:
  reliable = 1, mixed = 0.5, unreliable = 0 for the categorical sets (Burdisso et al.'s ground-truth
  label, MBFC factual reporting from Baly et al., OpenSources' worst type); Lin et al.'s continuous
  pc1 is mapped piecewise-linearly so that its two cut points fall on 1/3 and 2/3. The cut points are
  the ones that best reproduce Burdisso et al.'s three labels on the domains both rate (balanced
  recall, 0.01 grid), found here at build time and stored in the table.
* The combined score is the median of the scores of the sets that rate a domain (the mean of the two
  middle ones for an even count); its label is `reliable` from 2/3, `unreliable` below 1/3, `mixed`
  between. A set *agrees* when its own score falls in the same band.

The output is deterministic: sorted keys, no timestamps, gzip with mtime 0.
"""

from __future__ import annotations

import argparse
import bisect
import csv
import gzip
import hashlib
import json
import re
import statistics
import sys
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path
from typing import Any

from sourcetrace.modelfile import package_path
from sourcetrace.outlets.table import (
    FORMAT,
    NAME_TIERS,
    RATING_SETS,
    domain_key,
    name_key,
    registrable,
    verdict,
)

DEFAULT_DATA = Path("../shared/data/outlets")
DEFAULT_OUT = package_path("data") / "outlets.json.gz"
DEFAULT_ALIASES = package_path("data") / "outlet_aliases.tsv"

THRESHOLDS = (1 / 3, 2 / 3)
#: Lin et al. cut points used when Burdisso et al. is left out and cannot calibrate them: the values
#: the calibration finds on the full data.
DEFAULT_LIN_CUTS = {"reference": "fixed", "unreliable_below": 0.31, "reliable_from": 0.64}
CATEGORY_SCORE = {"reliable": 1.0, "mixed": 0.5, "unreliable": 0.0}

#: Burdisso et al. labels; -2 is undocumented and used for Wikipedia's deprecated/blacklisted sources.
BURDISSO_LABELS = {"1": "reliable", "0": "mixed", "-1": "unreliable", "-2": "unreliable"}
WIKIPEDIA_LABELS = {1: "generally-reliable", 0: "no-consensus", -1: "generally-unreliable", -2: "deprecated"}
BALY_FACT = {"high": "reliable", "mixed": "mixed", "low": "unreliable"}

#: OpenSources types by what they say about factual reliability; the worst type of a domain counts.
#: `bias` is "extreme bias" (propaganda, opinion as fact), so it sits in the unreliable band;
#: `satire` is not a factual source. `unknown`, `state` and `blog` carry no reliability judgement.
OPENSOURCES_SCORE = {
    "fake": 0.0,
    "conspiracy": 0.0,
    "junksci": 0.0,
    "hate": 0.0,
    "rumor": 0.0,
    "unreliable": 0.0,
    "satire": 0.0,
    "bias": 0.25,
    "clickbait": 0.5,
    "political": 0.5,
    "reliable": 1.0,
}

SET_META: dict[str, dict[str, str]] = {
    "lin2023": {
        "title": "Lin et al. 2023",
        "citation": "Lin, Lasser, Lewandowsky, Cole, Gully, Rand & Pennycook (2023), High level of "
        "correspondence across different news domain quality rating sets, PNAS Nexus 2(9), pgad286",
        "origin": "https://github.com/hauselin/domain-quality-ratings",
        "licence": "no licence file; README: feel free to reuse the data, cite the paper",
        "used": "domain_pc1.csv (pc1, 0 = lowest quality)",
    },
    "burdisso2024": {
        "title": "Burdisso et al. 2024",
        "citation": "Burdisso et al. (NAACL 2024), Reliability Estimation of News Media Sources: Birds of a "
        "Feather Flock Together",
        "origin": "https://github.com/idiap/News-Media-Reliability",
        "licence": "Apache-2.0; labels derived from MBFC / NewsGuard / Wikipedia, whose own terms may apply",
        "used": "golden_truth_dataset.csv (label); mbfc/mbfc.csv and wikipedia_perennial_sources.json "
        "as descriptive labels only",
    },
    "baly_mbfc": {
        "title": "Baly et al. (MBFC)",
        "citation": "Baly et al. (EMNLP 2018), Predicting Factuality of Reporting and Bias of News Media "
        "Sources; Baly et al. (ACL 2020)",
        "origin": "https://github.com/ramybaly/News-Media-Reliability",
        "licence": "no licence file in the repository; labels come from Media Bias/Fact Check",
        "used": "emnlp18 and acl2020 corpus.tsv (fact; acl2020 wins where both rate a source)",
    },
    "opensources": {
        "title": "OpenSources",
        "citation": "OpenSources.co domain list (2017), as shipped with FakeNewsCorpus",
        "origin": "https://github.com/several27/FakeNewsCorpus",
        "licence": "repository Apache-2.0; the OpenSources list was published as CC BY 4.0",
        "used": "websites.csv (type, 2nd_type, 3rd_type; the worst type counts)",
    },
}

FIELDS = ("domain", "name", "aliases", "score", "label", "labels", "ratings", "agreeing")


# --------------------------------------------------------------------------- collected data


@dataclass
class Entry:
    """What the sources say about one table key, before combining."""

    ratings: dict[str, float] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)  # tag key -> value; first writer wins
    flags: set[str] = field(default_factory=set)  # tags without a value (`opensources:fake`)
    names: list[tuple[int, str]] = field(default_factory=list)  # (priority, name); lower is better
    aliases: list[str] = field(default_factory=list)  # hand-written, in file order

    def tag(self, key: str, value: str) -> None:
        value = _slug(value)
        if value:
            self.tags.setdefault(key, value)


@dataclass
class Build:
    entries: dict[str, Entry] = field(default_factory=lambda: defaultdict(Entry))
    dropped: Counter[str] = field(default_factory=Counter)
    merged: Counter[str] = field(default_factory=Counter)
    calibration: dict[str, Any] = field(default_factory=dict)


def _slug(text: str) -> str:
    return "-".join(re.sub(r"[^\w/+.]+", " ", text.strip().lower()).split())


def _keyed(rows: Iterable[tuple[str, Any]], set_id: str, build: Build) -> dict[str, Any]:
    """Rows keyed by table key. When several raw domains normalise to one key, the raw form that is
    already the key wins (`espn.com` over `m.espn.com`), then the first in sorted order."""
    best: dict[str, tuple[int, str, Any]] = {}
    for raw, value in rows:
        key = domain_key(raw)
        if key is None:
            build.dropped[set_id] += 1
            continue
        rank = (0 if raw.strip().lower().rstrip("/") == key else 1, raw)
        if key in best:
            build.merged[set_id] += 1
            if rank >= best[key][:2]:
                continue
        best[key] = (*rank, value)
    return {key: value for key, (_, _, value) in best.items()}


def _csv(path: Path, **kwargs: Any) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh, **kwargs))


# --------------------------------------------------------------------------- readers


def read_lin(root: Path, build: Build) -> dict[str, float]:
    rows = _csv(root / "lin2023_domain_quality" / "domain_pc1.csv")
    return _keyed(((r["domain"], float(r["pc1"])) for r in rows), "lin2023", build)


def read_burdisso(root: Path, build: Build) -> None:
    base = root / "burdisso2024_idiap"
    gold = _keyed(((r["domain"], r) for r in _csv(base / "golden_truth_dataset.csv")), "burdisso2024", build)
    for key, row in gold.items():
        entry = build.entries[key]
        category = BURDISSO_LABELS.get(row["reliability_label"].strip())
        if category is None:
            build.dropped["burdisso2024"] += 1
            continue
        entry.ratings["burdisso2024"] = CATEGORY_SCORE[category]
        entry.tag("burdisso-label-from", row["label_source"])
        if row["newsguard_score"].strip():
            entry.tag("newsguard", f"{float(row['newsguard_score']):g}")
    mbfc = _keyed(((r["source"], r) for r in _csv(base / "mbfc" / "mbfc.csv")), "burdisso2024-mbfc", build)
    for key, row in mbfc.items():
        _mbfc_tags(build.entries[key], row)
    wiki = json.loads((base / "wikipedia_perennial_sources" / "wikipedia_perennial_sources.json").read_text())
    for key, value in _keyed(sorted(wiki.items()), "burdisso2024-wikipedia", build).items():
        if value in WIKIPEDIA_LABELS:
            build.entries[key].tag("wikipedia", WIKIPEDIA_LABELS[value])


def _mbfc_tags(entry: Entry, row: Mapping[str, str]) -> None:
    entry.tag("mbfc-factual", row["factual_reporting"])
    entry.tag("mbfc-bias", row["bias"])
    entry.tag("mbfc-credibility", row["mbfc_credibility_rating"].replace("credibility", ""))
    # `usa (44/180 press freedom)` -> usa: the ranking belongs to the country, not the outlet.
    country = re.sub(r"\(.*?\)", "", row["country"]).strip()
    if country and country != "unknown":
        entry.tag("country", country)
    entry.tag("media", row["media_type"])


def read_baly(root: Path, build: Build) -> None:
    base = root / "baly2018_mbfc"
    fact: dict[str, str] = {}
    bias: dict[str, str] = {}
    # acl2020 is the newer snapshot, so its factuality wins; emnlp18's 7-way bias is finer than
    # acl2020's 3-way one, so its bias wins.
    for corpus in ("acl2020", "emnlp18"):
        rows = _csv(base / corpus / "corpus.tsv", delimiter="\t")
        for key, row in _keyed(((r["source_url"], r) for r in rows), "baly_mbfc", build).items():
            fact.setdefault(key, row["fact"].strip().lower())
            if corpus == "emnlp18" or key not in bias:
                bias[key] = row["bias"]
            name = _slug_name(row["ref"])
            if name and _consistent(name, key) and (2, name) not in build.entries[key].names:
                build.entries[key].names.append((2, name))
    for key, value in fact.items():
        entry = build.entries[key]
        if value in BALY_FACT:
            entry.ratings["baly_mbfc"] = CATEGORY_SCORE[BALY_FACT[value]]
        # Burdisso's MBFC scrape is newer; these only fill in what it lacks.
        entry.tag("mbfc-factual", value)
        entry.tag("mbfc-bias", bias[key])


def read_opensources(root: Path, build: Build) -> None:
    rows = _csv(root / "opensources_websites" / "websites.csv")
    for key, row in _keyed(((r["url"], r) for r in rows), "opensources", build).items():
        entry = build.entries[key]
        types = [row[c].strip().lower() for c in ("type", "2nd_type", "3rd_type") if row[c].strip()]
        for kind in types:
            entry.flags.add(f"opensources:{_slug(kind)}")
        scores = [OPENSOURCES_SCORE[t] for t in types if t in OPENSOURCES_SCORE]
        if scores:
            entry.ratings["opensources"] = min(scores)
        if row["active"].strip().upper() == "N":
            entry.flags.add("opensources:inactive")


def read_nela_names(root: Path, build: Build) -> None:
    path = root / "burdisso2024_idiap" / "nela-gt" / "labels_nela_gt+domain(2018).csv"
    for row in _csv(path):
        key = domain_key(row["domain"]) if row["domain"].strip() else None
        name = row["Source"].strip()
        # NELA-GT pairs some names with the wrong domain (a blog name on a publisher's domain);
        # a name is kept only when it visibly belongs to its domain.
        if key and name and _consistent(name, key):
            build.entries[key].names.append((1, name))


def read_aliases(path: Path, build: Build, lowercase: set[str] | None = None) -> dict[str, str]:
    """The hand-written TSV: returns alias key -> domain; errors on duplicates or bad rows.

    `lowercase` collects the keys of aliases written all in lower case (`dpa`): the outlet's own
    spelling, which a strict lookup accepts without a capital letter."""
    index: dict[str, str] = {}
    seen_domains: set[str] = set()
    with path.open(encoding="utf-8") as fh:
        lines = [(n, line.rstrip("\n")) for n, line in enumerate(fh, 1)]
    for number, line in lines:
        if not line.strip() or line.startswith("#") or line.startswith("domain\t"):
            continue
        cells = (line.split("\t") + [""] * 5)[:5]
        domain, name, aliases, kinds, also = (c.strip() for c in cells)
        key = domain_key(domain)
        if key is None or key != domain or not name:
            raise ValueError(f"{path}:{number}: bad row (domain must be a normalised domain, name required)")
        if key in seen_domains:
            raise ValueError(f"{path}:{number}: {key} listed twice")
        seen_domains.add(key)
        entry = build.entries[key]
        entry.names.append((0, name))
        for kind in filter(None, kinds.split("|")):
            entry.flags.add(f"kind:{_slug(kind)}")
        for alias in [name, *filter(None, (a.strip() for a in aliases.split("|")))]:
            if alias != name and alias not in entry.aliases:
                entry.aliases.append(alias)
            akey = name_key(alias)
            if lowercase is not None and alias == alias.lower():
                lowercase.add(akey)
            if index.get(akey, key) != key:
                raise ValueError(f"{path}:{number}: alias {alias!r} already names {index[akey]}")
            index[akey] = key
        for other in filter(None, (o.strip() for o in also.split("|"))):
            okey = domain_key(other)
            if okey is None:
                raise ValueError(f"{path}:{number}: bad other domain {other!r}")
            build.entries[okey].names.append((0, name))
            for kind in filter(None, kinds.split("|")):
                build.entries[okey].flags.add(f"kind:{_slug(kind)}")
    return index


# --------------------------------------------------------------------------- names


_SLUG_TLDS = frozenset("com net org info us co".split())
_SMALL_WORDS = frozenset("a an and at de du el for in la le of on the to".split())


def _slug_name(ref: str) -> str | None:
    """`http://mediabiasfactcheck.com/the-village-voice/` -> `The Village Voice`."""
    slug = ref.strip().rstrip("/").rsplit("/", 1)[-1]
    slug = re.sub(r"-[2-9]$", "", slug)  # WordPress's suffix for a second page with the same title
    if not slug or "." in slug or "?" in slug:
        return None
    words: list[str] = []
    parts = slug.split("-")
    for i, word in enumerate(parts):
        if i and i == len(parts) - 1 and word in _SLUG_TLDS:
            words[-1] += "." + word  # `loser-com` -> `Loser.com`
            continue
        if len(word) <= 3 and not re.search(r"[aeiou]", word):
            words.append(word.upper())  # cnn, nbc, wnd
        elif i and word in _SMALL_WORDS:
            words.append(word)
        else:
            words.append(word[:1].upper() + word[1:])
    return " ".join(words)


def _squash(text: str) -> str:
    squashed = name_key(text).replace(" ", "")
    return squashed[3:] if squashed.startswith("the") and len(squashed) > 6 else squashed


def _stem(key: str) -> str | None:
    host = key.split("/", 1)[0]
    labels = host.split(".")
    for i in range(len(labels)):
        parts = registrable(".".join(labels[i:]))
        if parts is not None:
            return parts[0]
    return None


def _consistent(name: str, key: str) -> bool:
    """Whether a name visibly belongs to a domain: its stem is in the name or the name in the host."""
    squashed = _squash(name)
    stem = _stem(key)
    host = re.sub(r"[^a-z0-9]", "", key.split("/", 1)[0])
    if stem is not None:
        stem = _squash(stem.replace("-", ""))
        if len(stem) >= 3 and stem in squashed:
            return True
    return len(squashed) >= 3 and squashed in host


def _rank(key: str, entry: Entry) -> tuple[Any, ...]:
    """Which domain a shared name should find: the most-rated one, then .com/.org/.net, then shortest."""
    suffix = key.rsplit(".", 1)[-1].split("/", 1)[0]
    return (-len(entry.ratings), {"com": 0, "org": 1, "net": 2}.get(suffix, 3), "/" in key, len(key), key)


def name_indexes(build: Build, alias_index: dict[str, str]) -> dict[str, dict[str, str]]:
    taken = set(alias_index)
    candidates: dict[str, list[str]] = defaultdict(list)
    for key, entry in build.entries.items():
        for _, name in entry.names:
            candidates[name_key(name)].append(key)
    names = _pick(candidates, build, taken)
    taken |= set(names)
    stems: dict[str, list[str]] = defaultdict(list)
    for key, entry in build.entries.items():
        if "/" in key or not entry.ratings:
            continue
        parts = registrable(key)
        if parts is None:
            continue  # subdomains (`news.sky.com`) do not own their parent's name
        stem = name_key(parts[0])
        if len(stem.replace(" ", "")) >= 3 and not stem.isdigit():
            stems[stem].append(key)
    domain_names = _pick(stems, build, taken)
    return {"alias": dict(sorted(alias_index.items())), "name": names, "domain_name": domain_names}


def _pick(candidates: Mapping[str, list[str]], build: Build, taken: set[str]) -> dict[str, str]:
    return {
        k: min(set(keys), key=lambda d: _rank(d, build.entries[d]))
        for k, keys in sorted(candidates.items())
        if k and k not in taken
    }


# --------------------------------------------------------------------------- combining


def calibrate(lin: Mapping[str, float], reference: Mapping[str, float]) -> dict[str, Any]:
    """Cut points (t1, t2) on pc1 that best reproduce the reference's three bands (balanced recall)."""
    by_class: dict[str, list[float]] = defaultdict(list)
    for key, score in reference.items():
        if key in lin:
            by_class[verdict(score, THRESHOLDS)].append(lin[key])
    for values in by_class.values():
        values.sort()

    def at_least(values: list[float], t: float) -> int:
        return len(values) - bisect.bisect_left(values, t - 1e-12)

    best: tuple[float, float, float] | None = None
    for a in range(5, 95):
        for b in range(a + 1, 96):
            t1, t2 = a / 100, b / 100
            un, mi, re_ = by_class["unreliable"], by_class["mixed"], by_class["reliable"]
            recall = (
                (len(un) - at_least(un, t1)) / len(un)
                + (at_least(mi, t1) - at_least(mi, t2)) / len(mi)
                + at_least(re_, t2) / len(re_)
            ) / 3
            if best is None or recall > best[0] + 1e-12:
                best = (recall, t1, t2)
    assert best is not None
    recall, t1, t2 = best
    return {
        "reference": "burdisso2024",
        "overlap": sum(len(v) for v in by_class.values()),
        "unreliable_below": t1,
        "reliable_from": t2,
        "balanced_recall": round(recall, 4),
    }


def lin_score(pc1: float, t1: float, t2: float) -> float:
    """pc1 -> the shared scale: [0, t1] -> [0, 1/3], [t1, t2] -> [1/3, 2/3], [t2, 1] -> [2/3, 1]."""
    low, high = THRESHOLDS
    if pc1 < t1:
        return pc1 / t1 * low
    if pc1 < t2:
        return low + (pc1 - t1) / (t2 - t1) * (high - low)
    return high + (pc1 - t2) / (1 - t2) * (1 - high)


def combine(entry: Entry) -> tuple[float | None, str | None, list[str]]:
    if not entry.ratings:
        return None, None, []
    # The median, not the mean: the sets share sources (MBFC feeds three of them), so one set that
    # disagrees with the rest should not drag the label across a band.
    score = round(statistics.median(entry.ratings.values()), 3)
    label = verdict(score, THRESHOLDS)
    agreeing = [
        s for s in RATING_SETS if s in entry.ratings and verdict(entry.ratings[s], THRESHOLDS) == label
    ]
    return score, label, agreeing


def _display_name(key: str, entry: Entry, entries: Mapping[str, Entry]) -> str:
    if entry.names:
        return min(entry.names)[1]
    # `edition.cnn.com` is CNN: a subdomain without a name of its own takes its parent's.
    labels = key.split("/", 1)[0].split(".")
    for i in range(0 if "/" in key else 1, len(labels) - 1):
        parent = entries.get(".".join(labels[i:]))
        if parent is not None and parent.names:
            return min(parent.names)[1]
    return key


def _aliases(entry: Entry, display: str) -> list[str]:
    out: list[str] = []
    seen = {name_key(display)}
    for name in [*entry.aliases, *(n for _, n in sorted(entry.names))]:
        k = name_key(name)
        if k not in seen:
            seen.add(k)
            out.append(name)
    return out


# --------------------------------------------------------------------------- build


def build_table(
    data: Path, aliases: Path = DEFAULT_ALIASES, sets: Iterable[str] = RATING_SETS
) -> dict[str, Any]:
    """The table as a JSON-able dict. `sets` leaves rating sets out (e.g. over licence doubts)."""
    chosen = [s for s in RATING_SETS if s in set(sets)]
    unknown = set(sets) - set(RATING_SETS)
    if unknown or not chosen:
        raise ValueError(f"unknown or no rating sets: {sorted(unknown)}; choose from {RATING_SETS}")
    build = Build()
    lin = read_lin(data, build) if "lin2023" in chosen else {}
    if "burdisso2024" in chosen:
        read_burdisso(data, build)
    if "baly_mbfc" in chosen:
        read_baly(data, build)
    if "opensources" in chosen:
        read_opensources(data, build)
    read_nela_names(data, build)
    lowercase: set[str] = set()
    alias_index = read_aliases(aliases, build, lowercase)

    reference = {
        k: e.ratings["burdisso2024"] for k, e in build.entries.items() if "burdisso2024" in e.ratings
    }
    calibration = calibrate(lin, reference) if lin and reference else dict(DEFAULT_LIN_CUTS)
    t1, t2 = calibration["unreliable_below"], calibration["reliable_from"]
    for key, pc1 in lin.items():
        build.entries[key].ratings["lin2023"] = lin_score(pc1, t1, t2)
        build.entries[key].tag("lin2023-pc1", f"{pc1:.3f}")

    records = []
    for key in sorted(build.entries):
        entry = build.entries[key]
        entry.ratings = {s: round(entry.ratings[s], 3) for s in RATING_SETS if s in entry.ratings}
        score, label, agreeing = combine(entry)
        display = _display_name(key, entry, build.entries)
        tags = sorted({*(f"{k}:{v}" for k, v in entry.tags.items()), *entry.flags})
        records.append([key, display, _aliases(entry, display), score, label, tags, entry.ratings, agreeing])

    names = name_indexes(build, alias_index)
    return {
        "format": FORMAT,
        "fields": list(FIELDS),
        "thresholds": [round(t, 6) for t in THRESHOLDS],
        "calibration": {"lin2023": calibration} if lin else {},
        "sets": {
            s: {**SET_META[s], "rated": sum(1 for e in build.entries.values() if s in e.ratings)}
            for s in chosen
        },
        "stats": _stats(records, build),
        "inputs": _input_hashes(data, aliases),
        "records": records,
        "names": {**{tier: names[tier] for tier in NAME_TIERS}, "lowercase": sorted(lowercase)},
    }


def _stats(records: list[list[Any]], build: Build) -> dict[str, Any]:
    col = {f: i for i, f in enumerate(FIELDS)}
    rated = [r for r in records if r[col["score"]] is not None]
    multi = [r for r in rated if len(r[col["ratings"]]) >= 2]
    pairwise: dict[str, dict[str, float | int]] = {}
    for a, b in combinations([s for s in RATING_SETS if any(s in r[col["ratings"]] for r in rated)], 2):
        both = [r[col["ratings"]] for r in rated if a in r[col["ratings"]] and b in r[col["ratings"]]]
        same = sum(verdict(x[a], THRESHOLDS) == verdict(x[b], THRESHOLDS) for x in both)
        pairwise[f"{a}~{b}"] = {"both": len(both), "agree": round(same / len(both), 3) if both else 0.0}
    return {
        "records": len(records),
        "rated": len(rated),
        "labels": dict(sorted(Counter(r[col["label"]] for r in rated).items())),
        "by_number_of_sets": dict(sorted(Counter(str(len(r[col["ratings"]])) for r in rated).items())),
        "rated_by_2_or_more": len(multi),
        "all_sets_agree_of_those": sum(len(r[col["agreeing"]]) == len(r[col["ratings"]]) for r in multi),
        "pairwise_agreement": pairwise,
        "dropped_invalid_domains": dict(sorted(build.dropped.items())),
        "merged_duplicate_keys": dict(sorted(build.merged.items())),
    }


def _input_hashes(data: Path, aliases: Path) -> dict[str, str]:
    files = sorted(p for p in data.rglob("*") if p.is_file())
    hashes = {str(p.relative_to(data)): hashlib.sha256(p.read_bytes()).hexdigest()[:16] for p in files}
    hashes["outlet_aliases.tsv"] = hashlib.sha256(aliases.read_bytes()).hexdigest()[:16]
    return hashes


def dump(table: Mapping[str, Any]) -> bytes:
    """Deterministic bytes: sorted keys, compact separators, gzip without a timestamp."""
    raw = json.dumps(table, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return gzip.compress(raw, compresslevel=9, mtime=0)


def main(argv: list[str] | None = None, *, echo: Callable[[str], None] = print) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m sourcetrace.training.outlets", description=__doc__.split("\n")[0]
    )
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the shared outlets folder")
    ap.add_argument("--aliases", type=Path, default=DEFAULT_ALIASES, help="hand-written alias TSV")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output .json.gz")
    ap.add_argument(
        "--sets",
        default=",".join(RATING_SETS),
        help=f"comma-separated rating sets to include (default: all of {','.join(RATING_SETS)})",
    )
    args = ap.parse_args(argv)
    if not (args.data / "lin2023_domain_quality").is_dir():
        echo(f"error: {args.data} is not the shared outlets folder (no lin2023_domain_quality/)")
        return 2
    sets = [s.strip() for s in args.sets.split(",") if s.strip()]
    if not sets or set(sets) - set(RATING_SETS):
        echo(f"error: --sets takes names from {','.join(RATING_SETS)}")
        return 2
    table = build_table(args.data, args.aliases, sets)
    blob = dump(table)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(blob)
    stats = table["stats"]
    echo(f"wrote {args.out} ({len(blob) / 1024:.0f} KiB): {stats['records']} outlets, {stats['rated']} rated")
    echo(json.dumps({"sets": {k: v["rated"] for k, v in table["sets"].items()}, **stats}, indent=1))
    echo(json.dumps(table["calibration"]))
    echo("names: " + ", ".join(f"{t} {len(table['names'][t])}" for t in NAME_TIERS))
    return 0


if __name__ == "__main__":
    sys.exit(main())
