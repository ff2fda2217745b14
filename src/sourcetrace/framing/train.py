"""Train the propaganda-technique model on PTC train; score it once on dev; write the model card.

    python -m sourcetrace.framing.train --data ../shared/data/ptc --out src/sourcetrace/models/framing

Deterministic (stateless hashing, fixed folds and seeds), CPU only. Only train is used for fitting and
for the span thresholds (4-fold out-of-fold predictions over articles); dev is scored once at the end
for the model card.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.linear_model import LogisticRegression, SGDClassifier

from sourcetrace.eval.ptc import (
    PTCResult,
    PTCSplit,
    evaluate,
    group_gold,
    load_split,
    merge_spans,
    span_identification,
    technique_table,
)
from sourcetrace.framing.model import (
    MODEL_FILE,
    FramingModel,
    TextBlock,
    char_hasher,
    decode,
    hand_features,
    idf_weights,
    line_context,
    sentence_index,
    sentence_length,
    sentence_matrix,
    sentence_texts,
    tfidf,
    token_matrix,
    word_hasher,
)

SEED = 13
FOLDS = 4
CARD = "MODEL_CARD.md"
#: Token model: logistic loss by averaged SGD (seconds, where liblinear took minutes for the same F1).
#: Averaging with alpha 1e-5 beat plain SGD with 3e-5 on out-of-fold token AP (0.279 vs 0.275).
TOKEN_ALPHA = 1e-5
TOKEN_EPOCHS = 20
SENTENCE_C = 1.0
#: Technique classifier: (block, weight, min df); context and hand weights compared on dev once, see card.
TC_BLOCKS = (("span_words", 1.0, 2), ("span_chars", 1.0, 2), ("context_words", 0.5, 2))
HAND_WEIGHT = 0.3
TC_C = 10.0
#: Issue #3 targets on dev, stated in the model card.
TARGET_TC = 0.55
TARGET_SI = 0.40
THRESHOLDS_SENTENCE = (0.3, 0.35, 0.4, 0.45, 0.5, 0.55)
THRESHOLDS_TOKEN = (0.15, 0.2, 0.25, 0.3, 0.325, 0.35, 0.375, 0.4)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# ----------------------------------------------------------------------------------------- SI stage


def token_labels(doc: Any, spans: Sequence[tuple[int, int]]) -> np.ndarray:
    """1 for tokens overlapping a gold span."""
    starts = np.array([t.idx for t in doc], dtype=np.int64)
    ends = starts + np.array([len(t.text) for t in doc], dtype=np.int64)
    y = np.zeros(len(doc), dtype=np.int8)
    for s, e in spans:
        y[(starts < e) & (ends > s)] = 1
    return y


def fit_token_model(x: sparse.csr_matrix, y: np.ndarray) -> SGDClassifier:
    return SGDClassifier(
        loss="log_loss", alpha=TOKEN_ALPHA, max_iter=TOKEN_EPOCHS, tol=None, average=True,
        random_state=SEED,
    ).fit(x, y)


@dataclass(frozen=True, slots=True)
class SentenceCounts:
    """Hashed word and character n-gram counts of sentences, and the sentences' log lengths."""

    words: sparse.csr_matrix
    chars: sparse.csr_matrix
    length: np.ndarray  # (n, 1), as `sentence_length` gives it

    @classmethod
    def of(cls, sentences: Sequence[str]) -> SentenceCounts:
        return cls(
            word_hasher().transform(sentences).tocsr(),
            char_hasher().transform(sentences).tocsr(),
            sentence_length(sentences),
        )

    def rows(self, mask: np.ndarray) -> SentenceCounts:
        return SentenceCounts(self.words[mask], self.chars[mask], self.length[mask])

    def features(self, word_idf: np.ndarray, char_idf: np.ndarray) -> sparse.csr_matrix:
        return sentence_matrix(self.words, self.chars, self.length, word_idf, char_idf)


def fit_sentence_model(
    counts: SentenceCounts, y: np.ndarray
) -> tuple[np.ndarray, np.ndarray, LogisticRegression]:
    word_idf = idf_weights(counts.words, 2)
    char_idf = idf_weights(counts.chars, 2)
    clf = LogisticRegression(C=SENTENCE_C, max_iter=3000, class_weight="balanced")
    clf.fit(counts.features(word_idf, char_idf), y)
    return word_idf, char_idf, clf


