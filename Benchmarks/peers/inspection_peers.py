#!/usr/bin/env python3
"""Peers for the inspection bench: OR-Tools routing (GUIDED_LOCAL_SEARCH, 1 s) and LKH through elkai, on the
same TSPLIB instances and distance functions as `otklik-bench inspection`.

usage: inspection_peers.py TSPLIB_DIR [--max-nodes 1000] [--only a,b] [--seconds 1] [--lkh-runs 1] --json OUT
Prints nothing on stdout except progress on stderr; writes one JSON list of rows.
"""
import argparse
import csv
import json
import math
import sys
import time


def read_tsp(path):
    meta, coords, fixed = {}, [], []
    section = None
    with open(path) as f:
        for raw in f:
            line = raw.strip()
            if not line or line == "EOF":
                continue
            if line.startswith("NODE_COORD_SECTION"):
                section = "coords"
                continue
            if line.startswith("FIXED_EDGES_SECTION"):
                section = "fixed"
                continue
            if section == "coords":
                parts = line.split()
                if len(parts) >= 3:
                    coords.append((float(parts[1]), float(parts[2])))
                    continue
                section = None
            if section == "fixed":
                ids = [int(t) for t in line.split()]
                if ids == [-1]:
                    section = None
                else:
                    fixed.append((ids[0] - 1, ids[1] - 1))
                continue
            if ":" in line:
                k, v = line.split(":", 1)
                meta[k.strip().upper()] = v.strip()
    return meta["EDGE_WEIGHT_TYPE"], coords, fixed


def geo_rad(x):
    deg = math.trunc(x)
    return 3.141592 * (deg + 5.0 * (x - deg) / 3.0) / 180.0


def dist(kind, a, b):
    """TSPLIB95 distance functions (nint for EUC_2D, ceiling, ATT pseudo-Euclidean, GEO with RRR = 6378.388)."""
    if kind == "GEO":
        la1, lo1, la2, lo2 = geo_rad(a[0]), geo_rad(a[1]), geo_rad(b[0]), geo_rad(b[1])
        q1, q2, q3 = math.cos(lo1 - lo2), math.cos(la1 - la2), math.cos(la1 + la2)
        return int(6378.388 * math.acos(0.5 * ((1.0 + q1) * q2 - (1.0 - q1) * q3)) + 1.0)
    dx, dy = a[0] - b[0], a[1] - b[1]
    if kind == "EUC_2D":
        return int(math.sqrt(dx * dx + dy * dy) + 0.5)
    if kind == "CEIL_2D":
        return int(math.ceil(math.sqrt(dx * dx + dy * dy)))
    if kind == "ATT":
        r = math.sqrt((dx * dx + dy * dy) / 10.0)
        t = int(r + 0.5)
        return t + 1 if t < r else t
    raise ValueError(kind)


def matrix_for(kind, coords, fixed):
    """The instance's matrix; a fixed edge (linhp318) becomes a dummy node at 0 from both its ends and at a
    prohibitive cost from all others, so the tour is the Hamiltonian path between them (plus 0)."""
    n = len(coords)
    m = [[dist(kind, coords[i], coords[j]) for j in range(n)] for i in range(n)]
    if fixed:
        (a, b), = fixed
        big = max(max(r) for r in m) * (n + 1)
        for i in range(n):
            m[i].append(0 if i in (a, b) else big)
        m.append([0 if i in (a, b) else big for i in range(n)] + [0])
    return m


def objective(kind, coords, fixed, tour):
    """Tour length without the dummy: for linhp318 the path length, which is what TSPLIB lists."""
    n = len(coords)
    if fixed:
        k = tour.index(n)
        path = tour[k + 1:] + tour[:k]
        return sum(dist(kind, coords[path[i]], coords[path[i + 1]]) for i in range(len(path) - 1))
    return sum(dist(kind, coords[tour[i]], coords[tour[(i + 1) % n]]) for i in range(n))


def ortools_tour(m, seconds):
    from ortools.constraint_solver import pywrapcp, routing_enums_pb2
    n = len(m)
    manager = pywrapcp.RoutingIndexManager(n, 1, 0)
    routing = pywrapcp.RoutingModel(manager)
    # The matrix is handed over whole so that the search does not call back into Python for every arc.
    if hasattr(routing, "RegisterTransitMatrix"):
        cb = routing.RegisterTransitMatrix(m)
    else:
        cb = routing.RegisterTransitCallback(lambda i, j: m[manager.IndexToNode(i)][manager.IndexToNode(j)])
    routing.SetArcCostEvaluatorOfAllVehicles(cb)
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC
    params.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    params.time_limit.FromMilliseconds(int(seconds * 1000))
    sol = routing.SolveWithParameters(params)
    if sol is None:
        raise RuntimeError("no solution within the time limit")
    tour, idx = [], routing.Start(0)
    while not routing.IsEnd(idx):
        tour.append(manager.IndexToNode(idx))
        idx = sol.Value(routing.NextVar(idx))
    return tour


def lkh_tour(m, runs):
    import elkai
    tour = elkai.DistanceMatrix(m).solve_tsp(runs=runs)
    return tour[:-1]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--max-nodes", type=int, default=1000)
    ap.add_argument("--only", default="")
    ap.add_argument("--seconds", type=float, default=1.0)
    ap.add_argument("--lkh-runs", type=int, default=1)
    ap.add_argument("--json", required=True)
    a = ap.parse_args()
    only = set(filter(None, a.only.split(",")))
    rows = []
    with open(f"{a.dir}/optimal_lengths.csv") as f:
        for r in csv.DictReader(f):
            n = int(r["dimension"])
            if n > a.max_nodes or (only and r["name"] not in only):
                continue
            try:
                kind, coords, fixed = read_tsp(f"{a.dir}/{r['name']}.tsp")
            except FileNotFoundError:
                continue
            m = matrix_for(kind, coords, fixed)
            row = {"name": r["name"], "n": n, "optimum": float(r["optimal_length"])}
            try:
                t = time.perf_counter()
                row["ortools"] = objective(kind, coords, fixed, ortools_tour(m, a.seconds))
                row["ortools_ms"] = (time.perf_counter() - t) * 1000
            except (ImportError, RuntimeError) as e:
                row["ortools_error"] = str(e)
            try:
                t = time.perf_counter()
                row["lkh"] = objective(kind, coords, fixed, lkh_tour(m, a.lkh_runs))
                row["lkh_ms"] = (time.perf_counter() - t) * 1000
            except ImportError as e:
                row["lkh_error"] = str(e)
            print(r["name"], row.get("ortools"), row.get("lkh"), file=sys.stderr)
            rows.append(row)
    with open(a.json, "w") as f:
        json.dump(rows, f)


if __name__ == "__main__":
    main()
