"""The benchmark suite runs at a tiny size so that it cannot rot (no figure from here is ever recorded), and
the pieces with a right answer are checked: the exponent fit, the naive baseline's physics, the report."""

import json

import numpy as np
import pytest

from benchmarks import report
from benchmarks.baselines import naive_numpy
from benchmarks.suite import SECTIONS, Sizes, run_suite
from benchmarks.sweeps import slope
from benchmarks.timing import calibrate, measure_interleaved


@pytest.fixture(scope="module")
def tiny_result(tmp_path_factory):
    return run_suite(Sizes.tiny(), plot_path=tmp_path_factory.mktemp("plots") / "sweeps.png")


def test_tiny_suite_runs_every_section(tiny_result):
    assert set(SECTIONS) <= set(tiny_result)
    for rate in [*tiny_result["normals"]["rates"].values(), *tiny_result["p1"]["rates"].values()]:
        assert rate["best"] >= rate["median"] > 0 and len(rate["seconds"]) == Sizes.tiny().repeats
    p1 = tiny_result["p1"]
    assert p1["normals_per_network"] == 4 * (5 * 16 + 1)  # k_u * sum_l n_l
    assert "not measured" in p1["p2"] and "not measured" in p1["gpu"]  # slots say why while empty
    assert "skipped" in p1["neural_tangents"]
    (run,) = tiny_result["p3"]["runs"]
    assert run["networks"] == 2000 and run["blocks"] == 20 and run["finite"]
    for s in tiny_result["sweeps"]["series"].values():
        assert len(s["x"]) == len(s["seconds_per_network"]) and np.isfinite(s["exponent"])
    activations = tiny_result["activations"]
    assert set(activations["p1_networks"]) == {"relu", "tanh", "swish", "erf", "gelu", "sin", "softplus"}
    assert len(activations["ns_per_element"]) == 12 and all(v > 0 for v in activations["ns_per_element"].values())


def test_report_and_record(tiny_result, tmp_path):
    text = report.format_result(tiny_result)
    for heading in ("### Normals", "### P1", "### P3", "### Sweeps", "### Activations", "Goals:"):
        assert heading in text
    machine = {"date": "2026-12-03 12:00:00 UTC", "command": "test", "cpu_model": "cpu", "usable_cores": 2,
               "logical_cores": 2, "memory_gb": 1, "os": "os", "python": "3", "numpy": "2", "numba": "0",
               "numba_threads": 2, "h5py": "3", "nnmc": "0", "git": {"commit": "0" * 40, "dirty": False}}
    md = tmp_path / "RESULTS.md"
    path = report.record(tiny_result, machine, md, tmp_path / "results")
    report.record(tiny_result, machine | {"date": "2026-12-03 12:00:01 UTC"}, md, tmp_path / "results")
    assert md.read_text().count("## 2026-12-03") == 2  # appended, never overwritten
    assert json.loads(path.read_text())["result"]["p1"]["workload"] == tiny_result["p1"]["workload"]


def test_slope_recovers_a_power_law():
    x = np.array([32, 64, 128, 256, 512])
    assert slope(x, 3e-6 * x**2.0) == pytest.approx(2.0, abs=1e-12)
    # only the upper half (x >= 128) is fitted: an overhead that matters at x = 32 only is ignored
    assert slope(x, np.where(x < 128, 5.0, 0.0) + 1e-8 * x) == pytest.approx(1.0, abs=1e-12)


def test_timing_counts_and_interleaves():
    calls = []

    def work(count):
        calls.append(count)

    count = calibrate(work, 0.01, 8, max_count=1000)
    assert 1 <= count <= 1000
    calls.clear()
    rates = measure_interleaved({"a": (work, 5), "b": (work, 7)}, repeats=3)
    assert calls == [5, 7] + [5, 7] * 3  # warm-up each, then alternate
    assert rates["a"].count == 5 and rates["a"].repeats == 3


def test_naive_baseline_samples_the_same_physics():
    """The naive explicit-weight baseline must measure what nnmc measures: for ReLU at C_b = 0 the diagonal
    E[Ghat_aa] equals the leading-order K_aa at any width (theory.md s.3), within 4 standard errors."""
    res = naive_numpy.run(widths=[8, 12, 12, 12, 1], n_networks=400, batch=16, seed=3)
    G, sem, K = (np.asarray(res[key]) for key in ("G_mean", "G_sem", "K_leading"))
    for layer in range(1, 4):
        pulls = (np.diagonal(G[layer]) - np.diagonal(K[layer])) / np.diagonal(sem[layer])
        assert np.all(np.abs(pulls) < 4), (layer, pulls)
    np.testing.assert_allclose(G[0], K[0], rtol=1e-12)  # layer 1 is deterministic
