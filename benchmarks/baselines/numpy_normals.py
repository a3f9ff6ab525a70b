"""Throughput of NumPy's own normal generator, ``default_rng().standard_normal`` (PCG64 + ziggurat), on one core.

This is the yardstick for nnmc's counter-based Philox + Box-Muller normals (DESIGN.md s.7). The generator is
single-threaded whatever BLAS does, so no thread pinning is needed. Normals are written into a preallocated
buffer (``out=``) in chunks, so allocation is not timed.
"""
from __future__ import annotations

import json
import sys
import time

import numpy as np


def draw(rng: np.random.Generator, buf: np.ndarray, count: int) -> None:
    """Draw ``count`` standard normals from ``rng`` into the reusable buffer ``buf``, chunk by chunk."""
    left = count
    while left > 0:
        m = min(left, buf.size)
        rng.standard_normal(out=buf[:m], dtype=buf.dtype)
        left -= m


def run(count: int = 50_000_000, seed: int = 0, dtype: str = "float64", chunk: int = 1 << 20,
        repeats: int = 3) -> dict:
    """Draw ``count`` normals ``repeats`` times; return normals/s of the best and the median repeat."""
    rng = np.random.default_rng(seed)
    buf = np.empty(min(chunk, count), dtype=dtype)
    rng.standard_normal(out=buf, dtype=buf.dtype)  # warm-up
    rates = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        draw(rng, buf, count)
        rates.append(count / (time.perf_counter() - t0))
    return {"baseline": "numpy_normals", "count": count, "dtype": np.dtype(dtype).name, "repeats": repeats,
            "normals_per_s": max(rates), "normals_per_s_median": float(np.median(rates)),
            "numpy": np.__version__}


def main(argv=None) -> int:
    import argparse

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--count", type=int, default=50_000_000)
    ap.add_argument("--dtype", default="float64", choices=["float64", "float32"])
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args(argv)
    print(json.dumps(run(args.count, dtype=args.dtype, repeats=args.repeats)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
