"""neural-tangents Monte Carlo kernel baseline for workload P1 (run with benchmarks/.venv-nt's python).

Builds the P1 MLP 8 -> 512 x5 (ReLU) -> 1 in neural-tangents' stax, parameterization 'ntk', with
``W_std = sqrt(C_W) = sqrt(2)``, ``b_std = sqrt(C_b) = 0`` (NT's W_std^2 is our C_W), and times
``nt.monte_carlo_kernel_fn(init_fn, apply_fn, key, n_samples, batch_size)`` on the k = 4 inputs of
``data/inputs/angles_k4_d8.npy`` with ``get='nngp'`` and separately ``get='ntk'``.

NT draws the networks one at a time in a Python loop (one jitted init + forward [+ Jacobian] per network) and
its ``batch_size`` batches the *inputs* (0 = all at once; it must divide k), not the networks. The NNGP estimate
is the output layer's (layer L) kernel, E[z^(L)_a z^(L)_b] = G^(L)_ab, so it can be checked against nnmc's G
and the analytic (infinite-width) kernel that NT also returns here.

Timing: one monte_carlo_kernel_fn object per ``get``, asked for ``n_samples = [warmup, warmup + n]`` (generator
form); the first ``warmup`` networks include JIT compilation and are not timed; the next ``n`` are. Prints one
JSON line: {"nngp_networks_per_s", "ntk_networks_per_s", "kernel": {"nngp", "ntk", "nngp_analytic",
"ntk_analytic"}, ...}. ``--one-core`` pins the process to one CPU and XLA to one thread (set before importing jax).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

DEFAULT_INPUTS = Path(__file__).resolve().parents[2] / "data" / "inputs" / "angles_k4_d8.npy"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="neural-tangents MC kernel baseline (P1)")
    ap.add_argument("--n-samples", type=int, default=200, help="timed networks per kernel (after warm-up)")
    ap.add_argument("--warmup", type=int, default=3, help="untimed networks first (JIT compile)")
    ap.add_argument("--batch-size", type=int, default=0, help="NT input batch size (0: all inputs at once)")
    ap.add_argument("--widths", type=str, default="8,512,512,512,512,512,1")
    ap.add_argument("--C-W", dest="C_W", type=float, default=2.0)
    ap.add_argument("--C-b", dest="C_b", type=float, default=0.0)
    ap.add_argument("--inputs", type=str, default=str(DEFAULT_INPUTS))
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--one-core", action="store_true")
    args = ap.parse_args(argv)

    if args.one_core:
        os.environ["XLA_FLAGS"] = (os.environ.get("XLA_FLAGS", "") +
                                   " --xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1")
        if hasattr(os, "sched_setaffinity"):
            os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    os.environ.setdefault("JAX_PLATFORMS", "cpu")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

    import jax
    import numpy as np
    import neural_tangents as nt
    from neural_tangents import stax

    jax.config.update("jax_enable_x64", False)
    widths = [int(w) for w in args.widths.split(",")]
    x = np.load(args.inputs).astype(np.float32)
    if x.shape[1] != widths[0]:
        raise SystemExit(f"inputs have n_0 = {x.shape[1]}, widths[0] = {widths[0]}")
    w_std, b_std = float(np.sqrt(args.C_W)), float(np.sqrt(args.C_b))
    layers = []
    for n in widths[1:-1]:
        layers += [stax.Dense(n, W_std=w_std, b_std=b_std, parameterization="ntk"), stax.Relu()]
    layers += [stax.Dense(widths[-1], W_std=w_std, b_std=b_std, parameterization="ntk")]
    init_fn, apply_fn, kernel_fn = stax.serial(*layers)

    out = {"widths": widths, "C_W": args.C_W, "C_b": args.C_b, "k": int(x.shape[0]),
           "n_samples": args.n_samples, "warmup": args.warmup, "batch_size": args.batch_size,
           "one_core": args.one_core, "jax": jax.__version__, "neural_tangents": nt.__version__,
           "devices": [str(d) for d in jax.devices()], "kernel": {}}
    key = jax.random.PRNGKey(args.seed)
    for get in ("nngp", "ntk"):
        key, sub = jax.random.split(key)
        mc = nt.monte_carlo_kernel_fn(init_fn, apply_fn, sub, [args.warmup, args.warmup + args.n_samples],
                                      batch_size=args.batch_size)
        gen = mc(x, None, get)
        t0 = time.perf_counter()
        np.asarray(next(gen))  # warm-up networks, includes compilation
        t1 = time.perf_counter()
        kern = np.asarray(next(gen))  # blocks until the timed networks are done
        t2 = time.perf_counter()
        out[f"{get}_networks_per_s"] = args.n_samples / (t2 - t1)
        out[f"{get}_warmup_s"] = t1 - t0
        out["kernel"][get] = kern.astype(float).tolist()
    ana = kernel_fn(x, None, ("nngp", "ntk"))
    out["kernel"]["nngp_analytic"] = np.asarray(ana.nngp).astype(float).tolist()
    out["kernel"]["ntk_analytic"] = np.asarray(ana.ntk).astype(float).tolist()
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
