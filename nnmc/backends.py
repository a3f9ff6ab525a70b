"""Compute backends: who runs the block kernel (DESIGN.md s.7).

``select_backend(name)`` resolves "auto" | "cpu" | "cupy" and says why when a backend cannot run.
A backend's one job: ``sample_rows(kernel_inputs, first_network, count)`` -> per-network rows.
"""

from __future__ import annotations

import platform
from dataclasses import dataclass

import numpy as np

from .errors import BackendUnavailable
from .sampling import KernelInputs


@dataclass(frozen=True)
class CpuBackend:
    """NumPy + numba on all cores (numba prange; BLAS is not used by the kernels)."""

    name: str = "cpu"

    @property
    def device(self) -> str:
        import numba

        return f"{platform.processor() or platform.machine()} ({numba.get_num_threads()} threads, numba)"

    def sample_rows(self, kin: KernelInputs, first_network: int, count: int,
                    out: tuple[np.ndarray, np.ndarray] | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Rows (count, n_measured, width) float64 and finite (count,) bool of networks first_network + t.

        ``out``: buffers from ``kin.new_rows(m)``, m >= count, to reuse block after block (their first count
        entries are overwritten and returned as views); else new arrays.
        """
        from .cpu.forward import sample_block

        rows, finite = kin.new_rows(count) if out is None else (out[0][:count], out[1][:count])
        sample_block(np.uint64(first_network), *kin.args, rows, finite, np.zeros(1, kin.dtype))
        return rows, finite


def cupy_unavailable_reason() -> str:
    """Why the CuPy backend cannot run here (it has no kernels in this version)."""
    try:
        import cupy  # noqa: F401
    except ImportError:
        return "CuPy is not installed (pip install 'nnmc[gpu]')"
    return "the CuPy kernels are not part of this version of nnmc yet"


def select_backend(name: str) -> CpuBackend:
    """The backend for config value ``name``; "auto" falls back to the CPU with the reason logged."""
    if name == "cupy":
        raise BackendUnavailable(f"sampling.backend = 'cupy' cannot run: {cupy_unavailable_reason()}; "
                                 "use backend = 'cpu' or 'auto'")
    return CpuBackend()
