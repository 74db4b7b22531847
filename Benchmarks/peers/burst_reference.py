#!/usr/bin/env python3
"""Reference numbers for the burst test of OtklikHotspots (BurstStatistic.swift), computed independently with numpy.

Usage (from the repository root):

    python3 Benchmarks/peers/burst_reference.py POINTS_CSV [--replicas R] [--seed S] > EXPECTED_CSV

POINTS_CSV: a header line "# min_points=<k> quiet_gap=<days> min_episode=<k> eps=<code>:<m>,..." then
id,x,y,day,category rows (metres; days since a fixed instant). For every category: plain DBSCAN as in
scan_reference.py, then for each cluster:

    episodes   = the members sorted by (day, id), cut where the gap to the previous report is >= quiet_gap;
                 runs of at least min_episode complaints
    window     = the largest episode (the later of equal ones), from its first report - quiet_gap / 2 to its
                 last report + quiet_gap / 2, both ends included
    share      = the category's complaints (the whole run) reported in the window / N_category
                 (no burst test when the window holds all of them)
    E          = O * share                       (O: the cluster's complaints; Kulldorff 2005, n_zone n_time / N)
    LLR        = c ln(c/E) + (N - c) ln((N - c)/(N - E)) if c > E else 0   (c: the episode's complaints)

and the Monte Carlo p-value: the fraction (1 + replicas whose largest statistic is >= the cluster's) / (R + 1),
where a replica draws each window's count from Binomial(O, share) conditioned on >= min_episode (by inverting
the conditional pmf) and the statistic is LLR(count) - LLR(min_episode), for the replicas and the cluster alike.
Output: CSV, one row per cluster with a burst test: id (lowest member id), category, zone (O), observed (c),
share, expected, llr, p; floats round-trip exactly. Python runs only to make the fixture.
"""
import math
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from scan_reference import dbscan, read_fixture  # noqa: E402


def llr(c, e, n):
    if c <= e:
        return 0.0
    inside = c * math.log(c / e)
    if c >= n:
        return inside
    return inside + (n - c) * math.log((n - c) / (n - e))


def read(path):
    params, rows = read_fixture(path)
    points = [(int(i), float(x), float(y), float(d), c) for i, x, y, d, c in rows]
    return int(params["min_points"]), float(params["quiet_gap"]), int(params["min_episode"]), params["eps"], points


def main():
    args = sys.argv[1:]
    replicas, seed = 20000, 1
    if "--replicas" in args:
        replicas = int(args[args.index("--replicas") + 1])
    if "--seed" in args:
        seed = int(args[args.index("--seed") + 1])
    min_points, gap, min_episode, eps, rows = read(args[0])
    rng = np.random.default_rng(seed)
    print(f"# python3 Benchmarks/peers/burst_reference.py {args[0]} --replicas {replicas} --seed {seed} "
          f"(numpy {np.__version__})")
    print("id,category,zone,observed,share,expected,llr,p")
    for code in sorted(eps):
        members = sorted([r for r in rows if r[4] == code], key=lambda r: r[0])
        if not members:
            continue
        n = len(members)
        x = np.array([r[1] for r in members])
        y = np.array([r[2] for r in members])
        days = np.sort(np.array([r[3] for r in members]))
        labels = dbscan(x, y, eps[code], min_points)
        windows = []
        for label in range(labels.max() + 1):
            cluster = sorted([members[i] for i in range(n) if labels[i] == label], key=lambda r: (r[3], r[0]))
            runs, run = [], [cluster[0]]
            for r in cluster[1:]:
                if r[3] - run[-1][3] < gap:
                    run.append(r)
                else:
                    runs.append(run)
                    run = [r]
            runs.append(run)
            episodes = [r for r in runs if len(r) >= min_episode]
            if not episodes:
                continue
            best = None
            for e in episodes:
                if best is None or len(e) >= len(best):
                    best = e
            start, end = best[0][3] - gap / 2, best[-1][3] + gap / 2
            inside = int(((days >= start) & (days <= end)).sum())
            if inside >= n:
                continue
            share = inside / n
            zone = len(cluster)
            e = zone * share
            windows.append((min(r[0] for r in cluster), zone, len(best), share, e, llr(len(best), e, n)))
        if not windows:
            continue
        # Replicas: each window's count ~ Binomial(zone, share) given >= min_episode, by inverting the pmf.
        maxima = np.zeros(replicas)
        for (_, zone, _, share, e, _) in windows:
            m = min(min_episode, zone)
            ks = np.arange(m, zone + 1)
            logpmf = np.array([math.lgamma(zone + 1) - math.lgamma(k + 1) - math.lgamma(zone - k + 1)
                               + k * math.log(share) + (zone - k) * math.log1p(-share) for k in ks])
            pmf = np.exp(logpmf - logpmf.max())
            cdf = np.cumsum(pmf / pmf.sum())
            draws = ks[np.minimum(np.searchsorted(cdf, rng.uniform(size=replicas), side="left"), len(ks) - 1)]
            base = llr(m, e, n)
            stat = np.array([llr(int(k), e, n) - base for k in ks])
            maxima = np.maximum(maxima, stat[draws - m])
        for (ident, zone, c, share, e, value) in windows:
            m = min(min_episode, zone)
            observed = value - llr(m, e, n)
            p = (1 + int((maxima >= observed - 1e-12).sum())) / (replicas + 1)
            print(f"{ident},{code},{zone},{c},{share!r},{e!r},{value!r},{p!r}")


if __name__ == "__main__":
    main()