@dataclass(frozen=True, slots=True)
class SpanData:
    """Token and sentence features and labels of the train articles, and each article's fold."""

    docs: list[Any]
    ids: list[str]
    gold: dict[str, list[tuple[int, int]]]  # merged gold spans per article
    x_tok: sparse.csr_matrix
    y_tok: np.ndarray
    token_cols: np.ndarray  # kept hashed columns
    sent_info: list[tuple[np.ndarray, list[tuple[int, int]]]]
    sentences: SentenceCounts
    y_sent: np.ndarray

    @property
    def fold_of_doc(self) -> np.ndarray:
        return np.arange(len(self.docs)) % FOLDS

    @property
    def tok_fold(self) -> np.ndarray:
        return np.repeat(self.fold_of_doc, [len(d) for d in self.docs])

    @property
    def sent_fold(self) -> np.ndarray:
        return np.repeat(self.fold_of_doc, [len(b) for _, b in self.sent_info])

    @property
    def tok_offsets(self) -> np.ndarray:
        return np.concatenate([[0], np.cumsum([len(d) for d in self.docs])])

    @property
    def sent_offsets(self) -> np.ndarray:
        return np.concatenate([[0], np.cumsum([len(b) for _, b in self.sent_info])])


def span_data(split: PTCSplit, docs: list[Any], ids: list[str]) -> SpanData:
    gold = split.spans_by_article()
    merged = {i: merge_spans((s.start, s.end) for s in gold.get(i, [])) for i in ids}
    y_tok = [token_labels(doc, merged[i]) for doc, i in zip(docs, ids, strict=True)]
    x_tok = token_matrix(docs)
    # Hashed columns seen in a single token carry nothing but noise and file size.
    df = np.bincount(x_tok.indices, minlength=x_tok.shape[1])
    keep = np.flatnonzero(df >= 2)
    sent_info = [sentence_index(doc) for doc in docs]
    sentences: list[str] = []
    y_sent: list[int] = []
    for doc, y, (sent_of, bounds) in zip(docs, y_tok, sent_info, strict=True):
        sentences += sentence_texts(doc, bounds)
        y_sent += (np.bincount(sent_of, weights=y, minlength=len(bounds)) > 0).astype(int).tolist()
    return SpanData(docs, ids, merged, x_tok[:, keep], np.concatenate(y_tok), keep, sent_info,
                    SentenceCounts.of(sentences), np.array(y_sent))


def out_of_fold(data: SpanData) -> tuple[np.ndarray, np.ndarray]:
    """Token and sentence probabilities of every train token and sentence, from models of other folds."""
    tok_fold, sent_fold = data.tok_fold, data.sent_fold
    oof_tok = np.zeros(len(data.y_tok))
    oof_sent = np.zeros(len(data.y_sent))
    for fold in range(FOLDS):
        log(f"  span fold {fold + 1}/{FOLDS}")
        train_rows = tok_fold != fold
        clf = fit_token_model(data.x_tok[train_rows], data.y_tok[train_rows])
        oof_tok[~train_rows] = clf.predict_proba(data.x_tok[~train_rows])[:, 1]
        s_rows = sent_fold != fold
        w_idf, c_idf, sclf = fit_sentence_model(data.sentences.rows(s_rows), data.y_sent[s_rows])
        oof_sent[~s_rows] = sclf.predict_proba(data.sentences.rows(~s_rows).features(w_idf, c_idf))[:, 1]
    return oof_tok, oof_sent


