"""The HDF5 store: schema, append-only blocks, resume (also after SIGKILL), refusal of other ensembles."""

import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import h5py
import numpy as np
import pytest
from conftest import make_config

from nnmc.analysis.analyse import analyse
from nnmc.errors import StoreError
from nnmc.generate import generate
from nnmc.info import describe
from nnmc.store import EnsembleReader

NET = {"widths": [2, 8, 8, 1], "activation": "tanh", "C_b": 0.1}
X = [[1.0, 0.0], [0.6, 0.8], [-0.2, 1.1]]


def _datasets(path):
    with h5py.File(path, "r") as f:
        n = int(f.attrs["blocks_complete"])
        out = {f"observables/{k}": v[:n] for k, v in f["observables"].items()}
        out.update({f"blocks/{k}": v[:n] for k, v in f["blocks"].items() if k != "wall_time"})
    return out


def test_file_schema(tmp_path):
    cfg = make_config(NET, X, 300, 100)
    path = tmp_path / "e.h5"
    generate(cfg, path, progress=False)
    with h5py.File(path, "r") as f:
        a = f.attrs
        for key in ("schema_version", "config_json", "config_sha256", "seed", "rng", "nnmc_version", "git_commit",
                    "backend", "device", "dtype", "created", "table_pairs", "table_pair_pairs", "table_quads"):
            assert key in a, key
        assert a["config_sha256"] == cfg.ensemble_hash
        assert json.loads(a["config_json"]) == cfg.data
        assert int(a["blocks_complete"]) == 3
        assert f["observables/G"].shape == (3, 3, 6)
        assert f["observables/GG"].shape == (3, 3, 21)
        assert f["observables/m4"].shape == (3, 3, 15)
        assert f["observables/G"].chunks is not None and f["observables/G"].maxshape[0] is None
        assert np.array_equal(f["observables/m22"].attrs["table"], f.attrs["table_pair_pairs"])
        assert f["blocks/networks"][()].tolist() == [100, 100, 100]
        assert f["blocks/first_network"][()].tolist() == [0, 100, 200]
        assert np.isnan(f["observables/m22"][:, 2]).all()  # one output neuron: no distinct pairs
    text = describe(path)
    assert "300 stored" in text and "tanh" in text and "blocks        3 complete" in text


def test_resume_equals_uninterrupted(tmp_path):
    one = tmp_path / "one.h5"
    generate(make_config(NET, X, 1000, 100, seed=5), one, progress=False)
    two = tmp_path / "two.h5"
    generate(make_config(NET, X, 400, 100, seed=5), two, progress=False)
    report = generate(make_config(NET, X, 1000, 100, seed=5), two, resume=True, progress=False)
    assert report.added == 600 and report.networks == 1000
    a, b = _datasets(one), _datasets(two)
    assert a.keys() == b.keys()
    for key in a:
        assert np.array_equal(a[key], b[key], equal_nan=True), key
    # resuming a finished run adds nothing
    assert generate(make_config(NET, X, 1000, 100, seed=5), two, resume=True, progress=False).added == 0


def test_growing_after_a_partial_block(tmp_path):
    path = tmp_path / "e.h5"
    generate(make_config(NET, X, 250, 100), path, progress=False)
    generate(make_config(NET, X, 420, 100), path, resume=True, progress=False)
    with h5py.File(path, "r") as f:
        assert f["blocks/first_network"][()].tolist() == [0, 100, 200, 250, 350]
        assert f["blocks/networks"][()].tolist() == [100, 100, 50, 100, 70]
    assert analyse(path).networks == 420


def test_resume_refuses_another_ensemble(tmp_path):
    path = tmp_path / "e.h5"
    generate(make_config(NET, X, 200, 100, seed=1), path, progress=False)
    with pytest.raises(StoreError, match=r"different ensemble \(differs in sampling.seed\)"):
        generate(make_config(NET, X, 400, 100, seed=2), path, resume=True, progress=False)
    with pytest.raises(StoreError, match="exists"):
        generate(make_config(NET, X, 400, 100, seed=1), path, progress=False)
    # the backend and the number of networks may change
    generate(make_config(NET, X, 400, 100, seed=1, sampling={"backend": "cpu"}), path, resume=True, progress=False)
    with EnsembleReader(path) as reader:  # the file records its new target
        assert reader.config.sampling["networks"] == 400 and reader.n_blocks == 4


def test_block_size_does_not_change_the_ensemble(tmp_path):
    a, b = tmp_path / "a.h5", tmp_path / "b.h5"
    generate(make_config(NET, X, 600, 100, seed=3), a, progress=False)
    generate(make_config(NET, X, 600, 60, seed=3), b, progress=False)
    ra, rb = analyse(a), analyse(b)
    for name in ("G", "m4", "V", "G_raw", "m22_raw"):
        np.testing.assert_allclose(ra.estimates[name].value, rb.estimates[name].value, rtol=1e-12, atol=1e-14)


