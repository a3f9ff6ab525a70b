"""Config validation (DESIGN.md s.8, ``nnmc/config.py``): one test per rule, plus resolution and CLI behaviour.

Every bad field must raise ``ConfigError`` whose ``field`` is the dotted key and whose message names the value
received and what is allowed; the CLI turns it into one line ``nnmc: error: ...`` and exit status 2.
Each rule of ``config.py`` has a test here; bugs found while writing them were fixed in config.py.
"""

from __future__ import annotations

import copy
import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from nnmc.cli import main
from nnmc.config import Config, load_config
from nnmc.errors import ConfigError

INPUTS = [[1.0, 0.0], [0.6, 0.8]]  # k = 2 rows of n_0 = 2


def raw_config(**sections) -> dict:
    """A minimal valid raw config (widths [2, 4, 4, 3], relu, inline inputs); ``sections`` are merged in.

    A value of ``None`` for a key deletes it, so ``network={"activation": None}`` drops the activation.
    """
    raw = {"network": {"widths": [2, 4, 4, 3], "activation": "relu"}, "inputs": {"values": copy.deepcopy(INPUTS)}}
    for section, values in sections.items():
        if not isinstance(values, dict):
            raw[section] = values
            continue
        target = raw.setdefault(section, {})
        for key, value in values.items():
            if value is None:
                target.pop(key, None)
            else:
                target[key] = value
    return raw


def config_error(raw, field: str, *fragments: str, base_dir=None) -> ConfigError:
    """Assert that ``raw`` is rejected for ``field`` with every fragment in the message; return the error."""
    with pytest.raises(ConfigError) as info:
        Config.from_dict(raw, base_dir=base_dir)
    exc = info.value
    assert exc.field == field, str(exc)
    message = str(exc)
    assert f"'{field}'" in message
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in {message!r}"
    return exc


def write_toml(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


GOOD_TOML = """\
[network]
widths = [2, 4, 3]
activation = "relu"

[inputs]
values = [[1.0, 0.0], [0.6, 0.8]]

[sampling]
networks = 4
block_size = 2
"""


# ------------------------------------------------------------------------------------------------
# load_config: the file itself
# ------------------------------------------------------------------------------------------------
def test_missing_config_file(tmp_path):
    path = tmp_path / "nope.toml"
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert info.value.field == "CONFIG"
    assert str(path) in str(info.value) and "an existing TOML file" in str(info.value)


def test_invalid_toml_syntax(tmp_path):
    path = write_toml(tmp_path / "bad.toml", "[network\nwidths = [2, 3]\n")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert info.value.field == "CONFIG"
    assert str(path) in str(info.value) and "valid TOML" in str(info.value)


def test_config_file_not_utf8(tmp_path):
    path = tmp_path / "binary.toml"
    path.write_bytes(b"\xff\xfe[network]\n")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert info.value.field == "CONFIG"


def test_override_onto_non_table_section(tmp_path):
    path = write_toml(tmp_path / "c.toml", "sampling = 5\n" + GOOD_TOML.replace("[sampling]\nnetworks = 4\n"
                                                                                 "block_size = 2\n", ""))
    with pytest.raises(ConfigError) as info:
        load_config(path, {"sampling": {"networks": 5}})
    assert info.value.field == "sampling"


def test_overrides_are_validated(tmp_path):
    path = write_toml(tmp_path / "c.toml", GOOD_TOML)
    assert load_config(path, {"sampling": {"networks": 7}}).sampling["networks"] == 7
    with pytest.raises(ConfigError) as info:
        load_config(path, {"sampling": {"networks": 0}})
    assert info.value.field == "sampling.networks" and "got 0" in str(info.value)


# ------------------------------------------------------------------------------------------------
# structure: sections and keys
# ------------------------------------------------------------------------------------------------
def test_raw_config_not_a_table():
    config_error([1, 2], "CONFIG", "[1, 2]", "a table of sections")


def test_unknown_section_with_did_you_mean():
    raw = raw_config()
    raw["netwrk"] = {"widths": [2, 3]}
    config_error(raw, "netwrk", "sections ['inputs', 'measure', 'network', 'sampling', 'scan']",
                 "did you mean 'network'?")


def test_section_not_a_table():
    config_error(raw_config(sampling=5), "sampling", "got 5", "a table of keys")


def test_inputs_not_a_table():
    # _resolve_inputs has its own `not isinstance(inp, dict)` check; _check_keys catches it first.
    config_error(raw_config(inputs=[1.0, 2.0]), "inputs", "[1.0, 2.0]", "a table of keys")


@pytest.mark.parametrize("section, key, suggestion", [
    ("network", "widht", "widths"),
    ("network", "activations", "activation"),
    ("sampling", "netwroks", "networks"),
    ("measure", "moment", "moments"),
    ("inputs", "valuse", "values"),
    ("scan", "hidden_widths", "hidden_width"),
])
def test_unknown_key_with_did_you_mean(section, key, suggestion):
    raw = raw_config(**{section: {key: 1}})
    if section == "scan":
        raw["scan"] = {key: [8]}
    exc = config_error(raw, f"{section}.{key}", "(unknown key)", f"did you mean '{suggestion}'?")
    assert f"'{suggestion}'" in exc.allowed  # the allowed keys are listed


def test_missing_widths():
    config_error(raw_config(network={"widths": None}), "network.widths", "got '(missing)'", "positive integers (required)")


def test_missing_network_section():
    raw = raw_config()
    del raw["network"]
    config_error(raw, "network.widths", "required")


def test_missing_activation():
    config_error(raw_config(network={"activation": None}), "network.activation", "got '(missing)'", "(required)",
                 "'relu'", "'gelu'")


def test_missing_inputs():
    raw = raw_config()
    del raw["inputs"]
    config_error(raw, "inputs", "got '(missing)'", "'file', 'values' or 'generator' (required)")


# ------------------------------------------------------------------------------------------------
# [network]
# ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("widths, shown", [
    (8, "got 8"),                       # not a list
    ("2,3", "'2,3'"),                   # a string
    ([4], "[4]"),                       # too short (no layer)
    ([], "[]"),
    ([2, 0, 3], "[2, 0, 3]"),           # zero
    ([2, -4, 3], "[2, -4, 3]"),         # negative
    ([2, 4.0, 3], "[2, 4.0, 3]"),       # float
    ([2, True, 3], "[2, True, 3]"),     # bool is not an int here
])
def test_bad_widths(widths, shown):
    config_error(raw_config(network={"widths": widths}), "network.widths", shown, "at least 2 positive integers")


