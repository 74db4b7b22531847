#!/usr/bin/env python3
"""Reference ST-DBSCAN labels: scikit-learn DBSCAN on a precomputed sparse neighbourhood graph.

Run from this folder:  python3 make_stdbscan_fixture.py
Needs: pip install scikit-learn scipy numpy

Two points are neighbours when their Euclidean distance is <= eps AND their times differ by <= window.
The graph holds, for every such pair, its distance (and 0 on the diagonal), so DBSCAN(metric='precomputed')
applies exactly the core/cluster/border rules of the spatial case. Random real-valued data: no exact ties.
Output stdbscan.csv: header with eps, window, min_samples; rows x,y,t,label,core.
"""
import numpy as np
import scipy.sparse as sp
import sklearn
from scipy.spatial import cKDTree
from sklearn.cluster import DBSCAN

rng = np.random.default_rng(3)
EPS, WINDOW, M = 40.0, 30 * 86400.0, 4
sites = rng.uniform(0, 3000, size=(25, 2))
rows = []
for s in sites:
    for season in range(int(rng.integers(1, 4))):          # each site flares up in 1-3 seasons
        t0 = rng.uniform(0, 3 * 365 * 86400)
        k = int(rng.integers(3, 25))
        xy = rng.normal(s, 15, size=(k, 2))
        t = t0 + rng.uniform(0, 40 * 86400, size=k)
        rows += [(a, b, c) for (a, b), c in zip(xy, t)]
rows += [(a, b, c) for a, b, c in zip(rng.uniform(0, 3000, 600), rng.uniform(0, 3000, 600),
                                      rng.uniform(0, 3 * 365 * 86400, 600))]
rows = np.array(rows)
rng.shuffle(rows)
X = rows[:, :2]
T = rows[:, 2]
n = len(rows)
pairs = cKDTree(X).query_pairs(EPS * 1.001, output_type="ndarray")
i, j = pairs[:, 0], pairs[:, 1]
d2 = ((X[i] - X[j]) ** 2).sum(axis=1)
keep = (d2 <= EPS * EPS) & (np.abs(T[i] - T[j]) <= WINDOW)
i, j, d = i[keep], j[keep], np.sqrt(d2[keep])
# sklearn tests `distance <= eps` on the stored values: store eps exactly for pairs that pass the squared test
# so rounding in sqrt cannot move a pair across the border.
d = np.minimum(d, EPS)
G = sp.csr_matrix((np.concatenate([d, d, np.zeros(n)]),
                   (np.concatenate([i, j, np.arange(n)]), np.concatenate([j, i, np.arange(n)]))), shape=(n, n))
db = DBSCAN(eps=EPS, min_samples=M, metric="precomputed").fit(G)
core = np.zeros(n, dtype=int)
core[db.core_sample_indices_] = 1
with open("stdbscan.csv", "w") as f:
    f.write(f"# eps={EPS!r} window={WINDOW!r} min_samples={M} sklearn={sklearn.__version__} metric=precomputed\n")
    for (x, y, t), l, c in zip(rows, db.labels_, core):
        f.write(f"{float(x)!r},{float(y)!r},{float(t)!r},{int(l)},{int(c)}\n")
print(n, "points,", db.labels_.max() + 1, "clusters,", (db.labels_ == -1).sum(), "noise")
