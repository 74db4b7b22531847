#!/usr/bin/env python3
"""Peer for `otklik-bench hotspots`: PySAL Gi* on the hexagon bins Swift wrote.

usage: hotspots_gistar.py DIR BAND
Reads DIR/bins.f64 (x,y,value float64 triples) and DIR/gi_z.f64 (Swift's z-scores). Times libpysal
DistanceBand(binary) construction and esda G_Local(transform='B', star=True, permutations=0) separately, and
reports the largest |z_swift - z_esda|. Prints one JSON line.
"""
import json
import sys
import time

import esda
import libpysal
import numpy as np

d, band = sys.argv[1], float(sys.argv[2])
b = np.fromfile(f"{d}/bins.f64", dtype="<f8").reshape(-1, 3)
zs = np.fromfile(f"{d}/gi_z.f64", dtype="<f8")
t, c = time.perf_counter(), time.process_time()
w = libpysal.weights.DistanceBand(b[:, :2], threshold=band, binary=True, silence_warnings=True)
t_w, c_w = time.perf_counter() - t, time.process_time() - c
t, c = time.perf_counter(), time.process_time()
g = esda.G_Local(b[:, 2], w, transform="B", star=True, permutations=0)
t_g, c_g = time.perf_counter() - t, time.process_time() - c
print(json.dumps({"peer": "esda", "version": esda.__version__, "bins": len(b), "weights_seconds": t_w,
                  "gistar_seconds": t_g, "cpu_seconds": c_w + c_g, "max_abs_z_diff": float(np.nanmax(np.abs(g.Zs - zs)))}))