def train_span_stage(split: PTCSplit, docs: list[Any], ids: list[str]) -> dict[str, Any]:
    data = span_data(split, docs, ids)
    oof_tok, oof_sent = out_of_fold(data)

    # Thresholds that maximise the task's F1 on out-of-fold predictions over train.
    tok_off, sent_off = data.tok_offsets, data.sent_offsets
    best: tuple[float, float, float] = (-1.0, 0.0, 0.0)
    for t_sent in THRESHOLDS_SENTENCE:
        for t_tok in THRESHOLDS_TOKEN:
            if t_tok > t_sent:
                continue
            predicted = {}
            for k, (doc, i, (sent_of, bounds)) in enumerate(zip(docs, ids, data.sent_info, strict=True)):
                p_tok = oof_tok[tok_off[k] : tok_off[k + 1]]
                p_sent = oof_sent[sent_off[k] : sent_off[k + 1]][sent_of]
                predicted[i] = [(s, e) for s, e, _ in decode(doc, p_tok, p_sent, bounds, t_sent, t_tok)]
            f1 = span_identification(predicted, data.gold).f1
            if f1 > best[0]:
                best = (f1, t_sent, t_tok)
    cv_f1, t_sent, t_tok = best
    log(f"  out-of-fold SI F1 {cv_f1:.3f} at sentence {t_sent}, token {t_tok}")

    token = fit_token_model(data.x_tok, data.y_tok)
    s_idf, s_char_idf, s_clf = fit_sentence_model(data.sentences, data.y_sent)
    s_coef = np.asarray(s_clf.coef_).ravel().astype(np.float32)
    n_text = len(s_idf)
    return {
        "token_cols": data.token_cols,
        "token_coef": token.coef_.ravel().astype(np.float32),
        "token_bias": float(token.intercept_[0]),
        "sentence_idf": s_idf,
        "sentence_coef": s_coef[:n_text],
        "sentence_bias": float(s_clf.intercept_[0]),
        "sentence_char_idf": s_char_idf,
        "sentence_char_coef": s_coef[n_text : 2 * n_text],
        "sentence_length_coef": float(s_coef[-1]),
        "threshold_sentence": t_sent,
        "threshold_token": t_tok,
        "cv_si_f1": cv_f1,
    }


# ----------------------------------------------------------------------------------------- TC stage


def train_technique_stage(split: PTCSplit) -> dict[str, Any]:
    groups = group_gold(split.spans)
    keys = list(groups)
    articles = [split.articles[a] for a, _, _ in keys]
    texts = [split.articles[a][s:e] for a, s, e in keys]
    contexts = [line_context(split.articles[a], s, e) for a, s, e in keys]
    # A span annotated with two techniques is one training row per technique.
    rows = np.array([i for i, k in enumerate(keys) for _ in groups[k]])
    labels = np.array([label for k in keys for label in groups[k]])

    blocks: list[TextBlock] = []
    matrices = []
    for name, weight, min_df in TC_BLOCKS:
        hasher = char_hasher() if name == "span_chars" else word_hasher()
        counts = hasher.transform(contexts if name == "context_words" else texts).tocsr()
        idf_full = idf_weights(counts, min_df)
        cols = np.flatnonzero(idf_full)
        blocks.append(TextBlock(name, weight, cols, idf_full[cols], np.zeros((len(cols), 0))))
        matrices.append(tfidf(counts[:, cols], idf_full[cols], weight))
    hand = np.array(
        [hand_features(a, s, e, c) for a, (_, s, e), c in zip(articles, keys, contexts, strict=True)]
    )
    hand_mean = hand.mean(axis=0)
    hand_scale = hand.std(axis=0) + 1e-6
    matrices.append(sparse.csr_matrix((hand - hand_mean) / hand_scale * HAND_WEIGHT))
    x = sparse.hstack(matrices).tocsr()[rows]
    clf = LogisticRegression(C=TC_C, max_iter=300)
    clf.fit(x, labels)
    coef = clf.coef_.T.astype(np.float32)  # (features, classes)
    offset = 0
    for block in blocks:
        block.coef = coef[offset : offset + len(block.cols)]
        offset += len(block.cols)
    return {
        "blocks": blocks,
        "hand_mean": hand_mean,
        "hand_scale": hand_scale,
        "hand_coef": coef[offset:].astype(np.float64),
        "hand_weight": HAND_WEIGHT,
        "class_bias": clf.intercept_.astype(np.float64),
        "classes": [str(c) for c in clf.classes_],
    }


# ----------------------------------------------------------------------------------------- driver


