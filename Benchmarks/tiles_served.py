#!/usr/bin/env python3
"""Served incident tiles on a real database, for Benchmarks/tiles.sh.

  tiles_served.py export DB OUTDIR   writes OUTDIR/points.csv (the database's incidents in the PostGIS peer's
                                     format) and OUTDIR/tiles.csv: 1,000 distinct tiles at z8-z14 that hold
                                     sampled incidents, zooms in turn, fixed seed
  tiles_served.py time HOST PORT TILES
                                     requests every tile from a running `otklik serve` once with its tile cache
                                     empty (cold), then again (warm), one keep-alive connection; prints JSON
"""
import csv, http.client, json, math, random, sqlite3, sys, time


def tile_of(lon, lat, z):
    n = 2 ** z
    x = int((lon + 180.0) / 360.0 * n)
    s = math.sin(math.radians(lat))
    y = int((0.5 - math.log((1 + s) / (1 - s)) / (4 * math.pi)) * n)
    return z, min(max(x, 0), n - 1), min(max(y, 0), n - 1)


def export(db, out):
    con = sqlite3.connect(db)
    rows = con.execute("SELECT id, lon, lat, category, status, substr(reported_at, 1, 10), coalesce(settlement, ''), "
                       "coalesce(district, '') FROM incidents ORDER BY id").fetchall()
    with open(f"{out}/points.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "lon", "lat", "category", "status", "date", "settlement", "district"])
        w.writerows(rows)
    rng = random.Random(1000)
    tiles, seen, attempt = [], set(), 0
    while len(tiles) < 1000 and attempt < 1_000_000:
        _, lon, lat = rows[rng.randrange(len(rows))][:3]
        t = tile_of(lon, lat, 8 + attempt % 7)
        attempt += 1
        if t not in seen:
            seen.add(t)
            tiles.append(t)
    with open(f"{out}/tiles.csv", "w") as f:
        f.write("z,x,y\n" + "".join(f"{z},{x},{y}\n" for z, x, y in tiles))
    print(len(rows))


def pct(values, p):
    v = sorted(values)
    return v[min(len(v) - 1, int(round(p * (len(v) - 1))))]


def timed(host, port, tiles_csv):
    tiles = [(int(r["z"]), int(r["x"]), int(r["y"])) for r in csv.DictReader(open(tiles_csv))]
    conn = http.client.HTTPConnection(host, port)

    def one_pass():
        times, inside, sizes = [], [], {}
        for z, x, y in tiles:
            t0 = time.perf_counter()
            conn.request("GET", f"/tiles/incidents/{z}/{x}/{y}.mvt")
            r = conn.getresponse()
            body = r.read()
            times.append((time.perf_counter() - t0) * 1000)
            if r.status not in (200, 204):
                sys.exit(f"tile {z}/{x}/{y}: HTTP {r.status}")
            # Server-Timing: tile;desc=miss;dur=1.234 (the server's own time for the tile)
            timing = r.getheader("Server-Timing") or ""
            inside.append(float(timing.rsplit("dur=", 1)[1]) if "dur=" in timing else float("nan"))
            sizes.setdefault(z, []).append(len(body))
        return times, inside, sizes

    cold, cold_inside, sizes = one_pass()
    warm, warm_inside, _ = one_pass()
    print(json.dumps({
        "tiles": len(tiles),
        "cold_median_ms": pct(cold, 0.5), "cold_p99_ms": pct(cold, 0.99),
        "warm_median_ms": pct(warm, 0.5), "warm_p99_ms": pct(warm, 0.99),
        "cold_server_median_ms": pct(cold_inside, 0.5), "cold_server_p99_ms": pct(cold_inside, 0.99),
        "warm_server_median_ms": pct(warm_inside, 0.5),
        "bytes_by_zoom": {str(z): round(sum(v) / len(v)) for z, v in sorted(sizes.items())},
    }))


if __name__ == "__main__":
    if sys.argv[1] == "export":
        export(sys.argv[2], sys.argv[3])
    else:
        timed(sys.argv[2], int(sys.argv[3]), sys.argv[4])
