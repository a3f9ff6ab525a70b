"""nnmc.fastmath's vectorised tanh and swish against libm over their whole range and at the special values."""

import math

import numpy as np
import pytest

from nnmc.fastmath import swish_array, tanh_array


def test_tanh_within_four_ulp_of_libm():
    rng = np.random.default_rng(3)
    tiny = np.geomspace(1e-300, 1.0, 20001)
    x = np.concatenate([np.linspace(-25, 25, 400001), 3 * rng.standard_normal(10**5), tiny, -tiny,
                        np.nextafter(0.3, [0.0, 1.0]), [0.0, -0.0, 0.3, -0.3, 20.0, 19.9999, 1e308, -1e308, 5e-324]])
    out = np.empty_like(x)
    tanh_array(x, out)
    ref = np.tanh(x)
    assert np.all(np.abs(out - ref) <= 4 * np.spacing(np.abs(ref)))
    assert np.array_equal(np.signbit(out), np.signbit(ref))


def test_tanh_special_values():
    x = np.array([np.inf, -np.inf, np.nan])
    out = np.empty(3)
    tanh_array(x, out)
    assert out[0] == 1.0 and out[1] == -1.0 and np.isnan(out[2])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_tanh_of_float32_and_into_float32(dtype):
    x = np.linspace(-5, 5, 1001).astype(np.float32)
    out = np.empty(1001, dtype=dtype)
    tanh_array(x, out)
    ref = np.tanh(x.astype(np.float64))
    # evaluated in float64 (within 4 ulp there), then rounded once to the output dtype
    assert np.all(np.abs(out - ref) <= 4 * np.spacing(np.abs(ref)) + np.spacing(np.abs(ref).astype(dtype)))


def _swish_libm(v):
    if v >= 0:
        return v / (1 + math.exp(-v))
    return v * math.exp(v) / (1 + math.exp(v)) if v > -745 else -0.0


def test_swish_within_four_ulp_of_libm():
    rng = np.random.default_rng(4)
    tiny = np.geomspace(1e-300, 1.0, 2001)
    x = np.concatenate([np.linspace(-800, 800, 160001), 3 * rng.standard_normal(10**5), tiny, -tiny, [0.0, -0.0]])
    out = np.empty_like(x)
    swish_array(x, out)
    ref = np.array([_swish_libm(v) for v in x])
    normal = np.abs(ref) > 1e-290
    assert np.all(np.abs(out - ref)[normal] <= 4 * np.spacing(np.abs(ref[normal])))
    assert np.all(np.abs(out - ref)[~normal] <= 1e-290)  # x e^x below -700 is 0 to within 1e-305
    special = np.array([np.inf, -np.inf, np.nan])
    swish_array(special, out[:3])
    assert out[0] == np.inf and out[1] == 0.0 and np.isnan(out[2])
