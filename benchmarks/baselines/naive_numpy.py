"""Naive NumPy explicit-weight Monte Carlo baseline (workload P1 and any ReLU/linear/tanh MLP).

Every network is drawn in full: ``W^(l) ~ N(0, C_W/n_{l-1})`` (n_l x n_{l-1}), ``b^(l) ~ N(0, C_b)``, from one
stateful ``numpy.random.default_rng(seed)`` (not nnmc's counter-based stream), a few networks at a time
(``batch``) with batched matmul. Per network and layer l = 1..L it computes (theory.md s.0, DESIGN.md s.4)

    Ghat^(1)   = C_b + (C_W/n_0) x x^T                       (deterministic)
    Ghat^(l)   = C_b + (C_W/n_{l-1}) s^T s,  s = sigma(z^(l-1))  (k x k),
    m2^(l)_ab  = (1/n_l) sum_i z^(l)_ia z^(l)_ib,

and accumulates their ensemble means in float64. ``run`` returns networks/s plus the per-layer means of Ghat
and m2 and the leading-order kernel K^(l) (:func:`leading_kernel`) to check them against (for ReLU with
C_b = 0 the diagonal E[Ghat_aa] = K_aa at any width; layer 2 agrees with K^(2) exactly in expectation).

One core: BLAS threads must be limited *before NumPy is first imported*. ``python naive_numpy.py --threads 1``
(the default) sets OMP/OPENBLAS/MKL thread variables and pins the process to one CPU before importing NumPy;
from an already running process use :func:`run_subprocess`. NumPy is imported lazily for that reason.
"""
from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import time
from pathlib import Path

P1_WIDTHS = [8, 512, 512, 512, 512, 512, 1]
P1_INPUTS = Path(__file__).resolve().parents[2] / "data" / "inputs" / "angles_k4_d8.npy"
_THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS",
                "NUMEXPR_NUM_THREADS", "VECLIB_MAXIMUM_THREADS")


def _activation(name: str):
    import numpy as np

    return {"relu": lambda z: np.maximum(z, 0.0), "linear": lambda z: z, "tanh": np.tanh}[name]


def leading_kernel(widths, inputs, C_W=2.0, C_b=0.0, activation="relu"):
    """Leading-order (infinite-width) kernels K^(1..L), shape (L, k, k), float64 (theory.md s.1).

    ReLU: K' = C_b + C_W sqrt(K_aa K_bb)/(2 pi) [sin t + (pi - t) cos t], cos t = K_ab / sqrt(K_aa K_bb);
    linear: K' = C_b + C_W K. (tanh has no closed form and is not provided here.)
    """
    import numpy as np

    x = np.asarray(inputs, dtype=np.float64)
    K = C_b + C_W * (x @ x.T) / x.shape[1]
    out = [K]
    for _ in range(len(widths) - 2):
        if activation == "relu":
            d = np.sqrt(np.diag(K))
            c = np.clip(K / np.outer(d, d), -1.0, 1.0)
            t = np.arccos(c)
            K = C_b + C_W * np.outer(d, d) / (2 * np.pi) * (np.sin(t) + (np.pi - t) * c)
        elif activation == "linear":
            K = C_b + C_W * K
        else:
            raise ValueError(f"leading_kernel: no closed form for activation {activation!r}")
        out.append(K)
    return np.stack(out)


