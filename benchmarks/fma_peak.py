"""Peak float64 multiply-add throughput of one core, measured: ``python -m benchmarks.fma_peak``.

The yardstick for the arithmetic floor of the sampler's float64 sums (DESIGN.md s.4 accumulates in float64):
ten independent accumulators over an L1-resident array, which LLVM vectorises to the widest FMA the CPU has.
Prints the best of five runs in G multiply-adds per second.
"""
from __future__ import annotations

import time

import numba as nb
import numpy as np


@nb.njit(fastmath=True, cache=True)
def _ten_sums(a, repeats):
    total = 0.0
    for _ in range(repeats):
        s0 = s1 = s2 = s3 = s4 = s5 = s6 = s7 = s8 = s9 = 0.0
        for i in range(a.shape[0]):
            x = a[i]
            s0 += x * 1.1
            s1 += x * 1.2
            s2 += x * 1.3
            s3 += x * 1.4
            s4 += x * 1.5
            s5 += x * 1.6
            s6 += x * 1.7
            s7 += x * 1.8
            s8 += x * 1.9
            s9 += x * 2.1
        total += s0 + s1 + s2 + s3 + s4 + s5 + s6 + s7 + s8 + s9
    return total


def peak_fma_per_s(repeats: int = 50_000, runs: int = 5) -> float:
    """Best-of-``runs`` float64 multiply-adds per second on the calling thread."""
    a = np.random.default_rng(0).random(1024)
    _ten_sums(a, 1)
    best = 0.0
    for _ in range(runs):
        t0 = time.perf_counter()
        _ten_sums(a, repeats)
        best = max(best, 10 * a.size * repeats / (time.perf_counter() - t0))
    return best


if __name__ == "__main__":
    print(f"float64 multiply-adds, one core: {peak_fma_per_s() / 1e9:.1f} G/s")
