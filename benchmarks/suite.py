"""The benchmark suite: every figure of ``python -m benchmarks run``, measured side by side in one run.

Sections (each returns a plain dict that ``benchmarks.report`` prints and records):

* ``normals``  nnmc's counter-based normals (Philox4x32-10 + Box-Muller, DESIGN.md s.7) on all cores and on one,
  interleaved with NumPy's ``default_rng().standard_normal`` (one core: it has no parallel mode);
* ``p1``       workload P1 (``data/configs/p1_relu.toml``) on all cores and on one, block by block as
  ``nnmc.generate`` samples (kernel + block reduction), each interleaved with the normals floor for exactly the
  normals P1 draws (``nnmc.rng.normals_floor``); the whole ``nnmc.generate`` into HDF5; the variants that tell where
  the time goes; the naive explicit-weight NumPy baseline (BLAS on one thread and on all); neural-tangents'
  ``monte_carlo_kernel_fn`` (NNGP and NTK) from its own virtual environment; the P2 (NTK) and GPU slots;
* ``p3``       analysis of large stored ensembles (``benchmarks.p3``), time and peak memory against N;
* ``sweeps``   cost against width n, inputs k, depth L and ensemble size N (``benchmarks.sweeps``);
* ``activations`` each smooth activation: nanoseconds per element of nnmc's vectorised kernel against a numba
  loop over libm (``benchmarks.baselines.libm_activations``), interleaved, one core, on N(0, 1.5^2) preactivations;
  and P1 with that activation (C_W = 1, C_b = 0, critical or not) on all cores, against P1 with ReLU.

Sizes: ``Sizes.full()`` for the recorded figures, ``Sizes.quick()`` for a first look, ``Sizes.tiny()`` for the
test suite (it only checks that the code runs and the numbers are sane; no figure from it is ever recorded).
"""
from __future__ import annotations

import tempfile
from dataclasses import asdict, dataclass, field

import numba
import numpy as np

from nnmc.rng import normals_floor

from .baselines import naive_numpy, numpy_normals
from .baselines.libm_activations import LIBM
from .baselines.nt_env import measure_neural_tangents
from .machine import usable_cores
from .p3 import run_p3
from .sweeps import run_sweeps
from .timing import Rate, calibrate, measure_interleaved, with_threads
from .workloads import Floor, Sampler, describe, generate_seconds, gpu_backend, p1_config, p1_variants, p2_config

SECTIONS = ("normals", "p1", "p3", "sweeps", "activations")


@dataclass(frozen=True)
class Sizes:
    """How long each figure is timed and how large the workloads are."""

    target_s: float           # seconds per timed call
    repeats: int              # timed calls per figure (best and median reported)
    p1_widths: list | None    # None: P1 as configured; else a smaller stand-in (tiny)
    naive_networks: int       # networks of the naive NumPy baseline per run
    nt_samples: int | None    # neural-tangents networks per kernel (None: skip)
    p3_sizes: list = field(default_factory=list)
    p3_block_size: int = 1000
    sweep_scale: str = "full"

    @classmethod
    def full(cls) -> "Sizes":
        return cls(2.0, 5, None, 256, 400, [10**6, 10**7, 10**8], 1000, "full")

    @classmethod
    def quick(cls) -> "Sizes":
        return cls(0.5, 3, None, 64, 50, [10**6], 1000, "quick")

    @classmethod
    def tiny(cls) -> "Sizes":
        return cls(0.02, 2, [8, 16, 16, 16, 16, 16, 1], 4, None, [2000], 100, "tiny")


def _rates(rates: dict[str, Rate]) -> dict[str, dict]:
    return {name: rate.to_dict() for name, rate in rates.items()}