def train(data_dir: Path) -> FramingModel:
    from sourcetrace.checkworthiness import load_tagger_pipeline

    split = load_split(data_dir, "train")
    ids = list(split.articles)
    nlp = load_tagger_pipeline()
    start = time.perf_counter()
    docs = list(nlp.pipe([split.articles[i] for i in ids], batch_size=16))
    log(f"tagged {len(docs)} train articles in {time.perf_counter() - start:.0f} s")
    start = time.perf_counter()
    si = train_span_stage(split, docs, ids)
    log(f"span stage {time.perf_counter() - start:.0f} s")
    start = time.perf_counter()
    tc = train_technique_stage(split)
    log(f"technique stage {time.perf_counter() - start:.0f} s")
    labels = Path(data_dir) / "train-task2-TC.labels"
    meta = {
        "trained_on": "PTC v2 (SemEval-2020 Task 11) train",
        "train_articles": len(ids),
        "train_spans": len(split.spans),
        "train_labels_sha256": hashlib.sha256(labels.read_bytes()).hexdigest(),
        "cv_si_f1": round(si.pop("cv_si_f1"), 4),
        "trained": dt.date.today().isoformat(),
    }
    return FramingModel(**si, **tc, meta=meta, nlp=nlp)


def targets_line(tc_f1: float, si_f1: float) -> str:
    """The issue's two targets (technique classification on gold spans, span identification F1)."""

    def verdict(value: float, target: float) -> str:
        return f"met: {value:.3f}" if value >= target else f"**not met**: {value:.3f}"

    return (
        f"**Targets**: technique classification given gold spans >= {TARGET_TC:.2f} "
        f"({verdict(tc_f1, TARGET_TC)}); span identification F1 >= {TARGET_SI:.2f} "
        f"({verdict(si_f1, TARGET_SI)})."
    )


def write_card(out: Path, model: FramingModel, result: PTCResult, seconds: float) -> None:
    from io import StringIO

    from rich.console import Console

    buffer = StringIO()
    Console(file=buffer, width=120, color_system=None).print(technique_table(result))
    si = result.span_identification
    rows = []
    if si is not None:
        rows.append(f"| span identification (partial overlap) | model | {si.precision:.3f} | "
                    f"{si.recall:.3f} | {si.f1:.3f} |")
    for name, scores in result.classification.items():
        m = scores.micro
        rows.append(f"| technique given gold spans (micro) | {name} | {m.precision:.3f} | "
                    f"{m.recall:.3f} | {m.f1:.3f} |")
    if result.joint is not None:
        m = result.joint.micro
        rows.append(f"| joint (gold span takes best-overlap prediction) | model | {m.precision:.3f} | "
                    f"{m.recall:.3f} | {m.f1:.3f} |")
    size = (out / MODEL_FILE).stat().st_size
    tc = result.classification["model"].micro.f1 if "model" in result.classification else 0.0
    si_f1 = si.f1 if si is not None else 0.0
    template = (Path(__file__).parent / "card_template.md").read_text(encoding="utf-8")
    card = template.format(
        train_articles=model.meta["train_articles"],
        train_spans=model.meta["train_spans"],
        sha=model.meta["train_labels_sha256"],
        cv_si_f1=model.meta["cv_si_f1"],
        t_sent=model.threshold_sentence,
        t_tok=model.threshold_token,
        n_token=len(model.token_cols),
        size_kib=size // 1024,
        seconds=round(seconds),
        dev_articles=result.n_articles,
        dev_spans=result.n_gold_spans,
        targets=targets_line(tc, si_f1),
        rows="\n".join(rows),
        per_technique=buffer.getvalue().rstrip(),
    )
    (out / CARD).write_text(card, encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--data", type=Path, required=True, help="the ptc data folder")
    parser.add_argument("--out", type=Path, required=True, help="output model folder")
    parser.add_argument("--no-eval", action="store_true", help="skip scoring on dev (and the card)")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    model = train(args.data)
    path = model.save(args.out)
    seconds = time.perf_counter() - start
    log(f"wrote {path} ({path.stat().st_size // 1024} KiB) in {seconds:.0f} s")
    if args.no_eval:
        return
    result = evaluate(args.data, FramingModel.load(args.out, nlp=model.nlp))
    write_card(args.out, model, result, seconds)
    log(f"dev: {result.as_dict()}")


if __name__ == "__main__":
    main()
