#!/usr/bin/env python3
"""Reference Mann-Kendall results (pymannkendall.original_test) and empirical-Bayes rates
(esda.smoothing.Empirical_Bayes) for OtklikHotspotsTests.

Run from this folder:  python3 make_trend_fixtures.py
Needs: pip install pymannkendall esda numpy

mannkendall.csv: one series per line:  values(space-separated);s;var_s;z;p;tau;slope;trend
empirical_bayes.csv: events,population,rate (esda's smoothed rate per person), one area per line;
  the header names the case. Only cases where esda's between-area variance estimate is >= 0 are written:
  esda does not clip it, Marshall's rule (and our code) does; the clipped case is tested analytically.
"""
import numpy as np
import pymannkendall as mk
from esda.smoothing import Empirical_Bayes

rng = np.random.default_rng(11)
series = [
    [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
    [10, 9, 8, 7, 6, 5, 4, 3, 2, 1],
    [1, 1, 2, 2, 3, 3, 3, 4, 4, 9],          # ties
    [0.5, -1.2, 3.3, 0.1, 0.0, 2.2, -0.7, 1.9],
    [1, 2],
    [2, 1, 3],
    [0, 0, 0, 1, 0, 0, 0, 0],
    list(np.round(rng.normal(0, 1, 24) + np.linspace(0, 2, 24), 6)),
    list(np.round(rng.normal(0, 1, 52), 6)),
    list(rng.integers(0, 4, 36).astype(float)),  # many ties
]
with open("mannkendall.csv", "w") as f:
    f.write(f"# pymannkendall={mk.__version__ if hasattr(mk, '__version__') else 'unknown'} original_test alpha=0.05\n")
    for s in series:
        r = mk.original_test(np.asarray(s, dtype=float), alpha=0.05)
        trend = {"increasing": "increasing", "decreasing": "decreasing", "no trend": "none"}[r.trend]
        f.write(" ".join(repr(float(v)) for v in s)
                + f";{float(r.s)!r};{float(r.var_s)!r};{float(r.z)!r};{float(r.p)!r};{float(r.Tau)!r};{float(r.slope)!r};{trend}\n")

cases = []
pop = rng.integers(12, 40000, size=60).astype(float)
rate = rng.gamma(4, 0.0025 / 4, size=60)
ev = rng.poisson(pop * rate).astype(float)
ev[0] = 2; pop[0] = 12                      # the tiny village with 2 complaints
cases.append(("villages", ev, pop))
pop2 = np.array([1000, 1500, 800, 20000, 50, 300, 7000, 12000, 60, 2500], dtype=float)
ev2 = np.array([3, 9, 0, 40, 4, 1, 30, 10, 0, 12], dtype=float)
cases.append(("districts", ev2, pop2))
with open("empirical_bayes.csv", "w") as f:
    for name, e, b in cases:
        m = e.sum() / b.sum()
        a = (b * (e / b - m) ** 2).sum() / b.sum() - m / b.mean()
        assert a >= 0, name
        r = Empirical_Bayes(e, b).r.flatten()
        f.write(f"# case={name}\n")
        for ei, bi, ri in zip(e, b, r):
            f.write(f"{int(ei)},{int(bi)},{float(ri)!r}\n")
print("ok")