@pytest.mark.parametrize("name, suggestion", [("tanhh", "tanh"), ("Relu", "relu"), ("softplu", "softplus")])
def test_unknown_activation(name, suggestion):
    config_error(raw_config(network={"activation": name}), "network.activation", repr(name),
                 "'leaky_relu'", "'silu'", f"did you mean '{suggestion}'?")


def test_unknown_activation_in_list():
    config_error(raw_config(network={"activation": ["relu", "rleu"]}), "network.activation", "'rleu'",
                 "did you mean 'relu'?")


def test_activation_not_a_string():
    config_error(raw_config(network={"activation": ["relu", 3]}), "network.activation", "got 3", "'tanh'")


@pytest.mark.parametrize("acts", [["relu"], ["relu", "tanh", "erf"]])
def test_activation_list_wrong_length(acts):
    # widths [2, 4, 4, 3]: L = 3, L - 1 = 2 activations
    config_error(raw_config(network={"activation": acts}), "network.activation", repr(acts), "L-1 = 2 names")


def test_activation_params_unknown_key():
    config_error(raw_config(network={"activation_params": {"slop": 0.1}}), "network.activation_params.slop",
                 "got 0.1", "parameters of ['relu']: none")


def test_activation_params_unknown_key_lists_known():
    raw = raw_config(network={"activation": ["relu", "leaky_relu"], "activation_params": {"alpha": 0.1}})
    config_error(raw, "network.activation_params.alpha", "got 0.1", "['slope']")


def test_activation_params_key_of_another_layer_in_list():
    # per-layer tables: 'slope' is not a parameter of relu (layer 1)
    raw = raw_config(network={"activation": ["relu", "leaky_relu"],
                              "activation_params": [{"slope": 0.1}, {"slope": 0.2}]})
    config_error(raw, "network.activation_params.slope", "got 0.1", "none")


@pytest.mark.parametrize("value", ["0.1", True, [0.1], float("nan"), float("inf")])
def test_activation_params_not_a_finite_number(value):
    raw = raw_config(network={"activation": "leaky_relu", "activation_params": {"slope": value}})
    config_error(raw, "network.activation_params.slope", repr(value), "a finite number")


def test_activation_params_list_wrong_length():
    raw = raw_config(network={"activation": "leaky_relu", "activation_params": [{"slope": 0.1}]})
    config_error(raw, "network.activation_params", "[{'slope': 0.1}]", "a list of 2 tables")


def test_activation_params_not_a_table():
    raw = raw_config(network={"activation": "leaky_relu", "activation_params": 0.1})
    config_error(raw, "network.activation_params", "got 0.1", "a table such as {slope = 0.1}")


def test_unknown_weights():
    config_error(raw_config(network={"weights": "gausian"}), "network.weights", "'gausian'",
                 "['gaussian', 'uniform', 'kaiming_uniform']", "did you mean 'gaussian'?")


@pytest.mark.parametrize("value, shown", [(0.0, "got 0.0"), (-1.0, "got -1.0"), (0, "got 0")])
def test_C_W_not_positive(value, shown):
    config_error(raw_config(network={"C_W": value}), "network.C_W", shown, "finite numbers > 0.0")


def test_C_W_not_positive_in_list():
    config_error(raw_config(network={"C_W": [2.0, 0.0, 2.0]}), "network.C_W", "[2.0, 0.0, 2.0]", "> 0.0")


def test_C_b_negative():
    config_error(raw_config(network={"C_b": -0.1}), "network.C_b", "got -0.1", "finite numbers >= 0.0")


def test_C_b_zero_is_allowed():
    assert Config.from_dict(raw_config(network={"C_b": 0})).C_b == [0.0, 0.0, 0.0]


@pytest.mark.parametrize("key", ["C_W", "C_b"])
@pytest.mark.parametrize("value", [[1.0, 1.0], [1.0, 1.0, 1.0, 1.0], []])
def test_per_layer_list_wrong_length(key, value):
    config_error(raw_config(network={key: value}), f"network.{key}", repr(value), "a list of 3 numbers")


