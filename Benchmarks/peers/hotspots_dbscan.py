#!/usr/bin/env python3
"""Peer for `otklik-bench hotspots`: scikit-learn DBSCAN(algorithm='ball_tree') on the points Swift wrote.

usage: hotspots_dbscan.py DIR SUBSET EPS MIN_POINTS
Reads DIR/points.f64 (x,y float64 pairs), fits on the first SUBSET points (timed, wall and process CPU: fit only, from the in-memory
array to labels) and compares with DIR/labels_subset.i64 (Swift's labels for the same subset).
Prints one JSON line.
"""
import json
import sys
import time

import numpy as np
import sklearn
from sklearn.cluster import DBSCAN

d, subset, eps, m = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
pts = np.fromfile(f"{d}/points.f64", dtype="<f8").reshape(-1, 2)[:subset].copy()
swift = np.fromfile(f"{d}/labels_subset.i64", dtype="<i8")
t, c = time.perf_counter(), time.process_time()
db = DBSCAN(eps=eps, min_samples=m, algorithm="ball_tree").fit(pts)
secs, cpu = time.perf_counter() - t, time.process_time() - c
same = bool(len(swift) == len(db.labels_) and (swift == db.labels_).all())
print(json.dumps({"peer": "sklearn", "version": sklearn.__version__, "points": len(pts), "seconds": secs, "cpu_seconds": cpu,
                  "clusters": int(db.labels_.max() + 1), "labels_identical": same}))
