"""Whether this thread is running a scenario (the network adapter is then simulated)."""
from __future__ import annotations

import contextlib
import threading

_state = threading.local()


def simulating() -> bool:
    return getattr(_state, "on", False)


@contextlib.contextmanager
def simulation():
    previous = simulating()
    _state.on = True
    try:
        yield
    finally:
        _state.on = previous
