"""The watchdog (app.watchdog): an action runs once its deadline passes, unless the guarded
call ended first; a forked child gets a watchdog of its own."""

from __future__ import annotations

import os
import threading
import time

from app.watchdog import Watchdog


def test_an_action_runs_once_its_deadline_passes() -> None:
    dog = Watchdog(tick=0.01)
    fired = threading.Event()
    started = time.monotonic()
    dog.arm(0.1, fired.set)
    assert fired.wait(2.0)
    assert 0.09 <= time.monotonic() - started < 1.0
    assert dog.fired == 1


def test_a_call_that_ends_in_time_runs_no_action() -> None:
    dog = Watchdog(tick=0.01)
    fired: list[int] = []
    with dog.guard(0.2, lambda: fired.append(1)):
        pass
    handle = dog.arm(0.05, lambda: fired.append(2))
    assert dog.disarm(handle)
    time.sleep(0.3)
    assert fired == []
    assert not dog.disarm(handle)  # already gone


def test_a_guard_without_a_deadline_never_fires() -> None:
    dog = Watchdog(tick=0.01)
    with dog.guard(None, lambda: (_ for _ in ()).throw(AssertionError("fired"))):
        time.sleep(0.05)
    assert dog.fired == 0


def test_a_failing_action_does_not_stop_the_others() -> None:
    dog = Watchdog(tick=0.01)
    fired = threading.Event()

    def fail() -> None:
        raise RuntimeError("broken")

    dog.arm(0.01, fail)
    dog.arm(0.02, fired.set)
    assert fired.wait(2.0)


def test_a_forked_child_has_a_watchdog_of_its_own() -> None:
    dog = Watchdog(tick=0.01)
    dog.arm(30, lambda: None)  # the parent's thread runs, one call armed
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: the parent's armed call is not its own; its own ones fire
        os.close(read)
        fired = threading.Event()
        dog.arm(0.05, fired.set)
        os.write(write, b"1" if fired.wait(2.0) and len(dog._armed) == 0 else b"0")
        os._exit(0)
    os.close(write)
    answer = os.read(read, 1)
    os.waitpid(pid, 0)
    os.close(read)
    assert answer == b"1"
