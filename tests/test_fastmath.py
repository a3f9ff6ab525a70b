"""nnmc.fastmath's vectorised tanh, swish, sin and softplus against libm or decimal references over their whole
range and at the special values."""

import math
from decimal import Decimal, localcontext

import numpy as np
import pytest

from nnmc.decimal_reference import sin_decimal
from nnmc.fastmath import SIN_REDUCED_BELOW, sin_array, softplus_array, swish_array, tanh_array


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


def _ulps(value, reference):
    return np.abs(value - reference) / np.spacing(np.abs(reference))


def _near_multiples_of_half_pi():
    """The floats nearest to q pi/2 for q up to the reduction bound, where r = x - q pi/2 cancels most."""
    q = np.arange(1, int(SIN_REDUCED_BELOW / (math.pi / 2)) + 1)
    return np.concatenate([q * (math.pi / 2), -q[::7] * (math.pi / 2)])


def test_sin_within_four_ulp_including_near_its_zeros():
    rng = np.random.default_rng(5)
    x = np.concatenate([rng.normal(0, 3, 2000), rng.uniform(-SIN_REDUCED_BELOW, SIN_REDUCED_BELOW, 1000),
                        10.0 ** rng.uniform(-300, 0, 100), _near_multiples_of_half_pi()])
    out = np.empty_like(x)
    sin_array(x, out)
    reference = np.array([float(sin_decimal(v)) for v in x])
    worst = _ulps(out, reference)
    assert worst.max() <= 4, (x[np.argmax(worst)], worst.max())


def test_sin_beyond_the_reduction_and_special_values_are_libm():
    x = np.array([SIN_REDUCED_BELOW, np.nextafter(SIN_REDUCED_BELOW, np.inf), 1e4, -3e7, 1e300, np.inf, -np.inf,
                  np.nan, 0.0, -0.0, 2.0])
    out = np.empty_like(x)
    sin_array(x, out)
    np.testing.assert_array_equal(out[1:8], [math.sin(v) if math.isfinite(v) else math.nan for v in x[1:8]])
    assert abs(out[0] - math.sin(x[0])) <= 4 * np.spacing(abs(math.sin(x[0])))
    assert out[8] == 0.0 and out[9] == 0.0 and np.signbit(out[9]) and abs(out[10] - math.sin(2.0)) <= 4 * np.spacing(1.0)
    in_place = x.copy()
    sin_array(in_place, in_place)
    np.testing.assert_array_equal(in_place, out)
    narrow = np.empty(x.size, np.float32)  # into float32 (explicit sampler): the float64 result rounded once
    sin_array(x[8:], narrow[8:])
    np.testing.assert_array_equal(narrow[8:], out[8:].astype(np.float32))


def _softplus_reference(x: float) -> float:
    with localcontext() as ctx:
        ctx.prec = 40 + int(max(0.0, -x) / 2.3)  # 1 + e^x keeps e^x's digits
        return float((1 + Decimal(x).exp()).ln())


def test_softplus_within_four_ulp():
    rng = np.random.default_rng(6)
    x = np.concatenate([rng.normal(0, 4, 2000), rng.uniform(-750, 750, 500), [0.0, -0.0, 1e-300, -1e-300, 708.5]])
    out = np.empty_like(x)
    softplus_array(x, out)
    reference = np.array([_softplus_reference(v) for v in x])
    normal = reference > 1e-300
    worst = _ulps(out[normal], reference[normal])
    assert worst.max() <= 4, (x[normal][np.argmax(worst)], worst.max())
    assert np.all(out[~normal] <= 1e-300)  # below x = -708: 0 (softplus < 1e-307)
    special = np.array([np.inf, -np.inf, np.nan])
    softplus_array(special, out[:3])
    assert out[0] == np.inf and out[1] == 0.0 and np.isnan(out[2])
