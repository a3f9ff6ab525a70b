"""The benchmark workloads as callables ``work(count)`` over nnmc's public pieces.

P1  forward correlators: MLP 8 -> 512 x5 ReLU -> 1, k = 4 inputs, moments 4 at every layer
    (``data/configs/p1_relu.toml``), conditional sampler, all cores.
P2  the same with the exact NTK: a slot; it is measured as soon as ``measure.ntk = true`` validates, and
    reported as "not implemented" (with nnmc's own reason) until then. Same for the GPU backend.
P3  analysis of a large stored ensemble (see :mod:`benchmarks.p3`).

The floor: :func:`nnmc.rng.normals_floor` draws exactly the normals the conditional sampler draws
(n_l k_u per network and layer) on all cores and throws them away; no sampler can be faster.
"""
from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

import nnmc
from nnmc.backends import CpuBackend
from nnmc.rng import normals_floor
from nnmc.sampling import KernelInputs, reduce_block

from .machine import ROOT

P1_CONFIG = ROOT / "data" / "configs" / "p1_relu.toml"


def p1_config(path: str | Path = P1_CONFIG) -> nnmc.Config:
    return nnmc.load_config(path)


def describe(cfg: nnmc.Config) -> str:
    """'8-512x5-1 relu, k=4, moments 4, layers all, float32, conditional'."""
    w = cfg.widths
    hidden = w[1:-1]
    if hidden and all(h == hidden[0] for h in hidden):
        arch = f"{w[0]}-{hidden[0]}x{len(hidden)}-{w[-1]}"
    else:
        arch = "-".join(map(str, w))
    layers = "all" if cfg.layers == list(range(1, cfg.depth + 1)) else ",".join(map(str, cfg.layers))
    return (f"{arch} {cfg.activations[0] if cfg.activations else 'linear'}, k={cfg.inputs.shape[0]}, "
            f"moments {cfg.measure['moments']}, layers {layers}, {cfg.sampling['dtype']}, {cfg.sampling['sampler']}")


@dataclass
class Sampler:
    """``work(count)``: sample ``count`` networks of ``cfg`` as ``nnmc.generate`` does, block by block (the
    config's block size): the backend's block kernel and the block reduction, without the HDF5 write."""

    cfg: nnmc.Config
    backend: object = None

    def __post_init__(self):
        self.kin = KernelInputs.from_config(self.cfg)
        self.backend = self.backend or CpuBackend()
        self.block_size = self.cfg.sampling["block_size"]
        self.buffers = self.kin.new_rows(self.block_size)
        self._next = 0

    def __call__(self, count: int) -> None:
        end = self._next + count
        while self._next < end:
            m = min(self.block_size, end - self._next)
            rows, finite = self.backend.sample_rows(self.kin, self._next, m, self.buffers)
            if not finite.all():
                raise RuntimeError(f"benchmark sampler rejected {int((~finite).sum())} of {m} networks")
            reduce_block(self.kin.layout, self._next, rows, finite)
            self._next += m

    @property
    def normals_per_network(self) -> int:
        """Normals the conditional sampler draws per network: sum_l n_l k_u."""
        return int(sum(self.counts_per_layer))

    @property
    def counts_per_layer(self) -> list[int]:
        k_u = self.kin.layout.k_unique
        return [n * k_u for n in self.cfg.widths[1:]]


@dataclass
class Floor:
    """``work(count)``: the normals floor for ``count`` networks of ``cfg`` (nnmc.rng.normals_floor)."""

    cfg: nnmc.Config

    def __post_init__(self):
        self.counts = Sampler(self.cfg).counts_per_layer
        self.dtype = np.dtype(self.cfg.sampling["dtype"])
        self._next = 0

    def __call__(self, count: int) -> None:
        normals_floor(self.cfg.sampling["seed"], self._next, count, self.counts, self.dtype)
        self._next += count


def p1_variants(cfg: nnmc.Config) -> dict[str, nnmc.Config]:
    """P1 and the variants that tell where its time goes (one change each, plus the bare sampler)."""
    last = [cfg.depth]
    return {
        "P1 (moments 4, all layers, float32)": cfg,
        "moments 2": cfg.replace("measure", moments=2),
        "last layer measured only": cfg.replace("measure", layers=last),
        "float64 sampling": cfg.replace("sampling", dtype="float64"),
        "bare sampler (moments 2, last layer only)": cfg.replace("measure", moments=2, layers=last),
    }


def p2_config(cfg: nnmc.Config) -> tuple[nnmc.Config | None, str]:
    """P1 with the exact NTK measured, or (None, nnmc's reason) while that is not implemented."""
    try:
        return cfg.replace("measure", ntk=True), ""
    except nnmc.NnmcError as exc:
        return None, str(exc).splitlines()[0]


def gpu_backend() -> tuple[object | None, str]:
    """A GPU backend object with ``sample_rows``, or (None, the reason it is not available)."""
    from nnmc.backends import select_backend

    try:
        backend = select_backend("cupy")
    except nnmc.NnmcError as exc:
        return None, str(exc).splitlines()[0]
    if getattr(backend, "name", "cpu") == "cpu":
        return None, "nnmc.backends.select_backend('cupy') returned the CPU backend"
    return backend, ""


def generate_seconds(cfg: nnmc.Config, repeats: int) -> float:
    """Best wall time per network of ``nnmc.generate`` (blocks, reduction, HDF5) into a fresh file."""
    best = float("inf")
    with tempfile.TemporaryDirectory(prefix="nnmc-bench-") as folder:
        for r in range(repeats):
            path = Path(folder) / f"g{r}.h5"
            t0 = time.perf_counter()
            nnmc.generate(cfg, path, progress=False)
            best = min(best, (time.perf_counter() - t0) / cfg.sampling["networks"])
            path.unlink()
    return best


def mlp_config(hidden: int, depth: int, k: int, moments: int, networks: int = 1000, block_size: int = 1000,
               n0: int = 8) -> nnmc.Config:
    """ReLU MLP n0 -> hidden x (depth - 1) -> 1 at criticality, k Gaussian inputs, every layer measured."""
    return nnmc.Config.from_dict({
        "network": {"widths": [n0] + [hidden] * (depth - 1) + [1], "activation": "relu", "C_W": 2.0, "C_b": 0.0},
        "inputs": {"generator": "gaussian", "k": k, "seed": 1},
        "sampling": {"networks": networks, "block_size": block_size, "seed": 1, "dtype": "float32",
                     "backend": "cpu"},
        "measure": {"layers": "all", "moments": moments}})