def normals_section(sizes: Sizes) -> dict:
    """nnmc normals/s (all cores, one core) and NumPy's default_rng normals/s, interleaved (float64)."""
    per_call = 4096  # normals per network stream

    def nnmc_normals(count: int) -> None:
        # into one reused buffer per thread, as NumPy below: a fresh output array per call would time page faults
        normals_floor(1, 0, max(count // per_call, 1), [per_call], np.float64)

    rng = np.random.default_rng(0)
    buffer = np.empty(1 << 20)

    def numpy_default_rng(count: int) -> None:
        numpy_normals.draw(rng, buffer, count)

    cores = usable_cores()
    works = {f"nnmc Philox+Box-Muller, {cores} cores": with_threads(nnmc_normals, None),
             "nnmc Philox+Box-Muller, 1 core": with_threads(nnmc_normals, 1),
             "numpy default_rng().standard_normal, 1 core": numpy_default_rng}
    counts = {name: calibrate(work, sizes.target_s, 1 << 16) // per_call * per_call or per_call
              for name, work in works.items()}
    rates = measure_interleaved({name: (works[name], counts[name]) for name in works}, sizes.repeats)
    return {"unit": "normals/s", "rates": _rates(rates), "numpy_version": np.__version__}


def _nt(sizes: Sizes) -> dict:
    if sizes.nt_samples is None:
        return {"skipped": "not run (--no-nt, or the test suite's tiny size; it needs its own virtual environment, "
                           "~1.5 GB)"}
    out = {}
    for label, extra in (("all cores", []), ("1 core", ["--one-core"])):
        result = measure_neural_tangents(sizes.nt_samples, extra_args=extra)
        if result is None:
            return {"skipped": "neural-tangents could not be installed or run (reason printed above)"}
        out[label] = result
    return out


def _naive(sizes: Sizes, widths: list | None) -> dict:
    if widths is not None:  # tiny: in-process, no subprocess start-up, same code
        result = naive_numpy.run(widths=widths, n_networks=sizes.naive_networks, batch=2)
        return {"in-process": result}
    return {label: naive_numpy.run_subprocess(n_networks=sizes.naive_networks, threads=threads, dtype="float32")
            for label, threads in (("BLAS 1 thread, 1 core", 1), ("BLAS default threads, all cores", 0))}


def _p1(sizes: Sizes):
    """P1's config, or its stand-in with the same depth and inputs at ``sizes.p1_widths``."""
    cfg = p1_config()
    return cfg if sizes.p1_widths is None else cfg.replace("network", widths=sizes.p1_widths)


def p1_section(sizes: Sizes) -> dict:
    """P1 throughput, its floors, variants, baselines and the P2 / GPU slots (module docstring)."""
    cfg = _p1(sizes)
    cores = usable_cores()
    sampler, floor = Sampler(cfg), Floor(cfg)
    pilot = 64
    works = {}
    for threads, label in ((None, f"{cores} cores"), (1, "1 core")):
        works[f"nnmc P1, {label}"] = with_threads(sampler, threads)
        works[f"normals floor, {label}"] = with_threads(floor, threads)
    counts = {name: calibrate(work, sizes.target_s, pilot) for name, work in works.items()}
    rates = measure_interleaved({name: (works[name], counts[name]) for name in works}, sizes.repeats)
    block = cfg.sampling["block_size"]
    e2e = cfg.replace("sampling", networks=max(counts[f"nnmc P1, {cores} cores"] // block, 2) * block)
    generate = {"networks": e2e.sampling["networks"],
                "networks_per_s": 1.0 / generate_seconds(e2e, max(sizes.repeats // 2, 1))}
    variants = {}
    for name, variant in p1_variants(cfg).items():
        work = Sampler(variant)
        variants[name] = measure_interleaved({name: (work, calibrate(work, sizes.target_s, pilot))},
                                             sizes.repeats)[name].to_dict()
    p2, p2_reason = p2_config(cfg)
    gpu, gpu_reason = gpu_backend()
    return {"workload": describe(cfg), "widths": cfg.widths, "k": int(cfg.inputs.shape[0]), "unit": "networks/s",
            "normals_per_network": sampler.normals_per_network, "cores": cores,
            "numba_threads": numba.get_num_threads(), "rates": _rates(rates), "generate": generate,
            "variants": variants,
            "naive_numpy": _naive(sizes, sizes.p1_widths), "neural_tangents": _nt(sizes),
            "p2": {"not measured": p2_reason} if p2 is None else {"config": describe(p2)},
            "gpu": {"not measured": gpu_reason} if gpu is None else {"backend": gpu.name}}


def p3_section(sizes: Sizes) -> dict:
    cfg = _p1(sizes)
    with tempfile.TemporaryDirectory(prefix="nnmc-p3-") as folder:
        runs = run_p3(cfg, sizes.p3_sizes, sizes.p3_block_size, 1000, folder)
    return {"workload": describe(cfg), "bins": 1000, "runs": runs}


def activations_section(sizes: Sizes) -> dict:
    """ns/element of each vectorised activation against its libm loop; P1 networks/s with it against ReLU's."""
    from nnmc.activations import ACTIVATIONS
    from nnmc.cpu.activation import apply_activation

    z = np.random.default_rng(0).normal(0.0, 1.5, 4096)
    out = np.empty_like(z)
    calls = max(int(sizes.target_s * 2e4), 1)  # ~50 us a call: calls x 4096 elements ~ target_s

    def elementwise(function):
        def work(count: int) -> None:
            for _ in range(count):
                function(z, out)
        return work

    def nnmc_kernel(code):
        return elementwise(lambda x, o: apply_activation(code, 0.0, x, o))

    works = {}
    for name, libm in LIBM.items():
        works[f"{name} nnmc"] = (nnmc_kernel(ACTIVATIONS[name].code), calls)
        works[f"{name} libm"] = (elementwise(libm), calls)
    rates = measure_interleaved(works, sizes.repeats)
    per_element = {name: 1e9 / (rate.best * z.size) for name, rate in rates.items()}
    cfg = _p1(sizes)
    networks = {}
    for name in ["relu", *LIBM]:
        variant = cfg.replace("network", activation=name, C_W=2.0 if name == "relu" else 1.0, C_b=0.0)
        work = with_threads(Sampler(variant), None)
        networks[name] = measure_interleaved({name: (work, calibrate(work, sizes.target_s, 64))},
                                             sizes.repeats)[name].to_dict()
    return {"elements": z.size, "ns_per_element": per_element, "p1_networks": networks,
            "workload": describe(cfg)}


def run_suite(sizes: Sizes, sections=SECTIONS, plot_path=None) -> dict:
    """Run the chosen sections; returns {"sizes": ..., section: result, ...}."""
    unknown = set(sections) - set(SECTIONS)
    if unknown:
        raise ValueError(f"unknown sections {sorted(unknown)}; choose from {list(SECTIONS)}")
    out = {"sizes": asdict(sizes)}
    runners = {"normals": normals_section, "p1": p1_section, "p3": p3_section,
               "sweeps": lambda s: run_sweeps(s.sweep_scale, s.target_s, s.repeats, plot_path),
               "activations": activations_section}
    for name in SECTIONS:
        if name in sections:
            out[name] = runners[name](sizes)
    return out
