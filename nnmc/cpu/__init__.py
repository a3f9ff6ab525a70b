"""CPU backend: numba-compiled kernels (DESIGN.md s.7). Hot loops only; orchestration lives in nnmc.sampling."""
