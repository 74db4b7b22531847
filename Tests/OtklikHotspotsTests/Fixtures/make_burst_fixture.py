#!/usr/bin/env python3
"""Synthetic complaints with report days for the burst-test reference (SignificanceTests.swift).

Run from the repository root:

    python3 Tests/OtklikHotspotsTests/Fixtures/make_burst_fixture.py > Tests/OtklikHotspotsTests/Fixtures/burst_points.csv
    python3 Benchmarks/peers/burst_reference.py Tests/OtklikHotspotsTests/Fixtures/burst_points.csv --replicas 200000 --seed 1 \
        > Tests/OtklikHotspotsTests/Fixtures/burst_expected.csv

A 6 x 6 km region in UTM-like metres over two years (730 days): a dense town whose complaints come at random days,
so DBSCAN finds chance clusters with chance episodes; a busy market square whose centre has a street-light
complaint now and then and nine within three days once (a burst the place test cannot see); a pothole place in
the countryside with three episodes; and twelve street-light complaints at one place spread evenly over the two
years (many complaints, no burst). Needs numpy.
"""
import numpy as np

rng = np.random.default_rng(2026)
X0, Y0 = 500_000.0, 6_000_000.0
CODES = ["road.pothole", "waste.container_site", "lighting.street"]
SHARES = [0.4, 0.35, 0.25]
pts = []


def add(x, y, day, code):
    pts.append((round(float(x), 3), round(float(y), 3), round(float(day), 4), str(code)))


for _ in range(1400):
    add(X0 + 2000 + rng.uniform() * 2000, Y0 + 2000 + rng.uniform() * 2000, rng.uniform() * 730,
        rng.choice(CODES, p=SHARES))
for _ in range(250):
    add(X0 + rng.uniform() * 6000, Y0 + rng.uniform() * 6000, rng.uniform() * 730, rng.choice(CODES, p=SHARES))
# A busy market square in the town (potholes and container sites within 250 m, at random days), and at its
# centre the burst: nine street-light complaints within three days around day 400, and four more scattered over
# the two years. Against the market's background the place itself is unremarkable.
for _ in range(400):
    r, a = 250 * np.sqrt(rng.uniform()), rng.uniform() * 2 * np.pi
    add(X0 + 2600 + r * np.cos(a), Y0 + 3300 + r * np.sin(a), rng.uniform() * 730,
        rng.choice(["road.pothole", "waste.container_site"]))
for _ in range(9):
    add(X0 + 2600 + rng.normal() * 15, Y0 + 3300 + rng.normal() * 15, 400 + rng.uniform() * 3, "lighting.street")
for d in (60, 250, 520, 690):
    add(X0 + 2600 + rng.normal() * 15, Y0 + 3300 + rng.normal() * 15, d + rng.uniform(), "lighting.street")
# Three pothole episodes of four in the countryside.
for start in (100, 300, 600):
    for _ in range(4):
        add(X0 + 5200 + rng.normal() * 10, Y0 + 900 + rng.normal() * 10, start + rng.uniform() * 5, "road.pothole")
# Twelve street-light complaints at one place, one every two months.
for k in range(12):
    add(X0 + 700 + rng.normal() * 15, Y0 + 5200 + rng.normal() * 15, 20 + 60 * k + rng.uniform() * 5,
        "lighting.street")

order = rng.permutation(len(pts))
print("# min_points=3 quiet_gap=14 min_episode=2 eps=road.pothole:60,waste.container_site:40,lighting.street:100")
print("# python3 Tests/OtklikHotspotsTests/Fixtures/make_burst_fixture.py (seed 2026)")
print("id,x,y,day,category")
for new_id, i in enumerate(order, start=1):
    x, y, d, c = pts[i]
    print(f"{new_id},{x!r},{y!r},{d!r},{c}")
