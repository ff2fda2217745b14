"""Train the propaganda-technique model on PTC train; score it once on dev; write the model card.

    python -m sourcetrace.training.framing --data ../shared/data/ptc --out src/sourcetrace/models/framing

Deterministic (stateless hashing, fixed article folds and seeds), CPU only, single-threaded. Every
fitted choice is made on train alone, by 4-fold cross-validation over train *articles* (an article's
spans never sit on both sides of a fold; article i is in fold i mod 4, articles sorted by id):

* span identification: the sentence and token thresholds maximise the task's SI F1 on out-of-fold
  predictions; in the fold figures they are chosen on the other three folds' articles;
* technique classification: the weights of the sentence-context block and of the hand features and
  the logistic regression's C, by micro-F1 on the held-out folds' gold spans (`TC_GRID`, then `TC_CS`).

Dev is scored once at the end, through the saved file, for the model card (`--no-eval` skips it).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from io import StringIO
from pathlib import Path
from typing import Any

import numpy as np
from rich.console import Console
from scipy import sparse
from sklearn.linear_model import LogisticRegression, SGDClassifier

from sourcetrace.eval.ptc import (
    PTCResult,
    PTCSplit,
    evaluate,
    group_gold,
    label_scores,
    load_split,
    merge_spans,
    span_identification,
    technique_table,
)
from sourcetrace.nlp.framing.model import (
    MODEL_FILE,
    N_HAND,
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
from sourcetrace.nlp.loader import load_tagger_pipeline

SEED = 13
FOLDS = 4
CARD = "MODEL_CARD.md"
#: Token model: logistic loss by averaged SGD (seconds, where liblinear took minutes for the same F1).
#: Averaging with alpha 1e-5 beat plain SGD with 3e-5 on out-of-fold token AP (0.279 vs 0.275).
TOKEN_ALPHA = 1e-5
TOKEN_EPOCHS = 20
SENTENCE_C = 1.0
#: Technique classifier blocks: (name, min df). The span blocks have weight 1; the context block's weight,
#: the hand features' weight and C are chosen by cross-validation over train articles (`select_tc`).
TC_BLOCKS = (("span_words", 2), ("span_chars", 2), ("context_words", 2))
#: First round: every (context weight, hand weight) at C = TC_C_START; second round: C at the best pair.
TC_GRID = tuple((c, h) for c in (0.0, 0.5, 1.0) for h in (0.0, 0.3, 1.0))
TC_C_START = 10.0
TC_CS = (3.0, 30.0)
#: lbfgs tolerance: 1e-3 stops at about 50 iterations where 1e-4 takes about 100, for the same accuracy.
TC_TOL = 1e-3
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
    pairs = [
        (t_sent, t_tok) for t_sent in THRESHOLDS_SENTENCE for t_tok in THRESHOLDS_TOKEN if t_tok <= t_sent
    ]
    predicted: dict[tuple[float, float], dict[str, list[tuple[int, int]]]] = {pair: {} for pair in pairs}
    for k, (doc, i, (sent_of, bounds)) in enumerate(zip(docs, ids, data.sent_info, strict=True)):
        p_tok = oof_tok[tok_off[k] : tok_off[k + 1]]
        p_sent = oof_sent[sent_off[k] : sent_off[k + 1]][sent_of]
        for t_sent, t_tok in pairs:
            found = decode(doc, p_tok, p_sent, bounds, t_sent, t_tok)
            predicted[(t_sent, t_tok)][i] = [(s, e) for s, e, _ in found]

    def best_pair(articles: Sequence[str]) -> tuple[float, tuple[float, float]]:
        gold = {i: data.gold[i] for i in articles}
        best: tuple[float, tuple[float, float]] = (-1.0, pairs[0])
        for pair in pairs:
            f1 = span_identification({i: predicted[pair][i] for i in articles}, gold).f1
            if f1 > best[0]:
                best = (f1, pair)
        return best

    cv_f1, (t_sent, t_tok) = best_pair(ids)
    # Each fold scored at the thresholds the other three folds' articles choose.
    fold_f1 = []
    for fold in range(FOLDS):
        rest = [i for i, f in zip(ids, data.fold_of_doc, strict=True) if f != fold]
        held = [i for i, f in zip(ids, data.fold_of_doc, strict=True) if f == fold]
        pair = best_pair(rest)[1]
        fold_f1.append(span_identification({i: predicted[pair][i] for i in held},
                                           {i: data.gold[i] for i in held}).f1)
    log(f"  out-of-fold SI F1 {cv_f1:.3f} at sentence {t_sent}, token {t_tok}; "
        f"per fold, thresholds from the other folds: {np.mean(fold_f1):.3f} ± {np.std(fold_f1):.3f}")

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
        "cv_si_fold_f1": fold_f1,
    }


# ----------------------------------------------------------------------------------------- TC stage


@dataclass(frozen=True, slots=True)
class TCSetting:
    context_weight: float
    hand_weight: float
    c: float

    @property
    def name(self) -> str:
        return f"context {self.context_weight:g}, hand {self.hand_weight:g}, C {self.c:g}"


@dataclass(frozen=True, slots=True)
class TCData:
    """Distinct gold spans of train (the TC unit), their raw features, labels and article folds."""

    keys: list[tuple[str, int, int]]
    groups: dict[tuple[str, int, int], list[str]]
    counts: dict[str, sparse.csr_matrix]  # block name -> raw hashed counts, one row per key
    hand: np.ndarray  # (keys, N_HAND), raw
    rows: np.ndarray  # training row -> key (a span with two techniques is two rows)
    labels: np.ndarray  # training row -> technique
    fold: np.ndarray  # key -> article fold

    @classmethod
    def of(cls, split: PTCSplit) -> TCData:
        groups = group_gold(split.spans)
        keys = list(groups)
        texts = [split.articles[a][s:e] for a, s, e in keys]
        contexts = [line_context(split.articles[a], s, e) for a, s, e in keys]
        counts = {
            "span_words": word_hasher().transform(texts).tocsr(),
            "span_chars": char_hasher().transform(texts).tocsr(),
            "context_words": word_hasher().transform(contexts).tocsr(),
        }
        hand = np.array([
            hand_features(split.articles[a], s, e, c) for (a, s, e), c in zip(keys, contexts, strict=True)
        ])
        fold_of_article = {a: k % FOLDS for k, a in enumerate(split.articles)}
        return cls(
            keys,
            groups,
            counts,
            hand,
            np.array([i for i, k in enumerate(keys) for _ in groups[k]]),
            np.array([label for k in keys for label in groups[k]]),
            np.array([fold_of_article[a] for a, _, _ in keys]),
        )


@dataclass(slots=True)
class TCFeatures:
    """The technique classifier's input as fitted on some spans: kept block columns, idf, hand scaling."""

    blocks: list[TextBlock]  # coef still empty
    hand_mean: np.ndarray
    hand_scale: np.ndarray
    hand_weight: float

    @classmethod
    def fit(cls, data: TCData, setting: TCSetting, fit_keys: np.ndarray) -> TCFeatures:
        weights = {"span_words": 1.0, "span_chars": 1.0, "context_words": setting.context_weight}
        blocks = []
        for name, min_df in TC_BLOCKS:
            if weights[name] == 0.0:
                continue
            idf_full = idf_weights(data.counts[name][fit_keys], min_df)
            cols = np.flatnonzero(idf_full)
            blocks.append(TextBlock(name, weights[name], cols, idf_full[cols], np.zeros((len(cols), 0))))
        hand = data.hand[fit_keys]
        return cls(blocks, hand.mean(axis=0), hand.std(axis=0) + 1e-6, setting.hand_weight)

    def design(self, data: TCData, keys: np.ndarray) -> sparse.csr_matrix:
        parts = [tfidf(data.counts[b.name][keys][:, b.cols], b.idf, b.weight) for b in self.blocks]
        if self.hand_weight:
            scaled = (data.hand[keys] - self.hand_mean) / self.hand_scale * self.hand_weight
            parts.append(sparse.csr_matrix(scaled))
        return sparse.hstack(parts).tocsr()


