"""Block reduction on all cores (numba): the sums over a block's accepted networks of their measurement rows.

The sum over networks runs in network order for every column, exactly as NumPy's ``rows[finite].sum(axis=0)``
adds the rows one after another, so the result is bit for bit that of NumPy and does not depend on the number
of threads (they split the columns, never a column's sum).
"""

from __future__ import annotations

import numba as nb


@nb.njit(parallel=True, cache=True)
def block_sums(rows, finite, out):
    """out (n_measured, width) float64 = sum of rows[t] (count, n_measured, width) over t with finite[t].

    NaN columns (undefined by construction) stay NaN; a block without accepted networks gives zeros.
    """
    width = rows.shape[2]
    for c in nb.prange(rows.shape[1] * width):
        m = c // width
        j = c - m * width
        acc = 0.0
        for t in range(rows.shape[0]):
            if finite[t]:
                acc += rows[t, m, j]
        out[m, j] = acc
