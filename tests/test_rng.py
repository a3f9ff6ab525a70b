"""Philox4x32-10 known answers, the documented normal transform, and the normals' distribution."""

import json
import math
from pathlib import Path

import numba as nb
import numpy as np
import pytest

from nnmc import rng
from nnmc.fastmath import box_muller_radius, sincos_two_pi

KAT = Path(__file__).resolve().parents[1] / "data" / "reference" / "philox4x32_10_kat.json"


def _vectors():
    """Random123's known-answer vectors for philox4x32_10 (data/reference, see data/README.md)."""
    data = json.loads(KAT.read_text())
    return [(v["counter"], v["key"], v["output"]) for v in data["vectors"]]


@pytest.mark.parametrize("counter,key,output", _vectors())
def test_philox_known_answers(counter, key, output):
    c = np.array([int(x, 16) for x in counter], dtype=np.uint32)
    k = np.array([int(x, 16) for x in key], dtype=np.uint32)
    assert [f"{w:08x}" for w in rng.philox(c[None], k[None])[0]] == output


def _reference_normals(seed, network, layer, purpose, count):
    """The documented transform, written out with Python floats (nnmc.rng docstring)."""
    k0, k1 = seed & 0xFFFFFFFF, seed >> 32
    out = []
    g = 0
    while len(out) < count:
        counter = np.array([[g, (layer << 8) | purpose, network & 0xFFFFFFFF, network >> 32]], dtype=np.uint32)
        w = rng.philox(counter, np.array([[k0, k1]], dtype=np.uint32))[0]
        for even, odd in ((w[0], w[1]), (w[2], w[3])):
            u = (float(even) + 0.5) * 2.0 ** -32
            v = (float(odd) + 0.5) * 2.0 ** -32
            r = math.sqrt(-2.0 * math.log(u))
            out += [r * math.sin(2 * math.pi * v), r * math.cos(2 * math.pi * v)]
        g += 1
    return np.array(out[:count])


@pytest.mark.parametrize("seed,network,layer,purpose,count", [
    (1, 0, 1, 0, 9), (2**40 + 5, 2**33 + 17, 7, 2, 37), (0, 2**63 - 1, 2**24 - 1, 255, 4),
    (7, 3, 2, 0, 3 * 4 * rng.SCRATCH_GROUPS + 5)])
def test_normals_follow_documented_transform(seed, network, layer, purpose, count):
    got = rng.normals(seed, network, layer, purpose, count)
    np.testing.assert_allclose(got, _reference_normals(seed, network, layer, purpose, count), rtol=0, atol=5e-14)


def test_normals_are_addressable_and_prefix_stable():
    long = rng.normals(3, 11, 2, 0, 1001)
    assert np.array_equal(rng.normals(3, 11, 2, 0, 13), long[:13])
    rows = rng.normals_for_networks(3, 9, 4, 2, 0, 1001)
    assert np.array_equal(rows[2], long)
    assert not np.array_equal(rows[1], rows[2])


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_any_range_of_a_stream_is_the_same_slice(dtype):
    """Normals first .. first + count - 1, drawn alone, are that slice of the whole stream: ranges that start
    or end inside a Philox group, that span the scratch passes (rng.SCRATCH_GROUPS groups) and that are empty."""
    block = 4 * rng.SCRATCH_GROUPS
    whole = rng.normals(7, 3, 2, 0, 5 * block, dtype=dtype)
    for first in (0, 1, 2, 3, 5, block - 3, block, block + 1, 2 * block - 1):
        for count in (0, 1, 2, 3, 4, 7, block - 1, block, block + 3, 2 * block + 9):
            got = rng.normals(7, 3, 2, 0, count, dtype=dtype, first=first)
            assert np.array_equal(got, whole[first:first + count]), (first, count)


def test_float32_normals_are_rounded_float64():
    a64 = rng.normals(5, 1, 1, 0, 1000)
    a32 = rng.normals(5, 1, 1, 0, 1000, dtype=np.float32)
    assert np.array_equal(a32, a64.astype(np.float32))


def test_normal_moments():
    """Mean, variance, 4th moment and a tail probability of 4e6 normals, |pull| < 4."""
    z = rng.normals_for_networks(12345, 0, 2000, 1, 0, 2000).ravel()
    n = z.size
    checks = [
        (z.mean(), 0.0, 1.0 / math.sqrt(n)),
        ((z**2).mean(), 1.0, math.sqrt(2.0 / n)),
        ((z**3).mean(), 0.0, math.sqrt(15.0 / n)),
        ((z**4).mean(), 3.0, math.sqrt(96.0 / n)),
    ]
    p3 = math.erfc(3 / math.sqrt(2))
    checks.append(((np.abs(z) > 3).mean(), p3, math.sqrt(p3 * (1 - p3) / n)))
    for value, expected, err in checks:
        assert abs(value - expected) < 4 * err, (value, expected, err)


def test_independent_streams_are_uncorrelated():
    n = 10**6
    a = rng.normals(7, 0, 1, 0, n)
    for other in (rng.normals(7, 1, 1, 0, n), rng.normals(7, 0, 2, 0, n), rng.normals(7, 0, 1, 1, n),
                  rng.normals(8, 0, 1, 0, n)):
        assert abs(np.mean(a * other)) < 4 / math.sqrt(n)


@nb.njit
def _fast(u, v):
    r = np.empty_like(u)
    s = np.empty_like(v)
    c = np.empty_like(v)
    box_muller_radius(u.copy(), r)
    sincos_two_pi(v, s, c)
    return r, s, c


def test_fastmath_against_libm():
    words = np.concatenate([np.random.default_rng(0).integers(0, 2**32, 10**6), [0, 1, 2**31, 2**32 - 1]])
    u = (words.astype(np.float64) + 0.5) * 2.0**-32
    r, s, c = _fast(u, u)
    np.testing.assert_allclose(r, np.sqrt(-2 * np.log(u)), rtol=1e-14, atol=1e-15)
    np.testing.assert_allclose(s, np.sin(2 * np.pi * u), rtol=0, atol=2e-15)
    np.testing.assert_allclose(c, np.cos(2 * np.pi * u), rtol=0, atol=2e-15)


def test_seed_range():
    with pytest.raises(ValueError):
        rng.split_seed(-1)
    with pytest.raises(ValueError):
        rng.split_seed(2**64)
