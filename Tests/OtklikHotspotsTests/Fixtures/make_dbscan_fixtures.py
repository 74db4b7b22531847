#!/usr/bin/env python3
"""Reference DBSCAN labels from scikit-learn for OtklikHotspotsTests.

Run from this folder:  python3 make_dbscan_fixtures.py
Needs: pip install scikit-learn numpy

Each scenario is written as dbscan_<name>.csv with a header line
  # eps=<eps> min_samples=<m> sklearn=<version> algorithm=ball_tree
followed by rows  x,y,label,core  (x and y in repr form, so they round-trip exactly).
Coordinates are metres in a projected CRS (UTM-like magnitudes in some scenarios). The script checks that
kd_tree and brute-force neighbourhoods give the same labels before writing, so the fixture does not depend on
one tree's rounding.
"""
import numpy as np
import sklearn
from sklearn.cluster import DBSCAN


def run(X, eps, m):
    ref = DBSCAN(eps=eps, min_samples=m, algorithm="ball_tree").fit(X)
    for algo in ("kd_tree",):
        other = DBSCAN(eps=eps, min_samples=m, algorithm=algo).fit(X)
        assert (other.labels_ == ref.labels_).all(), f"{algo} disagrees with ball_tree"
    core = np.zeros(len(X), dtype=int)
    core[ref.core_sample_indices_] = 1
    return ref.labels_, core


def write(name, X, eps, m):
    labels, core = run(X, eps, m)
    with open(f"dbscan_{name}.csv", "w") as f:
        f.write(f"# eps={eps!r} min_samples={m} sklearn={sklearn.__version__} algorithm=ball_tree\n")
        for (x, y), l, c in zip(X, labels, core):
            f.write(f"{float(x)!r},{float(y)!r},{int(l)},{int(c)}\n")
    n_clusters = len(set(labels)) - (1 if -1 in labels else 0)
    print(f"{name}: n={len(X)} clusters={n_clusters} noise={(labels == -1).sum()} core={core.sum()}")


rng = np.random.default_rng(20261129)

# 1. Gaussian blobs of different spreads at UTM-like magnitudes, plus uniform background noise.
centres = rng.uniform([430000, 6060000], [450000, 6080000], size=(14, 2))
parts = []
for i, c in enumerate(centres):
    sigma = [8, 15, 30, 60][i % 4]
    parts.append(rng.normal(c, sigma, size=(int(rng.integers(60, 400)), 2)))
parts.append(rng.uniform([430000, 6060000], [450000, 6080000], size=(1500, 2)))
blobs = np.vstack(parts)
rng.shuffle(blobs)
write("blobs", blobs, 40.0, 5)

# 2. Border cases on an exact lattice: distances equal to eps exactly (integer coordinates, eps integral),
#    border points shared by two clusters, chains, duplicates and isolated points.
pts = []
for gx in range(0, 12):                      # 12x6 block at spacing exactly eps: neighbours at d == eps
    for gy in range(0, 6):
        pts.append((gx * 10.0, gy * 10.0))
for gx in range(0, 12):                      # second block 30 m away: not linked
    for gy in range(0, 6):
        pts.append((gx * 10.0, 90.0 + gy * 10.0))
# A bridge point exactly eps from both blocks' edges: non-core (only 3 in its neighbourhood with m=5),
# reachable from both clusters, so it takes the cluster numbered first.
pts.append((55.0, 70.0))
pts.append((55.0, 80.0))
# Two small triangles of cores and one shared border point between them.
for base in (200.0, 240.0):
    pts += [(base, 0.0), (base + 1.0, 0.0), (base, 1.0), (base + 1.0, 1.0), (base + 0.5, 0.5)]
pts.append((220.5, 0.5))                     # 19.5 m from each: noise at eps=10
pts.append((211.0, 0.5))                     # 10 m from (201, 0.5)? no: within eps of cluster A only
pts.append((230.0, 0.0))                     # 10 m from (240,0) and from nothing in A (29 m)
# Duplicates: 6 identical points (core at m=5) and a pair of identical points (noise).
pts += [(500.0, 500.0)] * 6 + [(700.0, 700.0)] * 2
# A chain spaced exactly eps: only the inner links have 3 neighbours.
pts += [(1000.0 + 10.0 * k, 1000.0) for k in range(15)]
lattice = np.array(pts)
perm = rng.permutation(len(lattice))       # shuffle so cluster numbering depends on index order
write("borders_m5", lattice[perm], 10.0, 5)
write("borders_m3", lattice[perm], 10.0, 3)
write("borders_m1", lattice[perm], 10.0, 1)

# 3. Exact ties at large magnitudes: half-metre lattice near UTM coordinates, eps = 0.5 exactly.
big = np.array([(437000.0 + 0.5 * i, 6071000.0 + 0.5 * j) for i in range(30) for j in range(20)
                if rng.random() < 0.7])
write("utm_ties", big, 0.5, 4)

# 4. Dense clusters bigger than one grid cell, touching each other through single border points.
dense = np.vstack([rng.normal((0, 0), 5, size=(800, 2)), rng.normal((45, 0), 5, size=(800, 2)),
                   rng.uniform(-30, 80, size=(400, 2))])
write("dense", dense, 3.0, 8)
