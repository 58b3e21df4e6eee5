"""Settling a booted batch process's collector: once, its garbage collected before the rest is frozen."""

import gc
import weakref

import pytest

from hearth.common import processes


@pytest.fixture
def unsettled(monkeypatch):
    """A process not settled yet, its frozen objects given back to the collector afterwards."""
    monkeypatch.setattr(processes, "_settled", type(processes._settled)())
    thresholds = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*thresholds)


def test_the_objects_alive_are_frozen_and_the_garbage_collected_first(unsettled):
    class Node:
        itself: object = None

    cycle = Node()
    cycle.itself = cycle  # garbage only the collector can free
    gone = weakref.ref(cycle)
    del cycle
    gc.unfreeze()
    processes.settle_for_batch_work()
    assert gc.get_freeze_count() > 0
    assert gone() is None  # freed, not frozen
    assert gc.get_threshold()[0] == processes.YOUNG_OBJECTS_BEFORE_COLLECTING


def test_a_second_call_freezes_nothing_more(unsettled):
    gc.unfreeze()
    processes.settle_for_batch_work()
    frozen = gc.get_freeze_count()
    later = [object() for _ in range(10)]
    processes.settle_for_batch_work()
    assert gc.get_freeze_count() == frozen
    assert later
