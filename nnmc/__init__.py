"""nnmc: Monte Carlo ensembles of randomly initialised networks and the finite-width EFT.

Public surface (everything the CLI does is one of these):

  load_config(path) -> Config                       TOML config, validated and resolved (nnmc.config)
  generate(config, path, resume=False) -> report    sample an ensemble into an HDF5 file (nnmc.generate)
  analyse(path, method="jackknife") -> Analysis     resampled G, V, m4, m22, ... per layer (nnmc.analysis)
  sample_network(config, i) -> NetworkSample        network i alone, identical to its ensemble copy
  eft(...) / nnmc.theory                            the analytic effective theory (theory.md)
"""

__version__ = "0.1.0"

import os as _os  # noqa: E402

# BLAS on one thread unless the user set it (effective when nnmc is imported before NumPy, as by the `nnmc`
# command): the k x k linear algebra of the theory and the analysis ran 100x slower on two OpenBLAS threads
# here, and the sampler's numba kernels use no BLAS (they run on all cores through numba's own threads).
for _var in ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    _os.environ.setdefault(_var, "1")

from . import kernel_cache as _kernel_cache  # noqa: E402

_kernel_cache.refresh(_kernel_cache.Path(__file__).parent)  # before any kernel is loaded from the cache

from .analysis.analyse import Analysis, analyse  # noqa: E402
from .config import Config, load_config  # noqa: E402
from .errors import BackendUnavailable, ConfigError, NnmcError, StoreError  # noqa: E402
from .generate import generate, generate_scan  # noqa: E402
from .sampling import NetworkSample, sample_network  # noqa: E402
from .theory import eft  # noqa: E402

__all__ = ["Analysis", "BackendUnavailable", "Config", "ConfigError", "NetworkSample", "NnmcError", "StoreError",
           "analyse", "eft", "generate", "generate_scan", "load_config", "sample_network"]