@pytest.mark.parametrize("key", ["C_W", "C_b"])
@pytest.mark.parametrize("value, shown", [(float("nan"), "nan"), (float("inf"), "inf"),
                                          ([1.0, float("nan"), 1.0], "nan")])
def test_per_layer_non_finite(key, value, shown):
    config_error(raw_config(network={key: value}), f"network.{key}", shown, "finite numbers")


@pytest.mark.parametrize("value", ["2.0", True, [1.0, "1", 1.0]])
def test_per_layer_not_a_number(value):
    config_error(raw_config(network={"C_W": value}), "network.C_W", repr(value), "finite numbers")


@pytest.mark.parametrize("given, missing", [({}, "C_W"), ({"C_W": 1.0}, "C_b"), ({"C_b": 0.1}, "C_W")])
def test_softplus_needs_C_W_and_C_b(given, missing):
    raw = raw_config(network={"activation": "softplus", **given})
    config_error(raw, f"network.{missing}", "got None", "'softplus' has no critical point", "set C_W and C_b")


def test_softplus_in_one_layer_needs_C_W_and_C_b():
    raw = raw_config(network={"activation": ["relu", "softplus"]})
    config_error(raw, "network.C_W", "'softplus' has no critical point")


def test_softplus_with_C_W_and_C_b_resolves():
    c = Config.from_dict(raw_config(network={"activation": "softplus", "C_W": 1.5, "C_b": [0.1, 0.2, 0.3]}))
    assert c.C_W == [1.5, 1.5, 1.5] and c.C_b == [0.1, 0.2, 0.3]


@pytest.mark.parametrize("key", ["C_W", "C_b"])
def test_kaiming_uniform_with_C_W_or_C_b(key):
    raw = raw_config(network={"weights": "kaiming_uniform", key: 1.0}, sampling={"sampler": "explicit"})
    config_error(raw, f"network.{key}", "got 1.0", "not set: weights = 'kaiming_uniform' fixes C_W = 1/3")


def test_kaiming_uniform_resolves_pytorch_defaults():
    c = Config.from_dict(raw_config(network={"weights": "kaiming_uniform"}, sampling={"sampler": "explicit"}))
    assert c.C_W == pytest.approx([1 / 3] * 3)
    assert c.C_b == pytest.approx([1 / 6, 1 / 12, 1 / 12])  # 1 / (3 n_{l-1}), widths [2, 4, 4, 3]


@pytest.mark.parametrize("weights", ["uniform", "kaiming_uniform"])
@pytest.mark.parametrize("sampler", [None, "conditional"])
def test_non_gaussian_weights_need_explicit_sampler(weights, sampler):
    raw = raw_config(network={"weights": weights}, sampling={"sampler": sampler} if sampler else {})
    config_error(raw, "sampling.sampler", "got 'conditional'", "allowed: 'explicit'", f"'{weights}' is not Gaussian")


# ------------------------------------------------------------------------------------------------
# [inputs]
# ------------------------------------------------------------------------------------------------
def test_inputs_no_source():
    config_error(raw_config(inputs={"values": None, "k": 4}), "inputs", "['k']",
                 "exactly one of 'file', 'values', 'generator'")


def test_inputs_empty_table():
    config_error(raw_config(inputs={"values": None}), "inputs", "got []", "exactly one of")


def test_inputs_two_sources():
    config_error(raw_config(inputs={"file": "x.npy"}), "inputs", "['file', 'values']", "exactly one of")


@pytest.mark.parametrize("inputs, key, source", [
    ({"values": INPUTS, "rows": [0]}, "rows", "values"),
    ({"values": INPUTS, "k": 3}, "k", "values"),
    ({"generator": "gaussian", "low": 0.0}, "low", "generator"),
    ({"generator": "angles", "angles_deg": [0, 90], "k": 2}, "k", "generator"),
])
def test_inputs_key_not_used_with_source(inputs, key, source):
    raw = raw_config()
    raw["inputs"] = inputs
    config_error(raw, f"inputs.{key}", f"got {inputs[key]!r}", f"not used with inputs.{source}")


def test_inputs_file_not_a_string():
    config_error(raw_config(inputs={"values": None, "file": 3}), "inputs.file", "got 3", "a path to a .npy file")


def test_inputs_missing_file(tmp_path):
    config_error(raw_config(inputs={"values": None, "file": "missing.npy"}), "inputs.file", "'missing.npy'",
                 "an existing .npy file", "config's folder, then the working directory", base_dir=tmp_path)


def test_inputs_file_not_npy(tmp_path):
    (tmp_path / "x.txt").write_text("1.0 0.0\n0.6 0.8\n")
    # (Reported: the appended NumPy hint talks about "pickled (object) data", which misleads for a text file.)
    config_error(raw_config(inputs={"values": None, "file": "x.txt"}), "inputs.file", "'x.txt'",
                 "a NumPy .npy array of shape (k, n_0)", base_dir=tmp_path)


def test_inputs_file_npz(tmp_path):
    np.savez(tmp_path / "x.npz", x=np.array(INPUTS))
    config_error(raw_config(inputs={"values": None, "file": "x.npz"}), "inputs.file", "'x.npz'",
                 base_dir=tmp_path)


