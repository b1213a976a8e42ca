"""Signals held back for a moment take effect when the moment ends, not inside it."""

from __future__ import annotations

import os
import signal
import threading
import time

import pytest

from nmmsim._processes import signals_held

pytestmark = pytest.mark.skipif(not hasattr(signal, "pthread_sigmask"), reason="POSIX signals")


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_to_the_process_waits_for_the_block_even_with_other_threads(signum):
    """The kernel gives a process-directed signal to any thread that does not block it (numpy's
    BLAS threads); blocking it in the main thread alone let Ctrl-C through in the middle."""
    other_thread_stop = threading.Event()
    other_thread = threading.Thread(target=other_thread_stop.wait)  # signals not blocked there
    other_thread.start()
    # both signals raise KeyboardInterrupt, as in the CLI (SIGINT too: a test run in a background
    # job inherits it ignored, and an ignored signal rightly stays ignored after the block)
    previous = {signum: signal.signal(signum, signal.default_int_handler)
                for signum in (signal.SIGINT, signal.SIGTERM)}
    inside = []
    try:
        with pytest.raises(KeyboardInterrupt), signals_held():
            os.kill(os.getpid(), signum)
            time.sleep(0.2)  # time for the other thread to take it; sleep checks for signals
            inside.append("end")
    finally:
        for held, handler in previous.items():
            signal.signal(held, handler)
        other_thread_stop.set()
        other_thread.join()
    assert inside == ["end"]


def test_the_handlers_are_put_back():
    before = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)
    with signals_held():
        pass
    assert (signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)) == before