def fit_tc(
    data: TCData, setting: TCSetting, fit_keys: np.ndarray
) -> tuple[TCFeatures, LogisticRegression]:
    """idf, hand-feature scaling and the classifier, all from the spans of `fit_keys` only."""
    features = TCFeatures.fit(data, setting, fit_keys)
    rows = np.isin(data.rows, fit_keys)
    x = features.design(data, data.rows[rows])
    clf = LogisticRegression(C=setting.c, max_iter=300, tol=TC_TOL).fit(x, data.labels[rows])
    return features, clf


def tc_fold_scores(data: TCData, setting: TCSetting) -> list[float]:
    """Micro-F1 of the TC protocol (k best techniques for a span with k labels) on each held-out fold."""
    out = []
    for fold in range(FOLDS):
        fit_keys = np.flatnonzero(data.fold != fold)
        test_keys = np.flatnonzero(data.fold == fold)
        features, clf = fit_tc(data, setting, fit_keys)
        probs = clf.predict_proba(features.design(data, test_keys))
        classes = clf.classes_
        pairs = []
        for key, row in zip(test_keys, probs, strict=True):
            gold = data.groups[data.keys[key]]
            pairs.append((gold, [str(classes[j]) for j in row.argsort()[::-1][: len(gold)]]))
        out.append(label_scores(pairs).micro.f1)
    return out