def test_inputs_file_empty(tmp_path):
    (tmp_path / "x.npy").write_bytes(b"")
    config_error(raw_config(inputs={"values": None, "file": "x.npy"}), "inputs.file", "'x.npy'",
                 base_dir=tmp_path)


@pytest.mark.parametrize("array, shown", [
    (np.array([1.0, 0.0]), "shape (2,)"),                  # 1-d
    (np.ones((2, 2, 1)), "shape (2, 2, 1)"),               # 3-d
    (np.zeros((0, 2)), "shape (0, 2)"),                    # no rows
    (np.array([[True, False]]), "dtype bool"),             # not numeric
    (np.array([[1.0 + 2.0j, 0.0]]), "dtype complex128"),   # complex: casting would drop the imaginary part
])
def test_inputs_file_bad_array(tmp_path, array, shown):
    np.save(tmp_path / "x.npy", array)
    config_error(raw_config(inputs={"values": None, "file": "x.npy"}), "inputs.file", "x.npy", shown,
                 "a real numeric array of shape (k, n_0)", base_dir=tmp_path)


def test_inputs_file_wrong_n0(tmp_path):
    np.save(tmp_path / "x.npy", np.ones((3, 5)))
    config_error(raw_config(inputs={"values": None, "file": "x.npy"}), "inputs.file", "shape (3, 5)",
                 "n_0 = 2 numbers (network.widths[0])", base_dir=tmp_path)


def test_inputs_values_wrong_n0():
    config_error(raw_config(inputs={"values": [[1.0, 0.0, 0.0]]}), "inputs.values", "shape (1, 3)", "n_0 = 2")


def test_inputs_file_non_finite(tmp_path):
    np.save(tmp_path / "x.npy", np.array([[1.0, np.nan], [0.0, 1.0]]))
    config_error(raw_config(inputs={"values": None, "file": "x.npy"}), "inputs.file", "nan at row 0, column 1", "finite numbers",
                 base_dir=tmp_path)


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -float("inf")])
def test_inputs_values_non_finite(bad):
    config_error(raw_config(inputs={"values": [[1.0, bad], [0.6, 0.8]]}), "inputs.values", f"{bad} at row 0, column 1",
                 "finite numbers")


@pytest.mark.parametrize("values", [
    [[1.0, 0.0], [0.6]],          # ragged
    [1.0, 0.0],                   # flat
    [],                           # empty
    [[]],                         # empty row
    [[1.0, "a"]],                 # not a number
    [[1.0, True]],                # bool
    "[[1.0, 0.0]]",               # a string
])
def test_inputs_values_malformed(values):
    config_error(raw_config(inputs={"values": values}), "inputs.values", repr(values), "k rows of n_0 numbers")


@pytest.mark.parametrize("rows", [[0, 3], [-1], [], [0.0], "all", [True]])
def test_inputs_rows_out_of_range_or_malformed(tmp_path, rows):
    np.save(tmp_path / "x.npy", np.ones((3, 2)))
    config_error(raw_config(inputs={"values": None, "file": "x.npy", "rows": rows}), "inputs.rows", repr(rows),
                 "a non-empty list of row numbers 0..2", base_dir=tmp_path)


def test_inputs_rows_select(tmp_path):
    np.save(tmp_path / "x.npy", np.arange(6.0).reshape(3, 2))
    c = Config.from_dict(raw_config(inputs={"values": None, "file": "x.npy", "rows": [2, 0]}), base_dir=tmp_path)
    assert c.inputs.tolist() == [[4.0, 5.0], [0.0, 1.0]]


def test_unknown_generator():
    config_error(raw_config(inputs={"values": None, "generator": "linspac"}), "inputs.generator", "'linspac'",
                 "['linspace', 'angles', 'gaussian']", "did you mean 'linspace'?")


def test_unknown_generator_with_its_keys():
    raw = raw_config(network={"widths": [1, 4, 3]}, inputs={"values": None, "generator": "linspac", "k": 8})
    config_error(raw, "inputs.generator", "'linspac'", "did you mean 'linspace'?")


def test_generator_not_a_string():
    config_error(raw_config(inputs={"values": None, "generator": ["angles"]}), "inputs.generator", "['angles']")


def test_linspace_needs_n0_equal_1():
    config_error(raw_config(inputs={"values": None, "generator": "linspace"}), "inputs.generator", "'linspace'",
                 "network.widths[0] must be 1")


def test_linspace_resolves():
    c = Config.from_dict(raw_config(network={"widths": [1, 4, 3]},
                                    inputs={"values": None, "generator": "linspace", "k": 5, "low": 0, "high": 2}))
    assert c.inputs[:, 0].tolist() == [0.0, 0.5, 1.0, 1.5, 2.0]


@pytest.mark.parametrize("generator", ["linspace", "gaussian"])
@pytest.mark.parametrize("k", [0, -2, 2.0, True, "4"])
def test_generator_bad_k(generator, k):
    raw = raw_config(network={"widths": [1, 4, 3]}, inputs={"values": None, "generator": generator, "k": k})
    config_error(raw, "inputs.k", f"got {k!r}", "a positive integer")


@pytest.mark.parametrize("low, high, field, allowed", [
    (1.0, 1.0, "inputs.low", "a number below inputs.high = 1.0"),
    (2.0, -1.0, "inputs.low", "a number below inputs.high = -1.0"),
    ("a", 1.0, "inputs.low", "a finite number"),
    (0.0, True, "inputs.high", "a finite number")])
