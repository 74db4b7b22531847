#!/usr/bin/env python3
"""Writes tilemath_golden.json: tile addresses, bounds and covering sets computed by `mercantile`.

Run: pip install mercantile && python3 Tests/OtklikTilesTests/Fixtures/make_tilemath_golden.py
"""
import json, os
import mercantile

HERE = os.path.dirname(os.path.abspath(__file__))
points = [(32.04, 54.78), (30.7, 53.3), (35.4, 56.1), (31.245, 54.855), (-73.98, 40.75), (151.2, -33.87), (0.0, 0.0)]
out = {"tiles": [], "bounds": [], "covering": []}
for lon, lat in points:
    for z in (0, 1, 5, 8, 12, 14, 16):
        t = mercantile.tile(lon, lat, z)
        out["tiles"].append({"lon": lon, "lat": lat, "z": z, "x": t.x, "y": t.y})
for t in [mercantile.Tile(301, 162, 9), mercantile.Tile(9650, 5199, 14), mercantile.Tile(0, 0, 0), mercantile.Tile(1, 0, 1)]:
    b = mercantile.bounds(t)
    xy = mercantile.xy_bounds(t)
    out["bounds"].append({"z": t.z, "x": t.x, "y": t.y, "west": b.west, "south": b.south, "east": b.east, "north": b.north,
                          "mx0": xy.left, "my0": xy.bottom, "mx1": xy.right, "my1": xy.top})
region = (30.7, 53.3, 35.4, 56.1)  # Smolensk Oblast
for z in (5, 6, 8, 10):
    tiles = sorted((t.x, t.y) for t in mercantile.tiles(*region, zooms=[z]))
    out["covering"].append({"z": z, "bbox": region, "count": len(tiles), "tiles": tiles if z <= 8 else []})
with open(os.path.join(HERE, "tilemath_golden.json"), "w") as f:
    json.dump(out, f, separators=(",", ":"))

# sosnovka.txt.gz, the gzip fixture, was written by Python's gzip module:
#   python3 -c "import gzip; open('sosnovka.txt.gz','wb').write(gzip.compress('Сосновка, Руднянский район: переполнена контейнерная площадка\n'.encode()*20, mtime=0))"
