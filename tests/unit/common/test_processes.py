"""Freezing a booted batch process's objects: once, and after collecting what was already garbage."""

import gc
import weakref

import pytest

from hearth.common import processes


@pytest.fixture
def unsettled(monkeypatch):
    """A process not settled yet, its frozen objects given back to the collector afterwards."""
    monkeypatch.setattr(processes, "_settled", type(processes._settled)())
    yield
    gc.unfreeze()


def test_the_objects_alive_are_frozen_and_the_garbage_collected_first(unsettled):
    class Node:
        itself: object = None

    cycle = Node()
    cycle.itself = cycle  # garbage only the collector can free
    gone = weakref.ref(cycle)
    del cycle
    gc.unfreeze()
    processes.freeze_boot_objects()
    assert gc.get_freeze_count() > 0
    assert gone() is None  # freed, not frozen


def test_a_second_call_freezes_nothing_more(unsettled):
    gc.unfreeze()
    processes.freeze_boot_objects()
    frozen = gc.get_freeze_count()
    later = [object() for _ in range(10)]
    processes.freeze_boot_objects()
    assert gc.get_freeze_count() == frozen
    assert later