def test_linspace_low_not_below_high(low, high, field, allowed):
    raw = raw_config(network={"widths": [1, 4, 3]},
                     inputs={"values": None, "generator": "linspace", "low": low, "high": high})
    config_error(raw, field, allowed)


def test_linspace_low_high_field_is_a_real_key():
    raw = raw_config(network={"widths": [1, 4, 3]},
                     inputs={"values": None, "generator": "linspace", "low": 1.0, "high": 0.0})
    with pytest.raises(ConfigError) as info:
        Config.from_dict(raw)
    assert info.value.field in ("inputs.low", "inputs.high")


def test_angles_need_n0_at_least_2():
    raw = raw_config(network={"widths": [1, 4, 3]}, inputs={"values": None, "generator": "angles",
                                                            "angles_deg": [0, 60]})
    config_error(raw, "inputs.generator", "'angles'", "n_0 >= 2")


@pytest.mark.parametrize("angles", [None, [], 30, [0, "60"]])
def test_angles_bad_angles_deg(angles):
    inputs = {"values": None, "generator": "angles"}
    if angles is not None:
        inputs["angles_deg"] = angles
    config_error(raw_config(inputs=inputs), "inputs.angles_deg", f"got {angles!r}", "a list of angles in degrees")


def test_angles_resolve_normalised():
    c = Config.from_dict(raw_config(network={"widths": [4, 4, 3]},
                                    inputs={"values": None, "generator": "angles", "angles_deg": [0, 60]}))
    x = c.inputs
    assert x.shape == (2, 4)
    np.testing.assert_allclose(np.sum(x * x, axis=1) / 4, 1.0, rtol=0, atol=1e-14)
    assert x[0] @ x[1] / 4 == pytest.approx(0.5, abs=1e-14)


@pytest.mark.parametrize("seed", [-1, 1.5, True])
def test_gaussian_generator_bad_seed(seed):
    config_error(raw_config(inputs={"values": None, "generator": "gaussian", "seed": seed}), "inputs.seed",
                 f"got {seed!r}", "a non-negative integer")


# ------------------------------------------------------------------------------------------------
# [sampling]
# ------------------------------------------------------------------------------------------------
def test_unknown_sampler():
    config_error(raw_config(sampling={"sampler": "explict"}), "sampling.sampler", "'explict'",
                 "['conditional', 'explicit']", "did you mean 'explicit'?")


@pytest.mark.parametrize("networks", [0, -5, 10.0, True, "100"])
def test_bad_networks(networks):
    config_error(raw_config(sampling={"networks": networks}), "sampling.networks", f"got {networks!r}",
                 "a positive integer")


@pytest.mark.parametrize("block_size", [0, -1, 2.5, False])
def test_bad_block_size(block_size):
    config_error(raw_config(sampling={"block_size": block_size}), "sampling.block_size", f"got {block_size!r}",
                 "a positive integer")


@pytest.mark.parametrize("seed", [-1, 2 ** 63, 2 ** 64, 1.0, True, "1"])
def test_bad_seed(seed):
    config_error(raw_config(sampling={"seed": seed}), "sampling.seed", f"got {seed!r}", "0 <= seed < 2^63")


def test_largest_seed_is_allowed():
    assert Config.from_dict(raw_config(sampling={"seed": 2 ** 63 - 1})).sampling["seed"] == 2 ** 63 - 1


@pytest.mark.parametrize("dtype", ["float16", "double", 64])
def test_bad_dtype(dtype):
    config_error(raw_config(sampling={"dtype": dtype}), "sampling.dtype", f"got {dtype!r}",
                 "['float32', 'float64']")


@pytest.mark.parametrize("backend, hint", [("cuda", ""), ("cupyy", "did you mean 'cupy'?")])
def test_bad_backend(backend, hint):
    config_error(raw_config(sampling={"backend": backend}), "sampling.backend", f"got {backend!r}",
                 "['auto', 'cpu', 'cupy']", hint)


# ------------------------------------------------------------------------------------------------
# [measure]
# ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("layers", [[0], [4], [1, 1], [], 2, "ALL", [1.0], [True]])
def test_bad_measure_layers(layers):
    # widths [2, 4, 4, 3]: L = 3
    config_error(raw_config(measure={"layers": layers}), "measure.layers", f"got {layers!r}",
                 "\"all\" or a list of distinct layer numbers 1..3")


def test_measure_layers_sorted():
    assert Config.from_dict(raw_config(measure={"layers": [3, 1]})).layers == [1, 3]


@pytest.mark.parametrize("moments", [3, 8, True, "4", [4]])
def test_bad_moments(moments):
    config_error(raw_config(measure={"moments": moments}), "measure.moments", f"got {moments!r}", "[2, 4, 6]")


def test_moments_float_rejected():
    config_error(raw_config(measure={"moments": 4.0}), "measure.moments", "4.0")


@pytest.mark.parametrize("ntk", ["yes", 1, 0])
def test_ntk_not_bool(ntk):
    config_error(raw_config(measure={"ntk": ntk}), "measure.ntk", f"got {ntk!r}", "true or false")


