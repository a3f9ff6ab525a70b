"""CUDA sources for the CuPy backend (``*.cu``, ``*.cuh``), shipped inside the wheel as ``nnmc.kernels``."""
