"""The collector pause used around each analysed batch: nested and concurrent users restore it."""

from __future__ import annotations

import gc
import threading

from sourcetrace.nlp.gcpause import gc_paused


def test_pause_restores_an_enabled_collector_even_after_an_error() -> None:
    assert gc.isenabled()
    try:
        with gc_paused():
            assert not gc.isenabled()
            raise ValueError("boom")
    except ValueError:
        pass
    assert gc.isenabled()


def test_nested_pauses_restore_only_at_the_outermost_exit() -> None:
    with gc_paused():
        with gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_collector_the_caller_disabled_stays_disabled() -> None:
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_overlapping_threads_leave_the_collector_enabled() -> None:
    # Thread A enters, thread B enters, A leaves first, B leaves: a naive save/restore per thread would
    # leave the collector off for good here.
    a_in, b_in, a_out = threading.Event(), threading.Event(), threading.Event()
    seen: list[bool] = []

    def first() -> None:
        with gc_paused():
            a_in.set()
            b_in.wait(5)
        a_out.set()

    def second() -> None:
        a_in.wait(5)
        with gc_paused():
            b_in.set()
            a_out.wait(5)
            seen.append(gc.isenabled())

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert seen == [False]  # still paused while B is inside, though A has left
    assert gc.isenabled()


def test_analysis_leaves_the_collector_as_it_found_it() -> None:
    from sourcetrace import analyze

    analyze("The mayor said the bridge would reopen on Monday, officials told reporters.")
    assert gc.isenabled()


def test_embedding_programs_can_turn_the_pause_off(analyzer, monkeypatch) -> None:
    import sourcetrace
    from sourcetrace.ingest import document_from_text

    disabled: list[int] = []
    real_disable = gc.disable
    monkeypatch.setattr(gc, "disable", lambda: (disabled.append(1), real_disable()))
    document = document_from_text("The mayor said the bridge would close on Friday, officials said.")
    analyzer.analyze(document)
    assert disabled, "by default an analysis pauses the collector"
    disabled.clear()
    sourcetrace.set_gc_pause(False)
    try:
        analyzer.analyze(document)
        with gc_paused():
            assert gc.isenabled()
    finally:
        sourcetrace.set_gc_pause(True)
    assert not disabled
    assert gc.isenabled()
