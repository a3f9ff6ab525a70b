"""Workload P3: analyse a large stored ensemble, with memory that must not grow with the number of networks.

The file is *synthetic*, written straight through :class:`nnmc.store.EnsembleWriter` (sampling 10^8 P1 networks
would take hours): it has exactly the layout of a P1 file (k = 4, 6 measured layers, moments 4: G, m2, GG, m4,
m22) and ``n_networks / block_size`` blocks of ``block_size`` networks each, whose block means are ``seed_blocks``
real P1 blocks (sampled here, ``seed_networks`` networks each) repeated in turn. The analysis' cost depends on
blocks x layers x components, not on the values, and its results stay finite and meaningful (the P1 kernel);
only the error bars are not those of a real 10^8-network ensemble. ``/blocks/wall_time`` is 0 and the
``backend`` attribute says "synthetic (benchmarks.p3)".

The analysis runs in a fresh interpreter (``python -m benchmarks p3-analyse FILE``) so its peak RSS is its own;
the RSS after the imports is reported too, and the difference is what the analysis itself needed. Peak RSS is
``resource.getrusage(RUSAGE_SELF).ru_maxrss`` where it can be trusted, but Linux carries ru_maxrss across
fork + exec (a child of a 700 MB parent reports >= 700 MB), so on Linux the per-process high-water mark
``VmHWM`` of /proc/self/status is used instead (it starts afresh at exec); both are recorded.
"""
from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

import nnmc
from nnmc.backends import CpuBackend
from nnmc.sampling import BlockMeans, KernelInputs, reduce_block
from nnmc.store import EnsembleWriter

from .machine import ROOT


def real_blocks(cfg: nnmc.Config, seed_blocks: int, seed_networks: int) -> list[dict]:
    """Block means (observable -> (n_layers, n_comp)) of ``seed_blocks`` real blocks of ``cfg``."""
    kin = KernelInputs.from_config(cfg)
    backend = CpuBackend()
    out = []
    for b in range(seed_blocks):
        rows, finite = backend.sample_rows(kin, b * seed_networks, seed_networks)
        out.append(reduce_block(kin.layout, b * seed_networks, rows, finite).means)
    return out


def write_synthetic(path: str | Path, cfg: nnmc.Config, n_networks: int, block_size: int,
                    seeds: list[dict]) -> dict:
    """Write an nnmc file of ``n_networks`` networks in blocks of ``block_size`` (see module docstring)."""
    cfg = cfg.replace("sampling", networks=int(n_networks), block_size=int(block_size))
    layout = KernelInputs.from_config(cfg).layout
    t0 = time.perf_counter()
    with EnsembleWriter.create(path, cfg, layout, "synthetic (benchmarks.p3)",
                               f"{len(seeds)} real P1 block means repeated", overwrite=True) as writer:
        first = 0
        b = 0
        while first < n_networks:
            count = min(block_size, n_networks - first)
            writer.append(BlockMeans(first, count, 0, seeds[b % len(seeds)]), 0.0)
            first += count
            b += 1
            if b % 4096 == 0:
                writer.commit()  # keep the writer's queue (and this process) small
    return {"networks": int(n_networks), "block_size": int(block_size), "blocks": b,
            "file_mb": os.path.getsize(path) / 2**20, "write_s": time.perf_counter() - t0}


def _proc_status_mb(field: str) -> float:
    """``VmRSS`` / ``VmHWM`` of /proc/self/status in MiB (NaN where there is no /proc)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def analyse_here(path: str | Path, bins: int) -> dict:
    """Analyse ``path`` in this process; seconds, RSS after imports and peak RSS (MiB), and a sanity value."""
    rss0 = _proc_status_mb("VmRSS")
    t0 = time.perf_counter()
    res = nnmc.analyse(path, bins=bins)
    seconds = time.perf_counter() - t0
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    hwm = _proc_status_mb("VmHWM")
    peak = hwm if np.isfinite(hwm) else maxrss
    G = res.estimates["G"]
    return {"seconds": seconds, "rss_before_mb": rss0, "peak_rss_mb": peak, "ru_maxrss_mb": maxrss, "networks": res.networks,
            "blocks": res.blocks, "bins": res.bins, "G_last_00": float(G.value[-1, 0, 0]),
            "G_last_00_error": float(G.error[-1, 0, 0]), "finite": bool(np.isfinite(G.value).all())}


def analyse_subprocess(path: str | Path, bins: int, timeout: float = 600.0) -> dict:
    """:func:`analyse_here` in a fresh interpreter (own peak RSS)."""
    cmd = [sys.executable, "-m", "benchmarks", "p3-analyse", str(path), "--bins", str(bins)]
    res = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, timeout=timeout)
    if res.returncode != 0:
        raise RuntimeError(f"p3-analyse failed (exit {res.returncode}): {res.stderr[-2000:]}")
    return json.loads(res.stdout.strip().splitlines()[-1])


def run_p3(cfg: nnmc.Config, sizes: list[int], block_size: int, bins: int, folder: str | Path,
           seed_blocks: int = 16, seed_networks: int = 64) -> list[dict]:
    """For each N in ``sizes``: write the synthetic file, analyse it in a subprocess, delete it."""
    seeds = real_blocks(cfg, seed_blocks, seed_networks)
    out = []
    for n in sizes:
        path = Path(folder) / f"p3_{n}.h5"
        try:
            info = write_synthetic(path, cfg, n, block_size, seeds)
            info.update(analyse_subprocess(path, bins))
        finally:
            path.unlink(missing_ok=True)
        info["analysis_mb"] = info["peak_rss_mb"] - info["rss_before_mb"]
        out.append(info)
    return out
