#!/usr/bin/env python3
"""The polynomial of float GELU (src/nn/vector_activation_kernels.inc, gelu_in_double):
R(t) = erfc(y)·e^{y²} with t = 2/(2 + y), y ∈ [0, Y], interpolated at Chebyshev nodes in
s = (2t − 1 − t0)/(1 − t0) ∈ [−1, 1] (t0 = 2/(2 + Y)), converted to powers of s exactly
(fractions), and checked by Horner's scheme in double against math.erfc on a dense grid.
Prints the map's constants, the coefficients (C hex floats) and the worst relative error."""
import math
from fractions import Fraction

Y, DEGREE, NODES = 10.75, 13, 80
t0 = 2 / (2 + Y)


def R(t):
    y = 2 * (1 - t) / t
    return math.erfc(y) * math.exp(y * y)


def t_of(s):
    return (s * (1 - t0) + (1 + t0)) / 2


nodes = [math.cos(math.pi * (k + 0.5) / NODES) for k in range(NODES)]
f = [R(t_of(s)) for s in nodes]
cheb = [2 / NODES * sum(f[k] * math.cos(math.pi * j * (k + 0.5) / NODES) for k in range(NODES))
        for j in range(DEGREE + 1)]
cheb[0] /= 2
T = [[Fraction(1)], [Fraction(0), Fraction(1)]]  # Chebyshev polynomials as powers
for j in range(2, DEGREE + 1):
    a = [Fraction(0)] + [2 * v for v in T[j - 1]]
    b = T[j - 2] + [Fraction(0)] * (len(a) - len(T[j - 2]))
    T.append([x - y for x, y in zip(a, b)])
power = [Fraction(0)] * (DEGREE + 1)
for j in range(DEGREE + 1):
    for i, v in enumerate(T[j]):
        power[i] += Fraction(cheb[j]) * v
power = [float(v) for v in power]
alpha, beta = 2 / (1 - t0), -(1 + t0) / (1 - t0)
worst = 0.0
for k in range(200001):
    y = Y * k / 200000
    s = 2 / (2 + y) * alpha + beta
    p = 0.0
    for v in reversed(power):
        p = p * s + v
    ref = math.erfc(y) * math.exp(y * y)
    worst = max(worst, abs(p - ref) / ref)
print(f"s = t·{alpha.hex()} + {beta.hex()}")
print("c =", ", ".join(v.hex() for v in power))
print(f"worst relative error on [0, {Y}]: {worst:.3g}")