def test_ntk_true_not_implemented():
    config_error(raw_config(measure={"ntk": True}), "measure.ntk", "got True", "allowed: false", "not implemented")


@pytest.mark.parametrize("key", ["lambda_b", "lambda_W"])
@pytest.mark.parametrize("value, fragment", [(-1.0, "finite numbers >= 0.0"), (float("nan"), "finite numbers"),
                                             ([1.0, 1.0], "a list of 3 numbers"), ("1", "finite numbers")])
def test_bad_learning_rates(key, value, fragment):
    config_error(raw_config(measure={key: value}), f"measure.{key}", repr(value), fragment)


# ------------------------------------------------------------------------------------------------
# [scan]
# ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("widths", [[], [32, 32], [0, 8], [-8], [8.0], 32, [True]])
def test_bad_scan_hidden_width(widths):
    config_error(raw_config(scan={"hidden_width": widths}), "scan.hidden_width", f"got {widths!r}",
                 "a list of distinct positive integers")


def test_scan_without_hidden_width():
    raw = raw_config()
    raw["scan"] = {}
    config_error(raw, "scan.hidden_width", "got None", "a list of distinct positive integers")


def test_scan_needs_hidden_layers():
    raw = raw_config(network={"widths": [2, 3]}, scan={"hidden_width": [8, 16]})
    config_error(raw, "scan.hidden_width", "[8, 16]", "a scan needs hidden layers (L >= 2)")


def test_scan_members():
    c = Config.from_dict(raw_config(scan={"hidden_width": [8, 16]}))
    members = c.scan_members()
    assert [label for label, _ in members] == ["w8", "w16"]
    assert [m.widths for _, m in members] == [[2, 8, 8, 3], [2, 16, 16, 3]]
    seeds = {m.sampling["seed"] for _, m in members}
    assert len(seeds) == 2 and c.sampling["seed"] not in seeds
    assert all(m.data["scan_origin"]["base_seed"] == 1 for _, m in members)


def test_scan_origin_is_validated(tmp_path):
    """[scan_origin] is provenance written by scan members; by hand it is validated like any section."""
    path = write_toml(tmp_path / "c.toml", GOOD_TOML + "\n[scan_origin]\njunk = 1\n")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert info.value.field == "scan_origin.junk"
    path = write_toml(tmp_path / "d.toml", GOOD_TOML + "\n[scan_origin]\nbase_seed = -1\nhidden_width = 8\n")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert info.value.field == "scan_origin.base_seed"


# ------------------------------------------------------------------------------------------------
# resolution: defaults, per-layer values, paths, round trip, hash
# ------------------------------------------------------------------------------------------------
def test_minimal_config_defaults():
    c = Config.from_dict(raw_config())
    assert c.data["network"] == {"widths": [2, 4, 4, 3], "activation": ["relu", "relu"],
                                 "activation_params": [{}, {}], "C_W": [2.0, 2.0, 2.0], "C_b": [0.0, 0.0, 0.0],
                                 "weights": "gaussian"}
    assert c.sampling == {"sampler": "conditional", "networks": 10000, "block_size": 200, "seed": 1,
                          "dtype": "float64", "backend": "auto"}
    assert c.measure == {"layers": [1, 2, 3], "moments": 4, "ntk": False, "lambda_b": [1.0, 1.0, 1.0],
                         "lambda_W": [1.0, 1.0, 1.0]}
    assert c.inputs.tolist() == INPUTS and c.data["inputs"]["source"] == "inline values"
    assert c.scan is None and c.depth == 3


@pytest.mark.parametrize("name, C_W, C_b", [
    ("linear", 1.0, 0.0), ("identity", 1.0, 0.0), ("relu", 2.0, 0.0), ("tanh", 1.0, 0.0),
    ("erf", math.pi / 4, 0.0), ("sin", 1.0, 0.0), ("gelu", 1.983058, 0.172922),
    ("swish", 1.988005, 0.555143), ("silu", 1.988005, 0.555143), ("leaky_relu", 2.0 / (1 + 0.01 ** 2), 0.0),
])
def test_critical_defaults(name, C_W, C_b):
    c = Config.from_dict(raw_config(network={"activation": name}))
    assert c.C_W == pytest.approx([C_W] * 3, rel=1e-12)
    assert c.C_b == pytest.approx([C_b] * 3, rel=1e-12, abs=0)


def test_aliases_resolve_to_canonical_names():
    assert Config.from_dict(raw_config(network={"activation": ["silu", "identity"]})).activations == ["swish", "linear"]


def test_per_layer_activation_defaults():
    # layer 1 is fed by the inputs and takes the first activation's critical values; layer l >= 2 the
    # critical values of activation[l-2]
    c = Config.from_dict(raw_config(network={"activation": ["erf", "relu"]}))
    assert c.activations == ["erf", "relu"]
    assert c.C_W == pytest.approx([math.pi / 4, math.pi / 4, 2.0])
    assert c.C_b == [0.0, 0.0, 0.0]


def test_per_layer_lists_given():
    c = Config.from_dict(raw_config(network={"C_W": [1.0, 2, 3.5], "C_b": [0, 0.1, 0.2]},
                                    measure={"lambda_b": [0.0, 1.0, 2.0], "lambda_W": 0.5}))
    assert c.C_W == [1.0, 2.0, 3.5] and all(isinstance(v, float) for v in c.C_W)
    assert c.C_b == [0.0, 0.1, 0.2]
    assert c.measure["lambda_b"] == [0.0, 1.0, 2.0] and c.measure["lambda_W"] == [0.5, 0.5, 0.5]


