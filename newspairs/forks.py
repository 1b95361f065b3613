"""What a forked worker inherits of its parent's signal set-up.

A worker forked by a build (`datasets`' ``num_proc`` pool, ``newspairs.builder.forked_pool``)
starts with its parent's signal handlers. Some must not carry over: the command line's SIGTERM
handler (the pool's ``terminate()`` expects a worker to die of SIGTERM at once) and Python's
Ctrl-C handler while a build runs (the terminal sends Ctrl-C to every worker too). A handler reset
in the child only after the fork leaves a window in which the signal is taken by the inherited one
(and Python drops a child's pending handlers after fork); so the signal is held blocked over the
fork, and waits in the child until its handler there is set.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Callable


def hold_over_fork(signum: int, active: Callable[[], bool], in_child: Callable[[], None]) -> None:
    """While ``active()`` is true, hold ``signum`` blocked over every fork of this process, and in
    the child call ``in_child()`` (which sets its handler there) before unblocking it."""

    def before() -> None:
        if active():
            signal.pthread_sigmask(signal.SIG_BLOCK, {signum})

    def after_in_parent() -> None:
        if active():
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signum})

    def after_in_child() -> None:
        if active():
            in_child()
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signum})

    os.register_at_fork(before=before, after_in_parent=after_in_parent, after_in_child=after_in_child)
