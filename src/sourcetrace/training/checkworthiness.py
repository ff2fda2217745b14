"""Train the check-worthiness model on CheckThat! 2024 English train; score it once on dev; write card.

    python -m sourcetrace.training.checkworthiness --data ../shared/data/checkworthiness \
        --out src/sourcetrace/models/checkworthiness

Every choice is made on the train file alone, by stratified 5-fold cross-validation with a fixed seed:

1. candidates (`CANDIDATES`): which hashed TF-IDF blocks (word, word + tags, word + char,
   word + char + tags), which learner (linear SVM or logistic regression), its C and class weight;
2. for each, out-of-fold margins; the Platt sigmoid and the probability threshold with the best
   positive-class F1 are fitted on the other folds' margins and applied to the held-out fold, so
   each fold's F1 is scored on sentences that chose nothing (mean and sd over the folds);
3. the candidate with the best mean fold F1 wins (the earlier, smaller candidate on a tie); its
   sigmoid and threshold are refitted on all out-of-fold margins and it is refitted on all of train.

The folds keep ClaimBuster sentence ids in blocks of `ID_BLOCK` together (sentences of one debate
have neighbouring ids), so a fold is scored on debates its model never saw; files whose ids are not
numbers, or too few blocks, fall back to plain stratified folds. Dev is scored exactly once, at the
end, through the saved file, for the model card (`--no-dev` skips it). Deterministic (stateless
hashing, fixed fold seed, seeded liblinear), CPU only, single-threaded, a few minutes on 2 cores.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from rich.console import Console
from scipy import sparse
from scipy.special import expit
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold
from sklearn.svm import LinearSVC

from sourcetrace.eval.arguments import model_train_parser
from sourcetrace.eval.checkworthiness import (
    FILE_PATTERN,
    PRF,
    CheckworthinessResult,
    Split,
    baseline_scores,
    evaluate,
    load_split,
    scores_table,
)
from sourcetrace.modelfile import save_card
from sourcetrace.nlp.checkworthiness.model import (
    BLOCKS,
    MODEL_FILE,
    N_FEATURES,
    BlockSpec,
    CheckworthinessModel,
    _Block,
    hashed_counts,
    idf_weights,
    sha256_file,
    tag_strings,
    tfidf,
)
from sourcetrace.nlp.loader import DEFAULT_MODEL, load_tagger_pipeline

SEED = 13
FOLDS = 5
#: Cross-validation groups: sentence ids // ID_BLOCK (ClaimBuster numbers a debate's sentences in order).
ID_BLOCK = 1000
CARD = "MODEL_CARD.md"

Folds = list[tuple[np.ndarray, np.ndarray]]


@dataclass(frozen=True, slots=True)
class Candidate:
    """One configuration the cross-validation compares: blocks, learner, C and class weight."""

    blocks: tuple[BlockSpec, ...]
    learner: str  # "svm" (LinearSVC, hinge^2) or "logreg" (logistic regression)
    c: float
    class_weight: str | None  # "balanced" or None

    @property
    def name(self) -> str:
        weight = "balanced" if self.class_weight else "unweighted"
        blocks = "+".join(b.name if b.weight == 1.0 else f"{b.name}x{b.weight:g}" for b in self.blocks)
        return f"{blocks} {self.learner} C={self.c:g} {weight}"

    def estimator(self) -> LinearSVC | LogisticRegression:
        if self.learner == "svm":
            return LinearSVC(C=self.c, class_weight=self.class_weight, random_state=SEED, max_iter=10_000)
        # Dual liblinear: fast when there are far more hashed columns than sentences.
        return LogisticRegression(
            C=self.c, class_weight=self.class_weight, solver="liblinear", dual=True, max_iter=5_000,
            random_state=SEED,
        )

    def to_state(self) -> dict[str, Any]:
        return {
            "blocks": [b.name for b in self.blocks],
            "learner": self.learner,
            "c": self.c,
            "class_weight": self.class_weight,
        }


_WORD, _CHAR, _TAGS = BLOCKS
FEATURE_SETS: tuple[tuple[BlockSpec, ...], ...] = (
    (_WORD,),
    (_WORD, _TAGS),
    (_WORD, _CHAR),
    (_WORD, _CHAR, _TAGS),
)
LEARNERS: tuple[tuple[str, float, str | None], ...] = (
    ("svm", 0.03, "balanced"),
    ("svm", 0.1, "balanced"),
    ("svm", 0.3, "balanced"),
    ("svm", 0.1, None),
    ("logreg", 1.0, "balanced"),
    ("logreg", 3.0, "balanced"),
    ("logreg", 10.0, "balanced"),
)
#: Every configuration compared, smallest feature set first (ties go to the earlier one).
CANDIDATES: tuple[Candidate, ...] = tuple(
    Candidate(f, *learner) for f in FEATURE_SETS for learner in LEARNERS
)


@dataclass(slots=True)
class CVReport:
    threshold: float
    platt: tuple[float, float]
    at_threshold: PRF
    at_half: PRF


@dataclass(slots=True)
class CandidateScore:
    candidate: Candidate
    fold_f1: list[float]  # per fold, sigmoid and threshold fitted on the other folds
    margins: np.ndarray  # out-of-fold

    @property
    def mean(self) -> float:
        return float(np.mean(self.fold_f1))

    @property
    def sd(self) -> float:
        return float(np.std(self.fold_f1))


# ------------------------------------------------------------------------------------------- folds


def id_groups(ids: Sequence[str]) -> np.ndarray | None:
    """Blocks of neighbouring sentence ids, or None when ids are not numbers or give too few blocks."""
    try:
        numbers = np.array([int(i) for i in ids], dtype=np.int64)
    except ValueError:
        return None
    groups = numbers // ID_BLOCK
    return groups if len(np.unique(groups)) >= 2 * FOLDS else None


def cv_folds(ids: Sequence[str], labels: np.ndarray) -> tuple[Folds, str]:
    """Stratified 5-fold split of train (grouped by id block where possible) and its description."""
    groups = id_groups(ids)
    x = np.zeros(len(labels))
    if groups is None:
        folds = StratifiedKFold(FOLDS, shuffle=True, random_state=SEED)
        return list(folds.split(x, labels)), f"stratified {FOLDS}-fold (seed {SEED})"
    grouped = StratifiedGroupKFold(FOLDS, shuffle=True, random_state=SEED)
    return (
        list(grouped.split(x, labels, groups)),
        f"stratified {FOLDS}-fold grouped by sentence-id blocks of {ID_BLOCK} (seed {SEED})",
    )


def stratified_folds(labels: np.ndarray) -> Folds:
    """Plain stratified 5-fold split (the semantic variant's linear part uses it)."""
    folds = StratifiedKFold(FOLDS, shuffle=True, random_state=SEED)
    return list(folds.split(np.zeros(len(labels)), labels))


# ------------------------------------------------------------------------------------ fitting


def _design(
    blocks: Sequence[BlockSpec], counts: Sequence[Any], rows: np.ndarray | None, idfs: Sequence[np.ndarray]
) -> Any:
    parts = []
    for spec, c, idf in zip(blocks, counts, idfs, strict=True):
        sub = c if rows is None else c[rows]
        parts.append(tfidf(sub, idf, spec.weight))
    return sparse.hstack(parts).tocsr()


def fit_blocks(
    counts: Sequence[Any], labels: np.ndarray, candidate: Candidate
) -> tuple[list[_Block], float]:
    """idf per block + one linear model over the concatenated blocks; per-block weights and intercept.

    `counts`: raw hashed counts of `candidate.blocks`, in that order.
    """
    idfs = [idf_weights(c, spec.min_df) for spec, c in zip(candidate.blocks, counts, strict=True)]
    clf = candidate.estimator().fit(_design(candidate.blocks, counts, None, idfs), labels)
    coef = np.asarray(clf.coef_).ravel().astype(np.float32)
    blocks = [
        _Block(spec, idf, coef[i * N_FEATURES : (i + 1) * N_FEATURES].copy())
        for i, (spec, idf) in enumerate(zip(candidate.blocks, idfs, strict=True))
    ]
    return blocks, float(np.asarray(clf.intercept_).ravel()[0])


def cross_validate(
    counts: Sequence[Any], labels: np.ndarray, candidate: Candidate, folds: Folds
) -> np.ndarray:
    """Out-of-fold margins; idf is refitted inside each fold so nothing leaks."""
    margins = np.zeros(len(labels))
    for train_idx, test_idx in folds:
        idfs = [
            idf_weights(c[train_idx], spec.min_df) for spec, c in zip(candidate.blocks, counts, strict=True)
        ]
        clf = candidate.estimator().fit(_design(candidate.blocks, counts, train_idx, idfs), labels[train_idx])
        margins[test_idx] = clf.decision_function(_design(candidate.blocks, counts, test_idx, idfs))
    return margins


def calibrate(margins: np.ndarray, labels: np.ndarray) -> CVReport:
    """Platt sigmoid on out-of-fold margins, then the probability threshold with the best F1 there."""
    lr = LogisticRegression(C=1e4, max_iter=1000).fit(margins.reshape(-1, 1), labels)
    platt = (float(lr.coef_[0, 0]), float(lr.intercept_[0]))
    a, b = platt
    probs = expit(a * margins + b)
    best: tuple[float, float] | None = None
    for t in np.round(np.arange(0.10, 0.901, 0.005), 3):
        f1 = PRF.from_predictions(labels.tolist(), (probs >= t).astype(int).tolist()).f1
        if best is None or f1 > best[1]:
            best = (float(t), f1)
    assert best is not None
    threshold = best[0]
    return CVReport(
        threshold,
        platt,
        PRF.from_predictions(labels.tolist(), (probs >= threshold).astype(int).tolist()),
        PRF.from_predictions(labels.tolist(), (probs >= 0.5).astype(int).tolist()),
    )


def fold_f1(margins: np.ndarray, labels: np.ndarray, folds: Folds) -> list[float]:
    """Each fold's F1 with the sigmoid and threshold calibrated on the other folds' margins only."""
    out = []
    for _, test_idx in folds:
        rest = np.setdiff1d(np.arange(len(labels)), test_idx)
        report = calibrate(margins[rest], labels[rest])
        a, b = report.platt
        predicted = expit(a * margins[test_idx] + b) >= report.threshold
        out.append(PRF.from_predictions(labels[test_idx].tolist(), predicted.astype(int).tolist()).f1)
    return out


def baseline_fold_f1(texts: Sequence[str], labels: np.ndarray, folds: Folds) -> list[float]:
    """The plain TF-IDF + logistic-regression baseline of `sourcetrace eval checkworthiness`, same folds."""
    out = []
    for train_idx, test_idx in folds:
        fit = Split([], [texts[i] for i in train_idx], labels[train_idx].tolist())
        probs = baseline_scores(fit, [texts[i] for i in test_idx])
        out.append(PRF.from_predictions(labels[test_idx].tolist(), [int(p >= 0.5) for p in probs]).f1)
    return out


def select(
    counts: dict[BlockSpec, Any],
    labels: np.ndarray,
    folds: Folds,
    candidates: Iterable[Candidate] = CANDIDATES,
    log: Any = print,
) -> list[CandidateScore]:
    """Cross-validate every candidate; best mean fold F1 first (stable: earlier candidates win ties)."""
    scores = []
    for candidate in candidates:
        start = time.perf_counter()
        margins = cross_validate([counts[b] for b in candidate.blocks], labels, candidate, folds)
        score = CandidateScore(candidate, fold_f1(margins, labels, folds), margins)
        seconds = time.perf_counter() - start
        log(f"  {candidate.name:48s} CV F1 {score.mean:.4f} ± {score.sd:.4f} ({seconds:.0f}s)")
        scores.append(score)
    return sorted(scores, key=lambda s: -s.mean)


# ------------------------------------------------------------------------------------ training


def train(data_dir: Path, log: Any = print) -> tuple[CheckworthinessModel, dict[str, Any]]:
    t0 = time.perf_counter()
    split: Split = load_split(data_dir, "train")
    labels = np.asarray(split.labels, dtype=np.int64)
    log(f"train: {len(labels)} sentences, {int(labels.sum())} check-worthy")
    nlp = load_tagger_pipeline()
    tags = tag_strings(list(nlp.pipe(split.texts, batch_size=256)))
    t_tag = time.perf_counter() - t0
    log(f"tagged in {t_tag:.0f}s")
    counts = {spec: hashed_counts(spec, split.texts, tags) for spec in BLOCKS}
    folds, scheme = cv_folds(split.ids, labels)
    log(f"{len(CANDIDATES)} candidates, {scheme}:")
    ranking = select(counts, labels, folds, log=log)
    best = ranking[0]
    chosen = best.candidate
    cv = calibrate(best.margins, labels)
    baseline = baseline_fold_f1(split.texts, labels, folds)
    log(
        f"chosen: {chosen.name}; CV F1 {best.mean:.4f} ± {best.sd:.4f}; threshold {cv.threshold:.3f} "
        f"(pooled out-of-fold P {cv.at_threshold.precision:.3f} R {cv.at_threshold.recall:.3f} "
        f"F1 {cv.at_threshold.f1:.3f}); baseline CV F1 {np.mean(baseline):.4f} ± {np.std(baseline):.4f}"
    )
    ungrouped = stratified_folds(labels)
    plain_margins = cross_validate([counts[b] for b in chosen.blocks], labels, chosen, ungrouped)
    plain = fold_f1(plain_margins, labels, ungrouped)
    blocks, intercept = fit_blocks([counts[b] for b in chosen.blocks], labels, chosen)
    train_seconds = time.perf_counter() - t0
    info: dict[str, Any] = {
        "trained": dt.date.today().isoformat(),
        "train_file": FILE_PATTERN.format(split="train"),
        "train_sha256": sha256_file(Path(data_dir) / FILE_PATTERN.format(split="train")),
        "train_sentences": len(labels),
        "train_positive": int(labels.sum()),
        "pipeline": DEFAULT_MODEL,
        "chosen": chosen.to_state(),
        "chosen_name": chosen.name,
        "cv_scheme": scheme,
        "cv_folds": FOLDS,
        "cv_f1_mean": round(best.mean, 4),
        "cv_f1_sd": round(best.sd, 4),
        "cv_fold_f1": [round(f, 4) for f in best.fold_f1],
        "cv_table": [[s.candidate.name, round(s.mean, 4), round(s.sd, 4)] for s in ranking],
        "cv_threshold": cv.threshold,
        "cv_precision": cv.at_threshold.precision,
        "cv_recall": cv.at_threshold.recall,
        "cv_f1": cv.at_threshold.f1,
        "cv_f1_at_0.5": cv.at_half.f1,
        "cv_baseline_f1_mean": round(float(np.mean(baseline)), 4),
        "cv_baseline_f1_sd": round(float(np.std(baseline)), 4),
        "cv_ungrouped_f1_mean": round(float(np.mean(plain)), 4),
        "cv_ungrouped_f1_sd": round(float(np.std(plain)), 4),
        "train_seconds": round(train_seconds, 1),
        "tag_seconds": round(t_tag, 1),
    }
    model = CheckworthinessModel(blocks, intercept, cv.platt, cv.threshold, info, nlp)
    return model, info


def measure_speed(model: CheckworthinessModel, texts: Sequence[str]) -> dict[str, float]:
    """Sentences per second: with spaCy tagging (`score`) and on pre-tagged sentences."""
    docs_start = time.perf_counter()
    docs = list(model.nlp.pipe(texts, batch_size=256))
    tag_s = time.perf_counter() - docs_start
    start = time.perf_counter()
    model.score_spans(docs)
    pre_s = time.perf_counter() - start
    return {"with_tagging": len(texts) / (tag_s + pre_s), "pretagged": len(texts) / pre_s}


def write_card(out: Path, info: dict[str, Any], result: CheckworthinessResult | None, data_arg: str) -> Path:
    size_kib = (out / MODEL_FILE).stat().st_size / 1024
    chosen = info["chosen"]
    learner = {"svm": "Linear SVM (liblinear, squared hinge)", "logreg": "Logistic regression (liblinear)"}[
        chosen["learner"]
    ]
    weighting = "class-balanced" if chosen["class_weight"] else "unweighted"
    lines = [
        "# Check-worthiness model",
        "",
        "Scores a sentence 0..1 for how likely it states a checkable fact (`Claim.checkworthiness`).",
        f"Trained {info['trained']} by `python -m sourcetrace.training.checkworthiness`.",
        "",
        "## Training data",
        "",
        "CheckThat! 2024 Task 1, English check-worthiness (Barron-Cedeno et al., CLEF 2024), which is the",
        "ClaimBuster data set (Arslan et al., ICWSM 2020): sentences from US presidential debates 1960-2016.",
        f"Train: `{info['train_file']}`, {info['train_sentences']:,} sentences",
        f"({info['train_positive']:,} labelled Yes, crowdsourced labels), sha256 `{info['train_sha256']}`.",
        "Dev: 1,032 ClaimBuster ground-truth sentences (245 Yes), scored once by the training command",
        "after every choice below was made; it chose nothing. Copy used:",
        "https://github.com/jjasardi/BA-CheckThat2024 commit 862c072f453371dc232ee5b85b48df4b20557a05",
        "(`data_s/CT24_checkworthy_english/`).",
        "",
        "Terms, as stated in the data README: that repository carries no licence; the ClaimBuster data",
        "set is Zenodo record 3609356; CheckThat! lab terms apply. Research use. Cite Arslan et al. 2020",
        "and the CheckThat! 2024 overview. No data-set text is stored in this model: only hashed n-gram",
        "indices, idf values and weights.",
        "",
        "Caveat: debate speech, not news prose; scores on news sentences are not measured.",
        "",
        "## Model",
        "",
        f"{learner}, C = {chosen['c']:g}, {weighting}, over hashed TF-IDF blocks",
        f"(2^{N_FEATURES.bit_length() - 1} columns each, sublinear tf, smoothed idf, rows L2-normalised):",
        "",
        "| block | view | n-grams | min df | weight |",
        "| --- | --- | --- | --- | --- |",
    ]
    by_name = {spec.name: spec for spec in BLOCKS}
    for name in chosen["blocks"]:
        spec = by_name[name]
        view = "spaCy fine-grained tags" if spec.view == "tags" else "lowercased text, digits -> 0"
        lines.append(
            f"| {spec.name} | {view} | {spec.analyzer} {spec.ngram_range[0]}-{spec.ngram_range[1]} "
            f"| {spec.min_df} | {spec.weight:g} |"
        )
    lines += [
        "",
        f"Tags come from `{info['pipeline']}` (tok2vec + tagger). The margin becomes a probability",
        f"through a Platt sigmoid; a sentence is check-worthy at probability >= {info['cv_threshold']:.3f}.",
        "",
        "## What was chosen on which data",
        "",
        f"Cross-validation: {info['cv_scheme']}, on train only. Sentences of one debate have",
        "neighbouring ClaimBuster ids, so grouping by id block scores each fold on debates its model",
        "never saw (ungrouped folds share debates and read higher, see below).",
        "",
        "| choice | chosen on | how |",
        "| --- | --- | --- |",
        "| blocks (word; word+tags; word+char; word+char+tags), learner (linear SVM or logistic"
        " regression), C, class weight | train, cross-validation | best mean fold F1 of the"
        f" {len(info['cv_table'])} candidates below |",
        "| Platt sigmoid and decision threshold | train, out-of-fold margins | best pooled"
        " out-of-fold F1 (positive class); in the fold figures they are fitted on the other folds |",
        "| the block definitions (n-gram ranges, min df, tag weight 0.5), digit folding, the candidate"
        " list | fixed before this run | carried over from earlier versions (see History) |",
        "| anything | dev | nothing: dev is scored once, after the choices, below |",
        "",
        f"Chosen: **{info['chosen_name']}**, CV F1 {info['cv_f1_mean']:.3f} ± {info['cv_f1_sd']:.3f}"
        f" (mean ± sd over {info['cv_folds']} folds: {', '.join(f'{f:.3f}' for f in info['cv_fold_f1'])}).",
        f"Pooled out-of-fold at the threshold {info['cv_threshold']:.3f}: P {info['cv_precision']:.3f},"
        f" R {info['cv_recall']:.3f}, F1 {info['cv_f1']:.3f}.",
        f"Same configuration, ungrouped stratified 5-fold: F1 {info['cv_ungrouped_f1_mean']:.3f} ±"
        f" {info['cv_ungrouped_f1_sd']:.3f}. Plain baseline (word 1-2-gram TF-IDF + class-balanced logistic"
        f" regression at 0.5), grouped folds: F1 {info['cv_baseline_f1_mean']:.3f} ±"
        f" {info['cv_baseline_f1_sd']:.3f}.",
        "",
        "<details><summary>All candidates (CV F1, mean ± sd over folds, best first)</summary>",
        "",
        "| candidate | CV F1 | sd |",
        "| --- | --- | --- |",
    ]
    lines += [f"| {name} | {mean:.4f} | {sd:.4f} |" for name, mean, sd in info["cv_table"]]
    lines += [
        "",
        "</details>",
        "",
        "Tried on 2026-12-07 before this run, on train only with the same grouped folds, not kept (all",
        "within the spread above): proper nouns masked to one token (0.689 with tags, 0.693 with char and",
        "tags), spaCy tokens instead of scikit-learn's word pattern (0.698), tag 1-4-grams (0.690), tag",
        "weight 1 (0.689). A forward-in-time check on train (fit on ids below 30,000, score the 2,263",
        "later sentences, 2016-2020 debates): every configuration scored 0.63-0.67 at its cross-validated",
        "threshold and 0.67-0.69 at the best threshold for those sentences, i.e. the models predict too",
        "few positives on newer debates. Expect less than the CV figure on newer or different material;",
        "the target of F1 >= 0.70 on a reviewer's held-out CheckThat! sentences cannot be checked here.",
        "",
        "An optional variant adds MiniLM sentence embeddings (extra `semantic`):",
        "[MODEL_CARD_SEMANTIC.md](MODEL_CARD_SEMANTIC.md).",
        "",
        f"File: `{MODEL_FILE}` ({size_kib:,.0f} KiB; numpy arrays, loaded without pickle).",
        "",
        "## Dev, scored once",
        "",
    ]
    if result is not None:
        lines += [
            f"Scored {info['trained']} by the training command, after the choices above. Positive class"
            " (Yes), model at its threshold; baseline = word 1-2-gram TF-IDF + class-balanced logistic",
            "regression at 0.5, fitted on the same train file:",
            "",
            "| system | P | R | F1 |",
            "| --- | --- | --- | --- |",
        ]
        for name, s in result.scores.items():
            lines.append(f"| {name} | {s.precision:.3f} | {s.recall:.3f} | {s.f1:.3f} |")
        lines += [""]
    else:
        lines += ["Not scored in this run (`--no-dev`).", ""]
    lines += [
        "Reproduce (the second line prints the same dev table; `make eval` runs it):",
        "",
        "```",
        f"python -m sourcetrace.training.checkworthiness --data {data_arg} --out {out}",
        f"sourcetrace eval checkworthiness {data_arg}",
        "```",
        "",
        "## History",
        "",
        "The previous default model (2026-11-25 to 2026-12-06: linear SVM, C = 0.1, class-balanced,",
        "word + char + tags blocks, threshold 0.350) was said to be chosen by ungrouped 5-fold CV on train",
        "(F1 0.710), but the test suite asserted its dev F1 (0.704) on every run, so dev was in view while",
        "it was developed. A reviewer's 318 held-out CheckThat! 2024 sentences gave it F1 0.62 (the plain",
        "TF-IDF + logistic-regression baseline: 0.65). This version repeats every fitted choice by grouped",
        "cross-validation on train; dev is scored once and no test asserts it.",
        "",
        f"Training: {info['train_seconds']:.0f} s on a shared 2-core machine"
        f" ({info['tag_seconds']:.0f} s of it spaCy tagging), one thread.",
        "",
    ]
    speed = info.get("speed")
    if speed:
        lines += [
            "Scoring speed (dev sentences, shared 2-core machine):",
            f"{speed['pretagged']:,.0f} sentences/s on already tagged spans (`score_spans`),",
            f"{speed['with_tagging']:,.0f} sentences/s including spaCy tagging (`score`).",
            "",
        ]
    return save_card(out, CARD, lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = model_train_parser(__doc__, Path("../shared/data/checkworthiness"),
                                Path("src/sourcetrace/models/checkworthiness"))
    args = parser.parse_args(argv)

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    model, info = train(args.data, log)
    model.save(args.out)
    reloaded = CheckworthinessModel.load(args.out, nlp=model.nlp)
    result = None
    if not args.no_dev:
        # The one dev score of this model: after every choice, through the saved file.
        result = evaluate(args.data, reloaded)
        Console().print(scores_table(result))
        info["speed"] = measure_speed(reloaded, load_split(args.data, "dev").texts)
    write_card(args.out, info, result, str(args.data))
    log(f"wrote {args.out / MODEL_FILE} and {args.out / CARD}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