def test_C_W_given_C_b_defaults_to_critical():
    c = Config.from_dict(raw_config(network={"activation": "gelu", "C_W": 1.0}))
    assert c.C_W == [1.0] * 3 and c.C_b == pytest.approx([0.172922] * 3)


def test_leaky_relu_slope_default_and_override():
    c = Config.from_dict(raw_config(network={"activation": "leaky_relu"}))
    assert c.activation_params == [{"slope": 0.01}, {"slope": 0.01}]
    c = Config.from_dict(raw_config(network={"activation": "leaky_relu", "activation_params": {"slope": 0.2}}))
    assert c.activation_params == [{"slope": 0.2}, {"slope": 0.2}]
    assert c.C_W == pytest.approx([2.0 / 1.04] * 3)


def test_activation_params_per_layer_list():
    c = Config.from_dict(raw_config(network={"activation": ["leaky_relu", "relu"],
                                             "activation_params": [{"slope": 0.5}, {}]}))
    assert c.activation_params == [{"slope": 0.5}, {}]
    assert c.C_W == pytest.approx([2.0 / 1.25, 2.0 / 1.25, 2.0])
    # one table for mixed activations applies to the layers that take the parameter
    c = Config.from_dict(raw_config(network={"activation": ["relu", "leaky_relu"],
                                             "activation_params": {"slope": 0.5}}))
    assert c.activation_params == [{}, {"slope": 0.5}]


def test_single_layer_network_resolves():
    c = Config.from_dict(raw_config(network={"widths": [2, 3], "activation": "erf"}))
    assert c.depth == 1 and c.activations == [] and c.C_W == [math.pi / 4] and c.layers == [1]


def test_relative_file_resolves_against_config_folder_then_cwd(tmp_path, monkeypatch):
    cfg_dir, work = tmp_path / "configs", tmp_path / "work"
    work.mkdir()
    path = write_toml(cfg_dir / "c.toml", GOOD_TOML.replace("values = [[1.0, 0.0], [0.6, 0.8]]",
                                                            'file = "x.npy"'))
    np.save(cfg_dir / "x.npy", np.full((1, 2), 1.0))
    np.save(work / "x.npy", np.full((1, 2), 2.0))
    monkeypatch.chdir(work)
    assert load_config(path).inputs.tolist() == [[1.0, 1.0]]      # the config's folder first
    (cfg_dir / "x.npy").unlink()
    assert load_config(path).inputs.tolist() == [[2.0, 2.0]]      # then the working directory
    (work / "x.npy").unlink()
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert info.value.field == "inputs.file"


def test_relative_file_in_subfolder_of_config(tmp_path, monkeypatch):
    path = write_toml(tmp_path / "cfg" / "c.toml", GOOD_TOML.replace("values = [[1.0, 0.0], [0.6, 0.8]]",
                                                                     'file = "inputs/x.npy"'))
    (tmp_path / "cfg" / "inputs").mkdir()
    np.save(tmp_path / "cfg" / "inputs" / "x.npy", np.array(INPUTS))
    monkeypatch.chdir(tmp_path)
    c = load_config(path)
    assert c.inputs.tolist() == INPUTS and c.data["inputs"]["source"] == "inputs/x.npy"


@pytest.mark.parametrize("sections", [
    {},
    {"network": {"activation": ["leaky_relu", "gelu"], "activation_params": {"slope": 0.3}}},
    {"network": {"activation": "softplus", "C_W": [1.0, 1.5, 2.0], "C_b": 0.1}},
    {"network": {"weights": "uniform"}, "sampling": {"sampler": "explicit", "networks": 8, "block_size": 3}},
    {"inputs": {"values": None, "generator": "gaussian", "k": 3, "seed": 5}},
    {"measure": {"layers": [3, 2], "moments": 6, "lambda_W": [0.0, 1.0, 2.0]}},
    {"scan": {"hidden_width": [8, 16]}},
])
def test_resolved_config_revalidates_to_itself(sections):
    c = Config.from_dict(raw_config(**sections))
    again = Config.from_dict(json.loads(json.dumps(c.data)))
    assert again.data == c.data
    assert again.ensemble_hash == c.ensemble_hash
    for _, member in c.scan_members():
        assert Config.from_dict(member.data).data == member.data


def test_file_inputs_revalidate_to_themselves(tmp_path):
    np.save(tmp_path / "x.npy", np.arange(6.0).reshape(3, 2))
    c = Config.from_dict(raw_config(inputs={"values": None, "file": "x.npy", "rows": [1, 2]}), base_dir=tmp_path)
    assert Config.from_dict(c.data).data == c.data


def test_single_layer_config_revalidates_to_itself():
    c = Config.from_dict(raw_config(network={"widths": [2, 3]}))
    assert Config.from_dict(c.data).data == c.data


def test_single_layer_empty_activation_list():
    c = Config.from_dict(raw_config(network={"widths": [2, 3], "activation": []}))
    assert c.activations == []


