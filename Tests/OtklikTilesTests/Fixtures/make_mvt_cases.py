#!/usr/bin/env python3
"""Writes mvt_cases.json: the inputs (CRS84) that the golden tile tests encode.

Run: python3 Tests/OtklikTilesTests/Fixtures/make_mvt_cases.py
Tile addresses come from `mercantile` (pip install mercantile), independently of our tile maths.
"""
import json, os, random
import mercantile

HERE = os.path.dirname(os.path.abspath(__file__))
rnd = random.Random(20261129)

def pts_in(bounds, n, start_id, cats=("pothole", "garbage_container", "illegal_dump")):
    out = []
    for i in range(n):
        lon = round(rnd.uniform(bounds.west + 1e-6, bounds.east - 1e-6), 6)
        lat = round(rnd.uniform(bounds.south + 1e-6, bounds.north - 1e-6), 6)
        out.append({"id": start_id + i, "lon": lon, "lat": lat, "category": cats[i % len(cats)],
                    "status": ["new", "in_progress", "resolved"][i % 3], "date": f"2026-0{1 + i % 9}-1{i % 10}",
                    "settlement": "Смоленск" if i % 4 else None, "district": "Смоленский район" if i % 5 else None})
    return out

cases = []
# Raw points at z14 in Smolensk, one in the east buffer, one far away (must be dropped).
t14 = mercantile.tile(32.04, 54.78, 14)
b14 = mercantile.bounds(t14)
points = pts_in(b14, 6, 100)
w = b14.east - b14.west
points.append({"id": 900, "lon": round(b14.east + w * 0.005, 7), "lat": round((b14.south + b14.north) / 2, 7),
               "category": "stray_animals", "status": "new", "date": "2026-11-01", "settlement": "Сосновка",
               "district": "Руднянский район"})
points.append({"id": 901, "lon": b14.east + w * 0.5, "lat": b14.north, "category": "pothole", "status": "new",
               "date": "2026-11-02", "settlement": None, "district": None})
cases.append({"name": "incidents_z14", "z": t14.z, "x": t14.x, "y": t14.y, "layer": "incidents", "points": points,
              "in_tile_ids": [p["id"] for p in points if mercantile.tile(p["lon"], p["lat"], 14) == t14],
              "buffer_ids": [900]})

# Grid clusters at z9: 300 points inside, 40 in the neighbour tile (never counted here).
t9 = mercantile.tile(32.04, 54.78, 9)
b9 = mercantile.bounds(t9)
inside = pts_in(b9, 300, 1000)
nb = mercantile.bounds(mercantile.Tile(t9.x + 1, t9.y, 9))
outside = pts_in(nb, 40, 5000)
cases.append({"name": "clusters_z9", "z": t9.z, "x": t9.x, "y": t9.y, "layer": "incidents", "points": inside + outside,
              "in_tile_count": sum(1 for p in inside + outside if mercantile.tile(p["lon"], p["lat"], 9) == t9)})

# Polygons at z12: a square with a hole given clockwise (wrong for GeoJSON), a ring across the west edge,
# a district larger than the tile, a sliver that quantises away.
t12 = mercantile.tile(32.04, 54.78, 12)
b = mercantile.bounds(t12)
W, H = b.east - b.west, b.north - b.south
def at(fx, fy):
    return [round(b.west + fx * W, 7), round(b.south + fy * H, 7)]
square_cw = [at(.2, .2), at(.2, .6), at(.6, .6), at(.6, .2), at(.2, .2)]
hole_ccw = [at(.3, .3), at(.5, .3), at(.5, .5), at(.3, .5), at(.3, .3)]
edge = [at(-.3, .7), at(.15, .7), at(.15, .9), at(-.3, .9), at(-.3, .7)]
big = [at(-1, -1), at(2, -1), at(2.1, 2), at(-1, 2.2), at(-1, -1)]
sliver = [at(.8, .8), at(.80001, .8), at(.80001, .80001), at(.8, .8)]
cases.append({"name": "polygons_z12", "z": t12.z, "x": t12.x, "y": t12.y, "layer": "hotspots", "polygons": [
    {"kind": "hotspot", "id": 7, "rings": [square_cw, hole_ccw], "score": 0.87, "recurring": True,
     "category": "garbage_container", "count": 23, "open_count": 9, "settlement": "Сосновка"},
    {"kind": "hotspot", "id": 8, "rings": [edge], "score": 0.5, "recurring": False,
     "category": "pothole", "count": 4, "open_count": 4, "settlement": None},
    {"kind": "hotspot", "id": 9, "rings": [sliver], "score": 0.1, "recurring": False,
     "category": "pothole", "count": 1, "open_count": 1, "settlement": None},
]})
cases.append({"name": "districts_z12", "z": t12.z, "x": t12.x, "y": t12.y, "layer": "districts", "polygons": [
    {"kind": "district", "id": 3, "rings": [big], "name": "Руднянский район", "per_1000": 12.5, "count": 310,
     "population": 24800},
]})
with open(os.path.join(HERE, "mvt_cases.json"), "w", encoding="utf-8") as f:
    json.dump({"cases": cases}, f, ensure_ascii=False, separators=(",", ":"))
