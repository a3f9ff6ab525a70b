"""Timing helpers: best-of-repeats throughput, interleaved so that side-by-side figures share the machine's noise.

The machine is shared and noisy, so every figure is the best of ``repeats`` timed calls (the least disturbed
one), and figures that are compared as a ratio are timed in alternation (A, B, A, B, ...) rather than one after
the other, so a slow minute hurts both. The spread (median / best) is kept beside each figure.
"""
from __future__ import annotations

import contextlib
import statistics
import time
from dataclasses import asdict, dataclass
from typing import Callable

Work = Callable[[int], object]  # work(count): do `count` units (networks, normals, ...) of work


@dataclass(frozen=True)
class Rate:
    """Throughput of one piece of work: ``best`` and ``median`` units/s over ``repeats`` calls of ``count`` units."""

    best: float
    median: float
    count: int
    repeats: int
    seconds: tuple[float, ...]

    def to_dict(self) -> dict:
        return asdict(self)


def _rate(count: int, seconds: list[float]) -> Rate:
    rates = [count / s for s in seconds]
    return Rate(max(rates), statistics.median(rates), count, len(seconds), tuple(seconds))


def time_once(work: Work, count: int) -> float:
    t0 = time.perf_counter()
    work(count)
    return time.perf_counter() - t0


def calibrate(work: Work, target_s: float, pilot: int, min_count: int = 1, max_count: int = 10**9) -> int:
    """A count that makes one call of ``work`` take about ``target_s`` seconds (after a warm-up call)."""
    work(pilot)  # warm-up: JIT compilation, caches, page faults
    t = max(time_once(work, pilot), 1e-6)
    return int(min(max(pilot * target_s / t, min_count), max_count))


def measure_interleaved(works: dict[str, tuple[Work, int]], repeats: int) -> dict[str, Rate]:
    """Time each ``name: (work, count)`` ``repeats`` times, alternating between them; warm each up first."""
    for work, count in works.values():
        work(min(count, 64))
    seconds: dict[str, list[float]] = {name: [] for name in works}
    for _ in range(repeats):
        for name, (work, count) in works.items():
            seconds[name].append(time_once(work, count))
    return {name: _rate(works[name][1], seconds[name]) for name in works}


def measure(work: Work, count: int, repeats: int) -> Rate:
    return measure_interleaved({"_": (work, count)}, repeats)["_"]


@contextlib.contextmanager
def numba_threads(n: int | None):
    """Run numba's parallel loops on ``n`` threads inside the block (None: leave as is)."""
    import numba

    old = numba.get_num_threads()
    if n is not None:
        numba.set_num_threads(min(n, numba.config.NUMBA_NUM_THREADS))
    try:
        yield numba.get_num_threads()
    finally:
        numba.set_num_threads(old)


def with_threads(work: Work, n: int | None) -> Work:
    """``work`` run on ``n`` numba threads per call (None: all of numba's threads)."""

    def run(count: int):
        with numba_threads(n if n is not None else _all_threads()):
            return work(count)

    return run


def _all_threads() -> int:
    import numba

    return numba.config.NUMBA_NUM_THREADS
