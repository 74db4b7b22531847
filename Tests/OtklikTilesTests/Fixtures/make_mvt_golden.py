#!/usr/bin/env python3
"""Decodes the tiles our encoder wrote (Fixtures/encoded/*.mvt) with an independent decoder and writes
mvt_golden.json with what the Swift tests assert.

Regenerate (after a deliberate encoder change):
  OTKLIK_WRITE_TILE_FIXTURES=1 swift test --filter OtklikTilesTests.GoldenTileTests
  python3 Tests/OtklikTilesTests/Fixtures/make_mvt_golden.py
Needs: pip install mapbox-vector-tile mercantile shapely

Independent parts: decoding (mapbox-vector-tile and its protobuf classes), the expected grid position of
each point (Web Mercator written here from the formulas, tile bounds from mercantile), the expected clipped
polygon area (shapely), and the winding of every ring (surveyor's formula on the raw command stream).
"""
import json, math, os
import mapbox_vector_tile
from mapbox_vector_tile.Mapbox import vector_tile_pb2
import mercantile
from shapely.geometry import Polygon, box, shape

HERE = os.path.dirname(os.path.abspath(__file__))
EXTENT, BUFFER = 4096, 64

def merc(lon, lat):
    x = (lon + 180) / 360
    s = math.sin(math.radians(lat))
    y = 0.5 - math.log((1 + s) / (1 - s)) / (4 * math.pi)
    return x, y

def grid(lon, lat, z, tx, ty):
    x, y = merc(lon, lat)
    n = 2 ** z
    return ((x * n - tx) * EXTENT, (y * n - ty) * EXTENT)

def raw_rings(data, layer_name):
    """Per feature id, the signed surveyor's area of each ring, straight from the command integers."""
    tile = vector_tile_pb2.tile()
    tile.ParseFromString(data)
    out = {}
    for layer in tile.layers:
        if layer.name != layer_name:
            continue
        for f in layer.features:
            cx = cy = 0
            rings, ring, i, g = [], [], 0, list(f.geometry)
            while i < len(g):
                cmd, count = g[i] & 7, g[i] >> 3
                i += 1
                if cmd == 7:
                    rings.append(ring); ring = []
                    continue
                for _ in range(count):
                    dx, dy = g[i], g[i + 1]; i += 2
                    cx += (dx >> 1) ^ -(dx & 1); cy += (dy >> 1) ^ -(dy & 1)
                    if cmd == 1 and ring:
                        rings.append(ring); ring = []
                    ring.append((cx, cy))
            areas = []
            for r in rings:
                a = sum(r[k - 1][0] * r[k][1] - r[k][0] * r[k - 1][1] for k in range(len(r)))
                areas.append(a)
            out[str(f.id)] = {"ring_areas2": areas, "ring_sizes": [len(r) for r in rings]}
    return out

cases = json.load(open(os.path.join(HERE, "mvt_cases.json"), encoding="utf-8"))["cases"]
golden = {"decoder": f"mapbox-vector-tile {getattr(mapbox_vector_tile, '__version__', '2.x')}", "cases": []}
for c in cases:
    data = open(os.path.join(HERE, "encoded", c["name"] + ".mvt"), "rb").read()
    decoded = mapbox_vector_tile.decode(data, default_options={"y_coord_down": True})
    layer = decoded[c["layer"]]
    entry = {"name": c["name"], "layer": c["layer"], "extent": layer["extent"], "version": layer["version"],
             "bytes": len(data), "features": []}
    for f in layer["features"]:
        entry["features"].append({"id": f["id"], "type": f["geometry"]["type"],
                                  "coordinates": f["geometry"]["coordinates"], "properties": f["properties"]})
    z, tx, ty = c["z"], c["x"], c["y"]
    if c["name"] == "incidents_z14":
        expected = {}
        for p in c["points"]:
            gx, gy = grid(p["lon"], p["lat"], z, tx, ty)
            if -BUFFER <= gx <= EXTENT + BUFFER and -BUFFER <= gy <= EXTENT + BUFFER:
                expected[str(p["id"])] = [round(gx), round(gy)]
        entry["expected_points"] = expected
    if c["name"] == "clusters_z9":
        t = mercantile.Tile(tx, ty, z)
        entry["expected_point_total"] = sum(1 for p in c["points"] if mercantile.tile(p["lon"], p["lat"], z) == t)
        entry["decoded_point_total"] = sum(f["properties"]["point_count"] for f in layer["features"])
    if "polygons" in c:
        clip = box(-BUFFER, -BUFFER, EXTENT + BUFFER, EXTENT + BUFFER)
        areas = {}
        for poly in c["polygons"]:
            rings = [[grid(lon, lat, z, tx, ty) for lon, lat in r] for r in poly["rings"]]
            areas[str(poly["id"])] = Polygon(rings[0], rings[1:]).intersection(clip).area
        entry["expected_areas"] = areas
        entry["decoded_areas"] = {str(f["id"]): shape(f["geometry"]).area for f in layer["features"]}
        entry["raw_rings"] = raw_rings(data, c["layer"])
    golden["cases"].append(entry)

with open(os.path.join(HERE, "mvt_golden.json"), "w", encoding="utf-8") as f:
    json.dump(golden, f, ensure_ascii=False, separators=(",", ":"))
print("wrote mvt_golden.json for", [c["name"] for c in golden["cases"]])
