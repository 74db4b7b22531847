#!/usr/bin/env python3
"""Reference DBSCAN labels for the real 311 complaints in ../shared/data (not copied into the repository).

Run from this folder:
  python3 make_real311_fixture.py ../../../../shared/data/complaints/complaints_unified.csv.gz
Needs: pip install scikit-learn numpy

Only labels, core flags and a hash of the projected coordinates are committed (dbscan_real311.txt); the Swift
test reads the shared CSV itself, projects it the same way, checks the hash (so both sides saw identical
coordinates, bit for bit) and compares its labels.

Projection, identical in the Swift test: per source a fixed reference (lat0, lon0) = the mean of that source's
coordinates rounded to 0.01 degree (written into the fixture), R = 6371008.8, k = pi / 180,
  ax = (R * k) * cos(lat0 * k);  ay = R * k;  x = (lon - lon0) * ax;  y = (lat - lat0) * ay
with math.cos (the C library's cos, as Glibc.cos in Swift) and scalar float arithmetic in that order.
Groups are (source, category) in file order; groups with fewer than 30 rows are skipped.
Hash: FNV-1a 64 over the little-endian IEEE bytes of x then y of each point, in group order.
"""
import csv
import gzip
import io
import math
import sys

import numpy as np
import sklearn
from sklearn.cluster import DBSCAN

R = 6371008.8
K = math.pi / 180
CONFIGS = [(50.0, 3), (150.0, 5)]


def fnv1a(values):
    h = 0xCBF29CE484222325
    for v in values:
        for b in np.float64(v).tobytes():   # little-endian on x86_64
            h ^= b
            h = (h * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


def main(path):
    rows = list(csv.DictReader(io.TextIOWrapper(gzip.open(path), encoding="utf-8", newline="")))
    by_source = {}
    for r in rows:
        by_source.setdefault(r["source"], []).append(r)
    out = [f"# sklearn={sklearn.__version__} algorithm=ball_tree rows={len(rows)}"]
    for source in sorted(by_source):
        srows = by_source[source]
        lat0 = round(sum(float(r["lat"]) for r in srows) / len(srows), 2)
        lon0 = round(sum(float(r["lon"]) for r in srows) / len(srows), 2)
        ax = (R * K) * math.cos(lat0 * K)
        ay = R * K
        groups = {}
        for r in srows:
            groups.setdefault(r["category"], []).append(r)
        for cat in sorted(groups):
            g = groups[cat]
            if len(g) < 30:
                continue
            xs = [(float(r["lon"]) - lon0) * ax for r in g]
            ys = [(float(r["lat"]) - lat0) * ay for r in g]
            inter = []
            for x, y in zip(xs, ys):
                inter += [x, y]
            X = np.column_stack([xs, ys])
            for eps, m in CONFIGS:
                db = DBSCAN(eps=eps, min_samples=m, algorithm="ball_tree").fit(X)
                core = np.zeros(len(X), dtype=int)
                core[db.core_sample_indices_] = 1
                n_cl = len(set(db.labels_)) - (1 if -1 in db.labels_ else 0)
                out.append(f"group source={source} category={cat} lat0={lat0!r} lon0={lon0!r} eps={eps!r} "
                           f"min_samples={m} n={len(X)} clusters={n_cl} hash={fnv1a(inter):016x}")
                out.append(",".join(str(int(l)) for l in db.labels_))
                out.append("".join(str(int(c)) for c in core))
                print(out[-3], file=sys.stderr)
    with open("dbscan_real311.txt", "w") as f:
        f.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main(sys.argv[1])
