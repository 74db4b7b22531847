#!/usr/bin/env python3
"""Reference Getis-Ord Gi* values from PySAL (esda + libpysal) for OtklikHotspotsTests.

Run from this folder:  python3 make_gistar_fixtures.py
Needs: pip install esda libpysal numpy

gistar_points.csv   x,y of synthetic incidents (metres).
gistar_bins_<sel>.csv  per hexagon (bins of gistar_points.csv, pointy-top, axial q,r, origin 0,0, cell size =
                    centre spacing, the same formulas as HexGrid.swift) with count and esda's results for
                    G_Local(y, DistanceBand(centres, band, binary=True), transform='B', star=True):
                    z (Zs), p_norm (one-sided, = half the two-sided p), and the FDR Gi_Bin computed here
                    independently (Benjamini-Hochberg at 0.01/0.05/0.10 on two-sided p).
                    sel = occupied (bins with incidents) or neighbours (plus empty bins within the band).
gistar_scatter.csv  irregular locations with values, for the generic giStar(values:x:y:band:).
The header line holds cell_size and band.
"""
import math

import esda
import libpysal
import numpy as np
from scipy.stats import norm

rng = np.random.default_rng(7)
CELL = 500.0
BAND = 2.5 * CELL
SQ3 = math.sqrt(3.0)


def hex_cell(x, y):
    rf = y / (CELL * SQ3 / 2)
    qf = x / CELL - rf / 2
    sf = -qf - rf
    q, r, s = [math.floor(v + 0.5) if v >= 0 else -math.floor(-v + 0.5) for v in (qf, rf, sf)]  # half away from 0
    dq, dr, ds = abs(q - qf), abs(r - rf), abs(s - sf)
    if dq > dr and dq > ds:
        q = -r - s
    elif dr > ds:
        r = -q - s
    return int(q), int(r)


def centre(q, r):
    return CELL * (q + r / 2), CELL * SQ3 / 2 * r


def fdr_bins(z, p):
    m = len(p)
    order = np.sort(p)
    def cutoff(a):
        ok = [order[k] for k in range(m) if order[k] <= (k + 1) * a / m]
        return max(ok) if ok else -1.0
    c = [cutoff(0.01), cutoff(0.05), cutoff(0.10)]
    out = []
    for zi, pi in zip(z, p):
        lvl = 3 if pi <= c[0] else 2 if pi <= c[1] else 1 if pi <= c[2] else 0
        out.append(0 if zi == 0 else (lvl if zi > 0 else -lvl))
    return out


def gistar(coords, y):
    w = libpysal.weights.DistanceBand(coords, threshold=BAND, binary=True, silence_warnings=True)
    g = esda.G_Local(np.asarray(y, dtype=float), w, transform="B", star=True, permutations=0)
    return g.Zs, g.p_norm


# Incidents: a few hot neighbourhoods over a sparse background, 437 km E / 6071 km N like UTM 36N.
pts = np.vstack([
    rng.normal((437000, 6071000), 400, size=(700, 2)),
    rng.normal((441000, 6069000), 900, size=(500, 2)),
    rng.normal((433000, 6075000), 250, size=(200, 2)),
    rng.uniform((425000, 6060000), (450000, 6085000), size=(900, 2)),
])
with open("gistar_points.csv", "w") as f:
    f.write(f"# cell_size={CELL!r} band={BAND!r}\n")
    for x, y in pts:
        f.write(f"{float(x)!r},{float(y)!r}\n")

counts = {}
for x, y in pts:
    c = hex_cell(x, y)
    counts[c] = counts.get(c, 0) + 1

for sel in ("occupied", "neighbours"):
    cells = dict(counts)
    if sel == "neighbours":
        reach = int(math.ceil(BAND / CELL)) + 1
        for (q, r) in list(counts):
            cx, cy = centre(q, r)
            for dr in range(-reach, reach + 1):
                for dq in range(-reach, reach + 1):
                    o = (q + dq, r + dr)
                    if o in cells:
                        continue
                    ox, oy = centre(*o)
                    if (ox - cx) ** 2 + (oy - cy) ** 2 <= BAND * BAND:
                        cells[o] = 0
    keys = sorted(cells, key=lambda c: (c[1], c[0]))
    coords = np.array([centre(q, r) for q, r in keys])
    y = [cells[k] for k in keys]
    z, p1 = gistar(coords, y)
    bins = fdr_bins(z, 2 * norm.sf(np.abs(z)))
    with open(f"gistar_bins_{sel}.csv", "w") as f:
        f.write(f"# cell_size={CELL!r} band={BAND!r} esda={esda.__version__} libpysal={libpysal.__version__}\n")
        for (q, r), c, zi, pi, b in zip(keys, y, z, p1, bins):
            f.write(f"{q},{r},{c},{float(zi)!r},{float(pi)!r},{b}\n")
    print(sel, len(keys), "bins; classes", {k: bins.count(k) for k in sorted(set(bins))})

# Irregular locations (not a grid) with skewed values.
loc = rng.uniform(0, 20000, size=(3000, 2))
val = rng.poisson(np.where(np.hypot(loc[:, 0] - 6000, loc[:, 1] - 14000) < 3000, 6, 1))
z, p1 = gistar(loc, val)
with open("gistar_scatter.csv", "w") as f:
    f.write(f"# band={BAND!r}\n")
    for (x, y), v, zi, pi in zip(loc, val, z, p1):
        f.write(f"{float(x)!r},{float(y)!r},{int(v)},{float(zi)!r},{float(pi)!r}\n")
print("scatter", len(loc))
