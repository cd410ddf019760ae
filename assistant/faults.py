"""A test hook that kills the process at a named step of a write, to prove crash safety.

The writer (sync, rebuild, keyword-index save) calls `fault_point("after-vectors")` and the
like between the steps that change the store. Normally this does nothing. When the
environment variable `VEILLE_FAULT_AT` names the step, the process sends itself SIGKILL
there, as a power cut would: no `finally`, no flush, no lock release by Python. The fault
suite (tests/integration/test_store_faults.py) runs a writer with each step name, then checks
that the next command finds a correct store.

`VEILLE_FAULT_AT=name@N` fires at the N-th time the step is reached (default: the first).
`VEILLE_FAULT_LOG=FILE` appends each step name reached, so a test can list the steps a run
goes through. Neither variable is meant for users.
"""

from __future__ import annotations

import os
import signal
from collections import Counter

_hits: Counter[str] = Counter()


def fault_point(name: str) -> None:
    """Die here with SIGKILL if `VEILLE_FAULT_AT` names this step (a test hook)."""
    log = os.environ.get("VEILLE_FAULT_LOG")
    if log:
        with open(log, "a", encoding="utf-8") as f:  # noqa: PTH123 - one line, no Path needed
            f.write(name + "\n")
    wanted = os.environ.get("VEILLE_FAULT_AT")
    if not wanted:
        return
    step, _, nth = wanted.partition("@")
    if step != name:
        return
    _hits[name] += 1
    if _hits[name] >= int(nth or 1):
        os.kill(os.getpid(), signal.SIGKILL)
