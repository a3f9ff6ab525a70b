"""Reference implementations the nnmc benchmarks compare against; never imported by the nnmc package.

- :mod:`.naive_numpy`: explicit-weight NumPy sampler (``run``, ``run_subprocess`` for one pinned core);
- :mod:`.numpy_normals`: NumPy ``default_rng().standard_normal`` throughput (``run``);
- :mod:`.nt_env`: neural-tangents Monte Carlo kernels in the isolated venv ``benchmarks/.venv-nt``
  (``measure_neural_tangents``), running :mod:`.nt_mc` there.
"""