def test_kaiming_uniform_config_revalidates_to_itself():
    c = Config.from_dict(raw_config(network={"weights": "kaiming_uniform"}, sampling={"sampler": "explicit"}))
    assert Config.from_dict(c.data).data == c.data


def test_ensemble_hash_ignores_networks_and_backend():
    base = Config.from_dict(raw_config(sampling={"networks": 1000, "block_size": 50}))
    for sampling in ({"networks": 5000, "block_size": 50}, {"networks": 1000, "block_size": 50, "backend": "cpu"},
                     {"networks": 1, "block_size": 50, "backend": "cupy"}):
        assert Config.from_dict(raw_config(sampling=sampling)).ensemble_hash == base.ensemble_hash
    assert base.replace("sampling", networks=7).ensemble_hash == base.ensemble_hash
    assert len(base.ensemble_hash) == 64 and int(base.ensemble_hash, 16) >= 0


def test_ensemble_hash_ignores_input_description():
    c = Config.from_dict(raw_config())
    d = json.loads(json.dumps(c.data))
    d["inputs"]["source"] = "something else"
    assert Config.from_dict(d).ensemble_hash == c.ensemble_hash


@pytest.mark.parametrize("sections", [
    {"sampling": {"seed": 2}},
    {"network": {"widths": [2, 4, 5, 3]}},
    {"inputs": {"values": [[1.0, 0.0], [0.0, 1.0]]}},
    {"network": {"activation": "tanh"}},
    {"network": {"C_b": 0.1}},
    {"sampling": {"block_size": 100}},
    {"sampling": {"dtype": "float32"}},
    {"measure": {"moments": 6}},
])
def test_ensemble_hash_changes(sections):
    assert Config.from_dict(raw_config(**sections)).ensemble_hash != Config.from_dict(raw_config()).ensemble_hash


def test_ensemble_hash_ignores_networks_with_default_block_size():
    hashes = {Config.from_dict(raw_config(sampling={"networks": n})).ensemble_hash for n in (10, 20, 1000)}
    assert len(hashes) == 1


# ------------------------------------------------------------------------------------------------
# CLI
# ------------------------------------------------------------------------------------------------
def test_cli_bad_config_subprocess(tmp_path):
    path = write_toml(tmp_path / "c.toml", GOOD_TOML.replace('activation = "relu"', 'activation = "rleu"'))
    proc = subprocess.run([sys.executable, "-m", "nnmc.cli", "generate", str(path), "-o", str(tmp_path / "e.h5")],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("nnmc: error: ") and "network.activation" in lines[0] and "'rleu'" in lines[0]
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "e.h5").exists()


@pytest.mark.parametrize("command", ["generate", "run"])
@pytest.mark.parametrize("edit, options, field", [
    (("networks = 4", "networks = 0"), [], "sampling.networks"),
    (("widths = [2, 4, 3]", "widths = [2, 0, 3]"), [], "network.widths"),
    (("[sampling]", "[sampling]\nseeed = 3"), [], "sampling.seeed"),
    (("", ""), ["--networks", "-3"], "sampling.networks"),  # good file, bad override
])
def test_cli_bad_config_main(tmp_path, capsys, command, edit, options, field):
    path = write_toml(tmp_path / "c.toml", GOOD_TOML.replace(*edit))
    assert main([command, str(path), "-o", str(tmp_path / "out"), *options]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("nnmc: error: ") and f"'{field}'" in err
    assert "Traceback" not in err


def test_cli_missing_and_invalid_config(tmp_path, capsys):
    assert main(["generate", str(tmp_path / "missing.toml"), "-o", str(tmp_path / "e.h5")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("nnmc: error: ") and "missing.toml" in err and err.count("\n") == 1
    path = write_toml(tmp_path / "bad.toml", "[network\n")
    assert main(["generate", str(path), "-o", str(tmp_path / "e.h5")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("nnmc: error: ") and "valid TOML" in err and err.count("\n") == 1


def test_cli_resume_to_fewer_networks_says_nothing_was_sampled(tmp_path, capsys):
    path = write_toml(tmp_path / "c.toml", GOOD_TOML)
    out = tmp_path / "e.h5"
    assert main(["generate", str(path), "-o", str(out), "--networks", "40"]) == 0
    capsys.readouterr()
    assert main(["generate", str(path), "-o", str(out), "--resume", "--networks", "20"]) == 0
    printed = capsys.readouterr().out
    assert "+0 now" in printed and "already holds 40 >= the 20 networks asked for" in printed


def test_cli_generate_onto_existing_file(tmp_path, capsys):
    path = write_toml(tmp_path / "c.toml", GOOD_TOML)
    out = tmp_path / "e.h5"
    out.write_bytes(b"precious")
    assert main(["generate", str(path), "-o", str(out), "--backend", "cpu"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("nnmc: error: ") and "--resume" in err and "--overwrite" in err
    assert err.count("\n") == 1
    assert out.read_bytes() == b"precious"  # untouched


def test_cli_info_on_non_hdf5_file(tmp_path, capsys):
    path = tmp_path / "not.h5"
    path.write_text("hello\n")
    assert main(["info", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("nnmc: error: ") and str(path) in err and "Traceback" not in err


def test_cli_info_on_missing_file(tmp_path, capsys):
    assert main(["info", str(tmp_path / "none.h5")]) == 2
    assert capsys.readouterr().err.startswith("nnmc: error: ")
