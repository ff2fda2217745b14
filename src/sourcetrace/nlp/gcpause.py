"""Pausing Python's cyclic garbage collector while a batch of articles is analysed.

The analysis allocates many short-lived containers (feature rows, spans, pydantic models) that
reference counting frees on its own. Each allocation burst still triggers collections that walk the
young generations, and now and then the whole heap with the loaded spaCy pipeline in it: measured on
150 BuzzFeed-Webis articles, that was half a second of the 3.5 s the analysis adds to the parse. The
collector is switched off only inside our own code, never across a `yield` to the caller, and
switched back on by the last of several overlapping users (the web app analyses in threads), so
cycles made meanwhile are collected at the next ordinary run.

A program that embeds sourcetrace and wants the collector left alone (it relies on finalisers running
promptly, or measures its own GC) calls `sourcetrace.set_gc_pause(False)`: every pause becomes a no-op.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_depth = 0
_was_enabled = False
_pausing = True


def set_gc_pause(enabled: bool) -> None:
    """Whether sourcetrace may pause the cyclic collector during its own batch work (default: yes).

    Takes effect from the next batch; a pause already in progress ends as it began."""
    global _pausing
    _pausing = enabled


@contextmanager
def gc_paused() -> Iterator[None]:
    """Run the body with the cyclic collector off; the state it had is restored by the last exit."""
    global _depth, _was_enabled
    if not _pausing:
        yield
        return
    with _lock:
        if _depth == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _was_enabled:
                gc.enable()
