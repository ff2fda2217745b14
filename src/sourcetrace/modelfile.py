"""Opening a trained model saved as one .npz file: arrays plus a JSON `state` with a format number.

Check-worthiness, its semantic variant and the framing model share this, so every model file that is
missing, from another format or damaged fails the same way: a ModelError naming the make target that
rebuilds it, never a numpy or zipfile traceback.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from sourcetrace.errors import ModelError

#: The installed package folder: `models/` and `data/` are found from here, not from each module's own
#: place, so moving a module never changes where it reads its files.
PACKAGE_DIR = Path(__file__).resolve().parent


def package_path(*parts: str) -> Path:
    """A file or folder shipped in the package, e.g. `package_path("models", "framing")`."""
    return PACKAGE_DIR.joinpath(*parts)


#: What a damaged .npz or state raises while it is being read.
CORRUPT = (OSError, ValueError, KeyError, TypeError, IndexError, EOFError, zipfile.BadZipFile)


def write_npz_model(directory: Path, file_name: str, arrays: dict[str, np.ndarray], state: dict) -> Path:
    """Write `arrays` and the JSON `state` (with its "format") as `directory`/`file_name`, compressed."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / file_name
    np.savez_compressed(path, **arrays, state=np.array(json.dumps(state, sort_keys=True)))
    return path


def save_card(directory: Path, name: str, lines: list[str]) -> Path:
    """A model card (Markdown lines) written beside the model files."""
    path = directory / name
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def model_path(path: Path | str | None, default_dir: Path, file_name: str) -> Path:
    """`path` as given (a directory or the .npz itself), or the packaged model."""
    file = Path(path) if path is not None else default_dir
    if file.is_dir() or file.suffix != ".npz":
        file = file / file_name
    return file


@contextmanager
def open_npz_model(file: Path, what: str, format_version: int, rebuild: str) -> Iterator[tuple[Any, dict]]:
    """Yields (arrays, state). Errors raised while the caller reads them become ModelError too."""
    if not file.is_file():
        raise ModelError(f"{what} not found at {file}; {rebuild}")
    try:
        with np.load(file, allow_pickle=False) as data:
            state = json.loads(str(data["state"]))
            if state.get("format") != format_version:
                raise ModelError(
                    f"{what} {file} has format {state.get('format')!r}, expected {format_version}; {rebuild}"
                )
            yield data, state
    except ModelError:
        raise
    except CORRUPT as exc:
        raise ModelError(f"{what} {file} is corrupt ({exc}); {rebuild}") from exc