def run(widths=P1_WIDTHS, inputs=None, n_networks=256, seed=0, batch=8, *, C_W=2.0, C_b=0.0,
        activation="relu", dtype="float64") -> dict:
    """Sample ``n_networks`` explicit-weight MLPs and return timing and ensemble means.

    widths: [n_0, n_1, ..., n_L]; inputs: (k, n_0) array or None for data/inputs/angles_k4_d8.npy;
    batch: networks per batched matmul; dtype: sampling precision ("float64" or "float32"; accumulation is
    float64). Returns a dict with networks, seconds, networks_per_s, and per-layer lists (index l-1) of k x k
    matrices: G_mean (mean Ghat^(l)), G_sem (its standard error over networks), m2_mean (mean m2^(l)) and
    K_leading (leading-order kernel, or None).
    """
    import numpy as np

    x = np.load(P1_INPUTS) if inputs is None else np.asarray(inputs, dtype=np.float64)
    if x.ndim != 2 or x.shape[1] != widths[0]:
        raise ValueError(f"inputs must have shape (k, {widths[0]}), got {x.shape}")
    dt = np.dtype(dtype)
    sigma = _activation(activation)
    L, k = len(widths) - 1, x.shape[0]
    rng = np.random.default_rng(seed)
    g_sum = np.zeros((L, k, k))
    g2_sum = np.zeros((L, k, k))  # for the standard error of the mean
    m2_sum = np.zeros((L, k, k))
    g1 = C_b + C_W * (x @ x.T) / widths[0]
    xb = x.astype(dt)
    done = 0
    t0 = time.perf_counter()
    while done < n_networks:
        B = min(batch, n_networks - done)
        s = np.broadcast_to(xb, (B, k, widths[0]))  # layer input, (B, k, n_{l-1})
        for l in range(1, L + 1):
            n_in, n_out = widths[l - 1], widths[l]
            if l == 1:
                g_sum[0] += B * g1
                g2_sum[0] += B * g1**2
            else:
                g = C_b + (C_W / n_in) * np.matmul(s, s.transpose(0, 2, 1), dtype=np.float64)
                g_sum[l - 1] += g.sum(axis=0)
                g2_sum[l - 1] += (g**2).sum(axis=0)
            W = rng.standard_normal((B, n_in, n_out), dtype=dt)  # W^T, scaled below
            W *= dt.type(math.sqrt(C_W / n_in))
            z = np.matmul(s, W)
            if C_b != 0.0:
                z += dt.type(math.sqrt(C_b)) * rng.standard_normal((B, 1, n_out), dtype=dt)
            m2_sum[l - 1] += np.matmul(z, z.transpose(0, 2, 1), dtype=np.float64).sum(axis=0) / n_out
            s = sigma(z)
        done += B
    seconds = time.perf_counter() - t0
    g_mean = g_sum / n_networks
    g_var = np.maximum(g2_sum / n_networks - g_mean**2, 0.0) * n_networks / max(n_networks - 1, 1)
    g_sem = np.sqrt(g_var / n_networks)
    try:
        K = leading_kernel(widths, x, C_W, C_b, activation).tolist()
    except ValueError:
        K = None
    return {"baseline": "naive_numpy", "widths": list(widths), "k": k, "C_W": C_W, "C_b": C_b,
            "activation": activation, "dtype": dt.name, "batch": batch, "seed": seed,
            "networks": n_networks, "seconds": seconds, "networks_per_s": n_networks / seconds,
            "threads_env": {v: os.environ.get(v) for v in _THREAD_VARS[:2]},
            "G_mean": g_mean.tolist(), "G_sem": g_sem.tolist(), "m2_mean": (m2_sum / n_networks).tolist(),
            "K_leading": K}


def run_subprocess(n_networks=256, batch=8, seed=0, threads=1, dtype="float64", timeout=3600.0) -> dict:
    """Run :func:`run` on P1 in a fresh interpreter with BLAS limited to ``threads`` (and, for 1, one CPU).

    threads = 0: BLAS's own default; the thread limits of this process's environment (importing nnmc sets
    OPENBLAS_NUM_THREADS=1 and MKL_NUM_THREADS=1) are not passed on.
    """
    cmd = [sys.executable, str(Path(__file__).resolve()), "--networks", str(n_networks), "--batch", str(batch),
           "--seed", str(seed), "--threads", str(threads), "--dtype", dtype]
    env = {name: value for name, value in os.environ.items() if threads > 0 or name not in _THREAD_VARS}
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=True, env=env)
    return json.loads(res.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    import argparse

    ap = argparse.ArgumentParser(description="naive NumPy explicit-weight MLP ensemble baseline (P1)")
    ap.add_argument("--networks", type=int, default=256)
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=1, help="BLAS threads; 1 also pins to one CPU; 0: leave")
    ap.add_argument("--dtype", default="float64", choices=["float64", "float32"])
    args = ap.parse_args(argv)
    if args.threads > 0:
        if "numpy" in sys.modules:
            print("warning: numpy already imported, thread limits may not apply", file=sys.stderr)
        for v in _THREAD_VARS:
            os.environ[v] = str(args.threads)
        if args.threads == 1 and hasattr(os, "sched_setaffinity"):
            os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    run(n_networks=min(args.batch, args.networks), batch=args.batch, seed=args.seed + 1, dtype=args.dtype)  # warm-up
    out = run(n_networks=args.networks, batch=args.batch, seed=args.seed, dtype=args.dtype)
    out["threads"] = args.threads
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
