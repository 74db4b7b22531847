#!/usr/bin/env python3
"""Synthetic complaints for the scan-statistic reference test (ScanStatisticTests.swift).

Run from the repository root:

    python3 Tests/OtklikHotspotsTests/Fixtures/make_scan_fixture.py > Tests/OtklikHotspotsTests/Fixtures/scan_points.csv
    python3 Benchmarks/peers/scan_reference.py Tests/OtklikHotspotsTests/Fixtures/scan_points.csv --replicas 200000 --seed 1 \
        > Tests/OtklikHotspotsTests/Fixtures/scan_expected.csv

A 6 x 6 km region in UTM-like metres: a dense town (2 x 2 km, uniform, the same category shares as everywhere),
a sparse countryside, and planted places: a tight container-site cluster and a pothole cluster in the countryside,
five street-light complaints on a line (a segment footprint), and a busy container site in the town (large E, so
the sampler's conditional-binomial path runs). DBSCAN also finds chance clusters in the town: those give moderate
p-values to compare with the reference. Needs numpy.
"""
import numpy as np

rng = np.random.default_rng(2025)
X0, Y0 = 500_000.0, 6_000_000.0
CODES = ["road.pothole", "waste.container_site", "lighting.street"]
SHARES = [0.4, 0.35, 0.25]
pts = []


def add(x, y, code):
    pts.append((round(float(x), 3), round(float(y), 3), str(code)))


for _ in range(1200):
    add(X0 + 2000 + rng.uniform() * 2000, Y0 + 2000 + rng.uniform() * 2000, rng.choice(CODES, p=SHARES))
for _ in range(250):
    add(X0 + rng.uniform() * 6000, Y0 + rng.uniform() * 6000, rng.choice(CODES, p=SHARES))
for _ in range(8):
    add(X0 + 800 + rng.normal() * 8, Y0 + 5000 + rng.normal() * 8, "waste.container_site")
for _ in range(6):
    add(X0 + 5200 + rng.normal() * 10, Y0 + 900 + rng.normal() * 10, "road.pothole")
for k in range(5):
    add(X0 + 700 + 20 * k, Y0 + 700, "lighting.street")
for _ in range(80):
    r, a = 120 * np.sqrt(rng.uniform()), rng.uniform() * 2 * np.pi
    add(X0 + 3000 + r * np.cos(a), Y0 + 3000 + r * np.sin(a), "waste.container_site")

order = rng.permutation(len(pts))
print("# radius=2000 minimum=100 min_points=3 eps=road.pothole:60,waste.container_site:40,lighting.street:100")
print("# python3 Tests/OtklikHotspotsTests/Fixtures/make_scan_fixture.py (seed 2025)")
print("id,x,y,category")
for new_id, i in enumerate(order, start=1):
    x, y, c = pts[i]
    print(f"{new_id},{x!r},{y!r},{c}")
