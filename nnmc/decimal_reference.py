"""High-precision references in Python's decimal arithmetic (no dependency): pi, cos, sin, erf and erfc.

They fit the coefficients of the vectorised float64 functions (nnmc.erf, nnmc.fastmath) and are the references
their accuracy tests measure ulps against. Each works at the current decimal precision unless it says otherwise.
"""

from __future__ import annotations

import math
from decimal import Decimal, getcontext, localcontext


def pi_decimal() -> Decimal:
    """pi to the current decimal precision (Machin: 16 atan(1/5) - 4 atan(1/239))."""
    def atan_inverse(n: int) -> Decimal:
        eps = Decimal(10) ** -(getcontext().prec + 2)
        term = total = Decimal(1) / n
        k = 0
        while abs(term) > eps:
            k += 1
            term = -term / (n * n)
            total += term / (2 * k + 1)
        return total
    return 16 * atan_inverse(5) - 4 * atan_inverse(239)


def _erf_decimal_series(x: Decimal, eps: Decimal) -> Decimal:
    """erf(x) by its Taylor series, summed until a term is below ``eps``, at the current precision."""
    x2 = x * x
    term = total = x
    n = 0
    while True:
        n += 1
        term = -term * x2 / n
        add = term / (2 * n + 1)
        total += add
        if abs(add) < eps:
            return 2 * total / pi_decimal().sqrt()


def erf_decimal(x: Decimal, digits: int = 30) -> Decimal:
    """erf(x) for |x| <= 1 to ``digits`` significant digits (the series has no cancellation there)."""
    with localcontext() as ctx:
        ctx.prec = digits + 10
        result = _erf_decimal_series(+x, abs(x) * Decimal(10) ** -(digits + 5))
    with localcontext() as ctx:
        ctx.prec = digits
        return +result


def erfc_decimal(x: Decimal, digits: int = 30) -> Decimal:
    """erfc(x) for x >= 0 to ``digits`` significant digits: 1 - erf(x) by the series at a working precision of
    2 x^2 / ln 10 + digits + 10 digits, which absorbs its cancellation (terms up to e^(x^2), erfc ~ e^(-x^2))."""
    work = int(2 * float(x) ** 2 / math.log(10)) + digits + 10
    with localcontext() as ctx:
        ctx.prec = work
        result = 1 - _erf_decimal_series(+x, Decimal(10) ** -work)
    with localcontext() as ctx:
        ctx.prec = digits
        return +result


def cos_decimal(y: Decimal) -> Decimal:
    """cos(y) by its Taylor series at the current precision (for |y| of order 1)."""
    eps = Decimal(10) ** -(getcontext().prec + 2)
    term = total = Decimal(1)
    j = 0
    while abs(term) > eps:
        j += 2
        term = -term * y * y / (j * (j - 1))
        total += term
    return total


def sin_decimal(x: float, digits: int = 30) -> Decimal:
    """sin(x) of a float x (|x| < 1e15) to ``digits`` significant digits: reduced by pi/2 at 60 + digits digits
    (enough for the cancellation of any float64 near a multiple of pi/2 below 1e15), then the Taylor series."""
    with localcontext() as ctx:
        ctx.prec = 60 + digits
        half_pi = pi_decimal() / 2
        x = Decimal(x)
        q = (x / half_pi).to_integral_value()
        r = x - q * half_pi
        eps = abs(r) * Decimal(10) ** -(digits + 5) if r else Decimal(0)
        term = total = r
        j = 1
        while abs(term) > eps:
            j += 2
            term = -term * r * r / (j * (j - 1))
            total += term
        quadrant = int(q) % 4
        value = total if quadrant % 2 == 0 else cos_decimal(r)
        value = -value if quadrant >= 2 else value
    with localcontext() as ctx:
        ctx.prec = digits
        return +value
