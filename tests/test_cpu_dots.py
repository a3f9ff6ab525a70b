"""The blocked row sums of nnmc.cpu.dots against NumPy, for every block size and odd lengths."""

import numpy as np
import pytest

from nnmc.cpu.dots import BLOCK, combine_rows, dot_plan, row_dots


def _pairs(rng, rows, count):
    return np.stack([rng.integers(0, rows, count), rng.integers(0, rows, count)], axis=1)


def test_plan_covers_every_pair_once_in_blocks_sharing_a_row():
    rng = np.random.default_rng(0)
    pairs = _pairs(rng, 6, 40)
    plan = dot_plan(pairs)
    seen = []
    for A, count, *rest in plan:
        Bs, outs = rest[:BLOCK], rest[BLOCK:]
        assert 1 <= count <= BLOCK
        assert all(b == Bs[count - 1] for b in Bs[count:]) and all(o == -1 for o in outs[count:])
        for B, o in zip(Bs[:count], outs[:count]):
            assert (pairs[o] == (A, B)).all()
            seen.append(o)
    assert sorted(seen) == list(range(len(pairs)))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("n", [1, 7, 64, 255, 513])
def test_row_dots_adds_the_float64_dot_products(dtype, n):
    rng = np.random.default_rng(n)
    X = rng.standard_normal((5, n + 3)).astype(dtype)  # columns beyond n must be ignored
    pairs = _pairs(rng, 5, 23)  # groups of every size 1..4 and more than four
    out = np.full(len(pairs), 0.5)
    row_dots(X, n, dot_plan(pairs), out)
    X64 = X[:, :n].astype(np.float64)
    exact = 0.5 + np.einsum("pi,pi->p", X64[pairs[:, 0]], X64[pairs[:, 1]])
    # float64 sums in another order: a few ulp of the sum of |terms|
    scale = 0.5 + np.einsum("pi,pi->p", np.abs(X64[pairs[:, 0]]), np.abs(X64[pairs[:, 1]]))
    assert np.all(np.abs(out - exact) <= 8 * n * np.finfo(np.float64).eps * scale)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("m", [0, 1, 2, 3, 4, 5, 9])
def test_combine_rows_in_the_dtype(dtype, m):
    rng = np.random.default_rng(m)
    n = 37
    X = rng.standard_normal((max(m, 1), n + 2)).astype(dtype)
    coef = rng.standard_normal(m).astype(dtype)
    out = np.full(n + 2, 7.0, dtype=dtype)
    combine_rows(coef, X, n, out)
    exact = coef.astype(np.float64) @ X[:m, :n].astype(np.float64)
    scale = np.abs(coef.astype(np.float64)) @ np.abs(X[:m, :n].astype(np.float64))
    assert np.all(np.abs(out[:n] - exact) <= 2 * (m + 1) * np.finfo(dtype).eps * scale)
    assert (out[n:] == 7.0).all()


def test_unrolled_module_is_the_generators_output():
    """nnmc/cpu/power_sums_unrolled.py is generated: regenerate with ``python -m nnmc.cpu.unroll``."""
    from nnmc.cpu import unroll

    assert unroll.TARGET.read_text() == unroll.source()


@pytest.mark.parametrize("k", [1, 2, 3, 4, 5, 6])
@pytest.mark.parametrize("n", [1, 13, 512])
def test_unrolled_power_sums_equal_the_generic_ones(k, n):
    """The unrolled S2, S4 (k <= unroll.MAX_K) against the plan-driven kernels (which also serve moments = 6 and
    larger k)."""
    from nnmc import components as comp
    from nnmc.cpu.power_sums_unrolled import pair_sums_unrolled, power_sums_unrolled

    rng = np.random.default_rng(10 * k + n)
    z = rng.standard_normal((k, n))
    pairs = comp.pairs(k)
    pi = comp.pair_index(k)
    quads = comp.quads(k)
    s2, s4 = np.full(len(pairs), 1.0), np.full(len(quads), 2.0)
    assert power_sums_unrolled(z, n, s2, s4)
    g2, g4 = np.full(len(pairs), 1.0), np.full(len(quads), 2.0)
    row_dots(z, n, dot_plan(pairs), g2)
    zp = z[pairs[:, 0]] * z[pairs[:, 1]]
    row_dots(zp, n, dot_plan(np.array([[pi[a, b], pi[c, d]] for a, b, c, d in quads])), g4)
    # float64 sums in other orders: a few ulp of the sum of |terms| (components near 0 cancel)
    eps = 8 * n * np.finfo(np.float64).eps
    scale2 = 1.0 + np.abs(z[pairs[:, 0]] * z[pairs[:, 1]]).sum(axis=1)
    scale4 = 2.0 + np.abs(np.prod(z[quads.T], axis=0)).sum(axis=1)
    assert np.all(np.abs(s2 - g2) <= eps * scale2)
    assert np.all(np.abs(s4 - g4) <= eps * scale4)
    exact4 = 2.0 + np.prod(z[quads.T], axis=0).sum(axis=1)
    assert np.all(np.abs(s4 - exact4) <= eps * scale4)
    p2 = np.full(len(pairs), 1.0)
    assert pair_sums_unrolled(z.astype(np.float32), n, p2)
    z32 = z.astype(np.float32).astype(np.float64)
    np.testing.assert_allclose(p2, 1.0 + (z32[pairs[:, 0]] * z32[pairs[:, 1]]).sum(axis=1), rtol=1e-13)


def test_unrolled_sums_decline_larger_k():
    from nnmc.cpu.power_sums_unrolled import pair_sums_unrolled, power_sums_unrolled

    z = np.ones((7, 8))
    s2, s4 = np.zeros(28), np.zeros(210)
    assert not power_sums_unrolled(z, 8, s2, s4) and not pair_sums_unrolled(z, 8, s2)
    assert not s2.any() and not s4.any()