def select_tc(data: TCData) -> tuple[TCSetting, list[tuple[TCSetting, list[float]]]]:
    """Best mean fold micro-F1: (context, hand) weights at the starting C, then C at the best pair.

    Ties go to the setting tried first. Returns the choice and every setting's fold scores."""
    tried: list[tuple[TCSetting, list[float]]] = []

    def run(setting: TCSetting) -> None:
        start = time.perf_counter()
        scores = tc_fold_scores(data, setting)
        tried.append((setting, scores))
        log(f"  TC {setting.name}: micro-F1 {np.mean(scores):.4f} ± {np.std(scores):.4f} "
            f"({time.perf_counter() - start:.0f} s)")

    def best() -> TCSetting:
        return max(tried, key=lambda t: float(np.mean(t[1])))[0]

    for context_weight, hand_weight in TC_GRID:
        run(TCSetting(context_weight, hand_weight, TC_C_START))
    pair = best()
    for c in TC_CS:
        run(TCSetting(pair.context_weight, pair.hand_weight, c))
    return best(), tried


def train_technique_stage(split: PTCSplit) -> tuple[dict[str, Any], dict[str, Any]]:
    """The technique classifier, its settings chosen by cross-validation over train articles, then
    refitted on all of train. Returns the model's arrays and a record of the choice for the card."""
    data = TCData.of(split)
    chosen, tried = select_tc(data)
    features, clf = fit_tc(data, chosen, np.arange(len(data.keys)))
    coef = clf.coef_.T.astype(np.float32)  # (features, classes)
    offset = 0
    for block in features.blocks:
        block.coef = coef[offset : offset + len(block.cols)]
        offset += len(block.cols)
    hand_coef = (
        coef[offset:].astype(np.float64) if chosen.hand_weight else np.zeros((N_HAND, coef.shape[1]))
    )
    scores = dict(tried)[chosen]
    record = {
        "tc_context_weight": chosen.context_weight,
        "tc_hand_weight": chosen.hand_weight,
        "tc_c": chosen.c,
        "cv_tc_f1": round(float(np.mean(scores)), 4),
        "cv_tc_f1_sd": round(float(np.std(scores)), 4),
        "cv_tc_table": [[s.name, round(float(np.mean(f)), 4), round(float(np.std(f)), 4)] for s, f in tried],
    }
    model_parts = {
        "blocks": features.blocks,
        "hand_mean": features.hand_mean,
        "hand_scale": features.hand_scale,
        "hand_coef": hand_coef,
        "hand_weight": chosen.hand_weight,
        "class_bias": clf.intercept_.astype(np.float64),
        "classes": [str(c) for c in clf.classes_],
    }
    return model_parts, record


# ----------------------------------------------------------------------------------------- driver


def train(data_dir: Path) -> FramingModel:
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
    tc, tc_record = train_technique_stage(split)
    log(f"technique stage {time.perf_counter() - start:.0f} s")
    fold_f1 = si.pop("cv_si_fold_f1")
    labels = Path(data_dir) / "train-task2-TC.labels"
    meta = {
        "trained_on": "PTC v2 (SemEval-2020 Task 11) train",
        "train_articles": len(ids),
        "train_spans": len(split.spans),
        "train_labels_sha256": hashlib.sha256(labels.read_bytes()).hexdigest(),
        "cv_si_f1": round(si.pop("cv_si_f1"), 4),
        "cv_si_f1_mean": round(float(np.mean(fold_f1)), 4),
        "cv_si_f1_sd": round(float(np.std(fold_f1)), 4),
        **tc_record,
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
    template = (Path(__file__).parent / "framing_card_template.md").read_text(encoding="utf-8")
    meta = model.meta
    tc_rows = "\n".join(f"| {name} | {mean:.4f} | {sd:.4f} |" for name, mean, sd in meta["cv_tc_table"])
    card = template.format(
        trained=meta["trained"],
        cv_si_mean=meta["cv_si_f1_mean"],
        cv_si_sd=meta["cv_si_f1_sd"],
        tc_c=meta["tc_c"],
        tc_context=meta["tc_context_weight"],
        tc_hand=meta["tc_hand_weight"],
        tc_cv=meta["cv_tc_f1"],
        tc_cv_sd=meta["cv_tc_f1_sd"],
        tc_rows=tc_rows,
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
    from threadpoolctl import threadpool_limits

    start = time.perf_counter()
    with threadpool_limits(limits=1):  # one BLAS thread: the machine is shared, and it is not slower
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