def test_resume_after_sigkill(tmp_path):
    """Kill a generating process with SIGKILL while it writes; resume; the file equals an uninterrupted run."""
    cfg_text = textwrap.dedent("""
        [network]
        widths = [2, 64, 64, 64, 1]
        activation = "tanh"
        [inputs]
        values = [[1.0, 0.0], [0.6, 0.8]]
        [sampling]
        networks = 10000000
        block_size = 200
        seed = 9
    """)
    cfg_path = tmp_path / "c.toml"
    cfg_path.write_text(cfg_text)
    killed = tmp_path / "killed.h5"
    proc = subprocess.Popen([sys.executable, "-m", "nnmc.cli", "generate", str(cfg_path), "-o", str(killed)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.time() + 120
    while time.time() < deadline:
        time.sleep(0.05)
        try:
            with h5py.File(killed, "r", locking=False) as f:  # the writer holds the lock
                if int(f.attrs["blocks_complete"]) >= 5:
                    break
        except (OSError, KeyError, RuntimeError):
            continue
    assert proc.poll() is None, "the run finished before it could be killed; make it longer"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    with h5py.File(killed, "r") as f:
        stored = int(f.attrs["blocks_complete"])
    assert 5 <= stored
    total = str((stored + 7) * 200 + 50)  # finish a few more blocks than were stored, the last one partial
    out = subprocess.run([sys.executable, "-m", "nnmc.cli", "generate", str(cfg_path), "-o", str(killed),
                          "--resume", "--networks", total], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    whole = tmp_path / "whole.h5"
    out = subprocess.run([sys.executable, "-m", "nnmc.cli", "generate", str(cfg_path), "-o", str(whole),
                          "--networks", total], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    a, b = _datasets(killed), _datasets(whole)
    for key in a:
        assert np.array_equal(a[key], b[key], equal_nan=True), key


def test_analysis_json_schema(tmp_path):
    path = tmp_path / "e.h5"
    generate(make_config(NET, X, 400, 100), path, progress=False)
    res = analyse(path)
    out = tmp_path / "a.json"
    res.write_json(out)
    doc = json.loads(out.read_text())
    assert doc["networks"] == 400 and doc["rejected"] == 0
    assert [entry["layer"] for entry in doc["layers"]] == [1, 2, 3]
    layer = doc["layers"][1]
    assert layer["n_in"] == 8 and layer["n"] == 8
    for name in ("G", "m4", "m22", "V"):
        assert set(layer[name]) >= {"value", "error"}
    assert np.array(layer["G"]["value"]).shape == (3, 3)
    assert np.array(layer["V"]["value"]).shape == (3, 3, 3, 3)
    # m4 is the same-neuron moment E[z_a z_b z_c z_d]: fully symmetric
    m4 = np.array(layer["m4"]["value"])
    assert np.allclose(m4, m4.transpose(1, 0, 2, 3)) and np.allclose(m4, m4.transpose(2, 1, 0, 3))
    assert doc["layers"][2]["m22_raw"]["value"][0][0][0][0] is None  # NaN -> null


def test_many_inputs_store_large_index_tables(tmp_path):
    """k = 16 inputs: the component tables (3876 quads) exceed HDF5's 64 kB compact-attribute limit."""
    x = np.linspace(-1.0, 1.0, 16)[:, None]
    path = tmp_path / "k16.h5"
    generate(make_config({"widths": [1, 4, 1], "activation": "tanh"}, x, 200, 100), path, progress=False)
    with h5py.File(path, "r") as f:
        assert f.attrs["table_quads"].shape == (3876, 4)
    result = analyse(path)
    assert result.estimates["V"].value.shape == (2,) + (16,) * 4 and "k = 16" in describe(path)


def test_overwrite_refuses_a_file_being_written(tmp_path):
    """--overwrite must not truncate an ensemble that another process holds open for writing."""
    path = tmp_path / "busy.h5"
    generate(make_config(NET, X, 200, 100, seed=1), path, progress=False)
    size = path.stat().st_size
    holder = subprocess.Popen([sys.executable, "-c", f"import h5py, sys, time; f = h5py.File({str(path)!r}, 'r+'); "
                               "print('open', flush=True); time.sleep(60)"], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "open"
        with pytest.raises(StoreError, match="being written by another process"):
            generate(make_config(NET, X, 200, 100, seed=1), path, overwrite=True, progress=False)
        assert path.stat().st_size == size
    finally:
        holder.kill()
        holder.wait()
    generate(make_config(NET, X, 200, 100, seed=2), path, overwrite=True, progress=False)  # free: replaced
    with EnsembleReader(path) as reader:
        assert reader.config.sampling["seed"] == 2
