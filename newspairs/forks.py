"""What a forked worker inherits of its parent's signal set-up.

A worker forked by a build (`datasets`' ``num_proc`` pool, ``newspairs.builder.forked_pool``)
starts with its parent's signal handlers. Some must not carry over: the command line's SIGTERM
handler (the pool's ``terminate()`` expects a worker to die of SIGTERM at once) and Python's
Ctrl-C handler while a build runs (the terminal sends Ctrl-C to every worker too). A handler reset
in the child only after the fork leaves a window in which the signal is taken by the inherited one
(and Python drops a child's pending handlers after fork); so the signal is held blocked over the
fork, and waits in the child until its handler there is set.

In the parent, a signal that comes during the fork must not be taken by its handler inside an
at-fork hook either: Python prints and drops what a hook raises (a Ctrl-C lost, the build going
on). Over the fork the parent's handler only notes it, and it is sent again once the fork returned.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable


def hold_over_fork(signum: int, active: Callable[[], bool], in_child: Callable[[], None]) -> None:
    """While ``active()`` is true, hold ``signum`` over every fork of this process: blocked, its
    handler set aside (a signal meanwhile is noted, and sent again after the fork); in the child,
    call ``in_child()`` (which sets its handler there) before unblocking it."""
    held: dict = {}  # over a fork of the main thread: the handler set aside, and whether the signal came

    def note(number: int, frame: object) -> None:
        held["came"] = True

    def before() -> None:
        if not active():
            return
        if threading.current_thread() is threading.main_thread():  # only it may set a handler
            held["came"] = False
            held["handler"] = signal.signal(signum, note)
        signal.pthread_sigmask(signal.SIG_BLOCK, {signum})

    def after_in_parent() -> None:
        if "handler" in held:
            signal.signal(signum, held.pop("handler"))
        elif not active():
            return
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signum})
        if held.pop("came", False):
            threading.Thread(target=_send_again, args=(signum,), daemon=True).start()

    def after_in_child() -> None:
        if "handler" in held:
            signal.signal(signum, held.pop("handler"))
            held.pop("came", None)
        elif not active():
            return
        in_child()
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signum})

    os.register_at_fork(before=before, after_in_parent=after_in_parent, after_in_child=after_in_child)


def _send_again(signum: int) -> None:
    time.sleep(0.05)  # the fork's hooks return first
    os.kill(os.getpid(), signum)
