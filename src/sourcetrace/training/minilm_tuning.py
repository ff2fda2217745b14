"""Training side of `sourcetrace.encoders.layers`: frozen bottom-layer states computed once, and the
AdamW loop that fine-tunes the top layers over them (semantic check-worthiness and framing trainers).

Freezing the bottom layers is what makes CPU training affordable: their output is computed once per
sentence (and can be cached on disk), so an epoch runs only the tuned layers.
"""

from __future__ import annotations

import contextlib
import math
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from sourcetrace.encoders.layers import (
    DIM,
    additive_mask,
    bottom_states,
    exported_layers,
    length_batches,
    padded_batch,
    top_layer_copies,
)


def set_torch_threads(n: int | None) -> None:
    """A trainer's --threads: the torch thread count (training results depend on it); None keeps
    `sourcetrace.encoders.minilm`'s default."""
    if n:
        import torch

        torch.set_num_threads(n)


class TrainableTop:
    """A trainable copy of MiniLM's top layers and a dropout; subclasses add their heads to `modules`."""

    def __init__(self, bert: Any, first_tuned: int) -> None:
        import torch

        self.first_tuned = first_tuned
        self.layers = top_layer_copies(bert, first_tuned)
        self.dropout = torch.nn.Dropout(bert.config.hidden_dropout_prob)
        self.modules = torch.nn.ModuleList([self.layers, self.dropout])

    def top_states(self, hidden: Any, mask: Any) -> Any:
        """The tuned layers' output for frozen bottom-layer states (a `TokenStates.batch`)."""
        extended = additive_mask(mask)
        for layer in self.layers:
            hidden = layer(hidden, extended)
        return hidden

    def exported_layers(self) -> dict[str, np.ndarray]:
        return exported_layers(self.layers, self.first_tuned)

    def predict_batches(self, states: TokenStates, rows: np.ndarray) -> Iterator[tuple[np.ndarray, Any]]:
        """In eval mode, per length-grouped batch: (positions in `rows`, the subclass's output)."""
        import torch

        self.modules.eval()
        with torch.inference_mode():
            for batch in length_batches(states.lengths[rows], 128):
                yield batch, self(*states.batch(rows[batch]))  # type: ignore[operator]


def torch_threads() -> int:
    import torch

    return int(torch.get_num_threads())


class TokenStates:
    """Per-sentence token states (float16, concatenated) with their row offsets."""

    def __init__(self, states: np.ndarray, offsets: np.ndarray) -> None:
        self.states = states
        self.offsets = offsets
        self.lengths = np.diff(offsets)

    def batch(self, rows: np.ndarray) -> tuple[Any, Any]:
        """Padded (hidden states, attention mask) tensors for `rows`."""
        import torch

        width = int(self.lengths[rows].max())
        hidden = torch.zeros((len(rows), width, DIM))
        mask = torch.zeros((len(rows), width), dtype=torch.long)
        for j, i in enumerate(rows):
            n = int(self.lengths[i])
            rows_i = self.states[self.offsets[i] : self.offsets[i + 1]]
            hidden[j, :n] = torch.from_numpy(rows_i.astype(np.float32))
            mask[j, :n] = 1
        return hidden, mask


def frozen_states(bert: Any, ids: Sequence[Sequence[int]], n_frozen: int, log: Any) -> TokenStates:
    """Output of MiniLM's embeddings and first `n_frozen` layers for every sentence (no grad)."""
    import torch

    lengths = np.array([len(x) for x in ids])
    offsets = np.concatenate([[0], np.cumsum(lengths)])
    states = np.zeros((int(offsets[-1]), DIM), dtype=np.float16)
    start = time.perf_counter()
    bert.eval()
    with torch.inference_mode():
        for rows in length_batches(lengths, 128):
            hidden, _ = bottom_states(bert, *padded_batch(ids, lengths, rows), n_frozen)
            for j, i in enumerate(rows):
                states[offsets[i] : offsets[i + 1]] = hidden[j, : lengths[i]].numpy()
    log(f"frozen MiniLM states of {len(ids)} sentences in {time.perf_counter() - start:.0f}s")
    return TokenStates(states, offsets)


def cached_states(
    bert: Any, ids: Sequence[Sequence[int]], n_frozen: int, key: str, cache: Path | None, log: Any
) -> tuple[TokenStates, bool]:
    """`frozen_states`, read from / written to `cache`/frozen_states.npz when a cache is given."""
    file = None if cache is None else cache / "frozen_states.npz"
    if file is not None and file.is_file():
        with np.load(file, allow_pickle=False) as data:
            if str(data["key"]) == key:
                log(f"frozen MiniLM states from {file}")
                return TokenStates(np.asarray(data["states"]), np.asarray(data["offsets"])), True
        log(f"{file} is for other data or settings; recomputing")
    states = frozen_states(bert, ids, n_frozen, log)
    if file is not None:
        file.parent.mkdir(parents=True, exist_ok=True)
        np.savez(file, states=states.states, offsets=states.offsets, key=np.array(key))
    return states, False


def train_epochs(
    modules: Any,
    param_groups: list[dict[str, Any]],
    lengths: np.ndarray,
    rows: np.ndarray,
    batch_loss: Callable[[np.ndarray], Any],
    *,
    epochs: int,
    batch_size: int,
    warmup: float,
    seed: int,
    after_epoch: Callable[[int, float, float], None],
    bfloat16: bool = False,
) -> None:
    """AdamW over length-grouped, shuffled batches of `rows`, linear warm-up then linear decay.

    `batch_loss(rows)` returns the (mean) loss tensor of one batch; `after_epoch(epoch, mean loss,
    seconds)` is called after each epoch (evaluation, logging). `bfloat16`: forward passes under CPU
    autocast (weights and optimizer stay float32); about 1.5x faster where the CPU has AVX512-BF16.
    """
    import torch

    def precision() -> contextlib.AbstractContextManager[Any]:
        return torch.autocast("cpu", dtype=torch.bfloat16) if bfloat16 else contextlib.nullcontext()

    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    steps = epochs * math.ceil(len(rows) / batch_size)
    warm = max(1, int(warmup * steps))
    optimizer = torch.optim.AdamW(param_groups, weight_decay=0.01)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: s / warm if s < warm else max(0.0, (steps - s) / (steps - warm))
    )
    start = time.perf_counter()
    for epoch in range(epochs):
        modules.train()
        batches = [rows[b] for b in length_batches(lengths[rows], batch_size)]
        rng.shuffle(batches)  # type: ignore[arg-type]
        total = 0.0
        for batch in batches:
            with precision():
                loss = batch_loss(batch)
            optimizer.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(modules.parameters(), 1.0)
            optimizer.step()
            schedule.step()
            total += loss.item() * len(batch)
        modules.eval()
        after_epoch(epoch, total / max(1, len(rows)), time.perf_counter() - start)
