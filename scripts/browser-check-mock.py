#!/usr/bin/env python3
"""A stand-in for the Otklik API (the endpoints and fields the map page reads), for checking the page in a
browser where no demo server runs. Serves the page from Sources/OtklikHTTP/Resources/web and Leaflet from
Debian's libjs-leaflet, exactly at the paths the real server uses.

  python3 scripts/browser-check-mock.py --port 8765 [--basemap]

With --basemap, /web/config.json names a basemap served by the mock itself (/basemap/{z}/{x}/{y}.png, a pale
PNG with a grid), so the page's basemap path is checked without any network; any instance of the mock serves
those tiles, which is how the HTTP test gives the real server a loopback basemap.
HTML is sent with the strict Content-Security-Policy the real server sends, so an inline script or style
attribute shows up as a console error in the check.

Data: the approximate districts and real settlement points of ../shared/data/boundaries when present (else a
few synthetic squares), with synthetic complaints placed around settlements by population.
Tiles: grid clusters below z13 and points from z13, encoded with mapbox-vector-tile (404 without it, and the
page then falls back to OGC items).
"""
import argparse, gzip, json, math, os, random, struct, sys, urllib.parse, zlib
from http.server import ThreadingHTTPServer, BaseHTTPRequestHandler
from datetime import datetime, timedelta, timezone

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WEB = os.path.join(ROOT, "Sources", "OtklikHTTP", "Resources", "web")
LEAFLET = "/usr/share/javascript/leaflet"
SHARED = os.path.join(ROOT, "..", "shared", "data", "boundaries")
try:
    import mapbox_vector_tile
except ImportError:
    mapbox_vector_tile = None

BASEMAP = False  # set by --basemap
rnd = random.Random(5)
categories = json.load(open(os.path.join(ROOT, "data", "categories.json"), encoding="utf-8"))["categories"]
codes = [c["code"] for c in categories]
names = {c["code"]: c["name_ru"] for c in categories}

def load_geo(name):
    path = os.path.join(SHARED, name)
    return json.load(open(path, encoding="utf-8")) if os.path.exists(path) else None

districts = load_geo("smolensk_districts_approx.geojson")
settlements = load_geo("smolensk_settlements.geojson")
if districts is None:
    districts = {"type": "FeatureCollection", "features": []}
    for i in range(6):
        x0, y0 = 30.8 + (i % 3) * 1.5, 53.5 + (i // 3) * 1.2
        districts["features"].append({"type": "Feature", "properties": {"name": f"Район {i + 1}", "population_2010_sum": 20000 + 5000 * i},
            "geometry": {"type": "Polygon", "coordinates": [[[x0, y0], [x0 + 1.4, y0], [x0 + 1.4, y0 + 1.1], [x0, y0 + 1.1], [x0, y0]]]}})
if settlements is None:
    settlements = {"features": [{"properties": {"name": f"Пункт {i}", "district": f"Район {i % 6 + 1}", "population_2010": rnd.randint(50, 5000)},
                                 "geometry": {"type": "Point", "coordinates": [rnd.uniform(30.8, 35.2), rnd.uniform(53.5, 55.9)]}} for i in range(300)]}

now = datetime(2026, 11, 29, tzinfo=timezone.utc)
places = [(f["geometry"]["coordinates"], f["properties"]) for f in settlements["features"]]
weights = [max(p.get("population_2010") or 10, 10) ** 0.8 for _, p in places]
incidents = []
for i, ((lon, lat), props) in enumerate(rnd.choices(places, weights=weights, k=30000)):
    spread = 0.004 if (props.get("population_2010") or 0) < 5000 else 0.03
    incidents.append({"id": i + 1, "lon": lon + rnd.gauss(0, spread), "lat": lat + rnd.gauss(0, spread * 0.6),
                      "category": rnd.choice(codes), "status": rnd.choices(["new", "in_progress", "resolved", "rejected"], [4, 3, 6, 1])[0],
                      "reported_at": (now - timedelta(days=rnd.randint(0, 600))).strftime("%Y-%m-%dT%H:%M:%SZ"),
                      "settlement": props.get("name"), "district": props.get("district")})

def matches(inc, q):
    if q.get("category") and inc["category"] != q["category"]: return False
    if q.get("status") and inc["status"] != q["status"]: return False
    since = q.get("since") or (q.get("datetime") or "").split("/")[0]
    if since and since != ".." and inc["reported_at"] < since: return False
    return True

per_district = {}
for inc in incidents: per_district[inc["district"]] = per_district.get(inc["district"], 0) + 1
for i, f in enumerate(districts["features"]):
    p = f["properties"]
    pop = p.get("population_2010_sum")
    c = per_district.get(p["name"], 0)
    f["id"] = i + 1
    f["properties"] = {"id": i + 1, "name": p["name"], "kind": "city_okrug" if p["name"].startswith("Город ") else "municipal_district", "population": pop, "complaints": c, "open": c // 2, "overdue": c // 7,
                       "per_1000": round(c * 1000 / pop, 2) if pop else None}

# Hotspots: the busiest settlement/category pairs, as small circles.
pairs = {}
for inc in incidents: pairs.setdefault((inc["settlement"], inc["district"], inc["category"]), []).append(inc)
top = sorted(pairs.items(), key=lambda kv: -len(kv[1]))[:1500]
hotspots = []
for rank, ((settlement, district, cat), items) in enumerate(top, 1):
    lon = sum(i["lon"] for i in items) / len(items); lat = sum(i["lat"] for i in items) / len(items)
    r = min(0.006 + 0.00005 * len(items), 0.009)
    ring = [[lon + r * math.cos(a / 16 * 2 * math.pi) / 0.58, lat + r * math.sin(a / 16 * 2 * math.pi)] for a in range(17)]
    ring[-1] = ring[0]
    score = round(1 - rank / 1600, 4)
    hotspots.append({"type": "Feature", "id": rank, "geometry": {"type": "Polygon", "coordinates": [ring]},
                     "properties": {"id": rank, "category": cat, "category_name": names[cat], "score": score, "recurring": rank % 3 == 1,
                                    "complaints": len(items), "open": sum(1 for i in items if i["status"] in ("new", "in_progress")),
                                    "settlement": settlement, "district": district, "lon": lon, "lat": lat}})

# Gi*-like bins: 0.15° cells with a class from the cell count's z-score.
cells = {}
for inc in incidents: cells[(int((inc["lon"] - 30.7) / 0.15), int((inc["lat"] - 53.3) / 0.1))] = cells.get((int((inc["lon"] - 30.7) / 0.15), int((inc["lat"] - 53.3) / 0.1)), 0) + 1
vals = [cells.get((i, j), 0) for i in range(32) for j in range(28)]
mean = sum(vals) / len(vals); sd = (sum((v - mean) ** 2 for v in vals) / len(vals)) ** 0.5 or 1
grid = []
for i in range(32):
    for j in range(28):
        z = (cells.get((i, j), 0) - mean) / sd
        cls = 3 if z > 2.58 else 2 if z > 1.96 else 1 if z > 1.65 else -1 if z < -0.55 and (i + j) % 5 == 0 else 0
        x0, y0 = 30.7 + i * 0.15, 53.3 + j * 0.1
        grid.append({"type": "Feature", "id": i * 100 + j, "geometry": {"type": "Polygon", "coordinates": [[[x0, y0], [x0 + .15, y0], [x0 + .15, y0 + .1], [x0, y0 + .1], [x0, y0]]]},
                     "properties": {"gi_class": cls, "z_score": round(z, 3), "p_value": 0.01}})

def png_tile(z, x, y):
    """A 256×256 pale tile with a darker grid and a tint that changes with x and y, so tiles show as tiles."""
    tint = (x * 7 + y * 13) % 12
    bg = bytes((236 - tint, 232, 222 + tint // 2))
    line = bytes((190, 196, 205))
    rows = []
    for py in range(256):
        row = bytearray(b"\x00")
        for px in range(256):
            row += line if px % 64 == 0 or py % 64 == 0 else bg
        rows.append(bytes(row))
    def chunk(kind, data): return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 256, 256, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"".join(rows), 6)) + chunk(b"IEND", b""))

def merc(lon, lat):
    s = math.sin(math.radians(lat))
    return (lon + 180) / 360, 0.5 - math.log((1 + s) / (1 - s)) / (4 * math.pi)

def tile(z, x, y, q):
    n = 2 ** z
    feats, cells = [], {}
    for inc in incidents:
        if not matches(inc, q): continue
        ux, uy = merc(inc["lon"], inc["lat"])
        px, py = (ux * n - x) * 4096, (uy * n - y) * 4096
        if z >= 13:
            if -64 <= px <= 4160 and -64 <= py <= 4160:
                feats.append({"id": inc["id"], "geometry": f"POINT({round(px)} {round(py)})",
                              "properties": {k: inc[k] for k in ("id", "category", "status", "settlement", "district")} | {"date": inc["reported_at"][:10]}})
        elif 0 <= px < 4096 and 0 <= py < 4096:
            c = cells.setdefault((int(px // 128), int(py // 128)), [0, 0.0, 0.0, inc])
            c[0] += 1; c[1] += px; c[2] += py
    for (cx, cy), (count, sx, sy, first) in cells.items():
        props = {"point_count": count, "cluster": count > 1}
        if count == 1: props |= {k: first[k] for k in ("id", "category", "status", "settlement", "district")} | {"date": first["reported_at"][:10]}
        feats.append({"id": cy * 32 + cx + 1, "geometry": f"POINT({round(sx / count)} {round(sy / count)})", "properties": props})
    if not feats: return b""
    return mapbox_vector_tile.encode([{"name": "incidents", "features": feats}], default_options={"y_coord_down": True})

class Handler(BaseHTTPRequestHandler):
    def log_message(self, *a): pass

    def send(self, code, body, ctype):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        if ctype.startswith("text/html"):
            origin = f"http://127.0.0.1:{self.server.server_port}"
            self.send_header("Content-Security-Policy", f"default-src 'self'; img-src 'self' data: {origin}; frame-ancestors 'none'")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body: self.wfile.write(body)

    def json(self, obj): self.send(200, json.dumps(obj, ensure_ascii=False).encode(), "application/geo+json" if "features" in obj else "application/json")

    def file(self, base, name, ctype):
        path = os.path.normpath(os.path.join(base, name))
        if not path.startswith(base) or not os.path.isfile(path): return self.send(404, b"not found", "text/plain")
        self.send(200, open(path, "rb").read(), ctype)

    def do_GET(self):
        u = urllib.parse.urlparse(self.path)
        q = {k: v[0] for k, v in urllib.parse.parse_qs(u.query).items()}
        p = u.path
        types = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8", ".png": "image/png", ".html": "text/html; charset=utf-8"}
        ext = os.path.splitext(p)[1]
        if p == "/": return self.file(WEB, "index.html", types[".html"])
        if p == "/web/config.json":
            base = f"http://127.0.0.1:{self.server.server_port}/basemap/{{z}}/{{x}}/{{y}}.png"
            return self.json({"basemap": {"url": base, "attribution": "Подложка: тестовые тайлы"} if BASEMAP else None})
        if p.startswith("/basemap/") and p.endswith(".png"):
            z, x, y = (int(v) for v in p[len("/basemap/"):-4].split("/"))
            return self.send(200, png_tile(z, x, y), "image/png")
        if p.startswith("/web/"): return self.file(WEB, p[5:], types.get(ext, "application/octet-stream"))
        if p.startswith("/vendor/leaflet/"): return self.file(LEAFLET, p[len("/vendor/leaflet/"):], types.get(ext, "application/octet-stream"))
        if p == "/api/v1/categories": return self.json({"categories": [{"code": c["code"], "name_ru": c["name_ru"]} for c in categories]})
        if p == "/ogc/collections/districts/items": return self.json({"type": "FeatureCollection", "features": districts["features"], "numberMatched": len(districts["features"])})
        if p == "/ogc/collections/settlements/items":
            fs = [{"type": "Feature", "id": n + 1, "geometry": f["geometry"],
                   "properties": {"id": n + 1, "name": f["properties"]["name"], "district": f["properties"].get("district"),
                                  "population": f["properties"].get("population_2010") or f["properties"].get("population")}}
                  for n, f in enumerate(settlements["features"])]
            return self.json({"type": "FeatureCollection", "features": fs[: int(q.get("limit", 100))], "numberMatched": len(fs)})
        if p == "/ogc/collections/hotspots/items":
            fs = [h for h in hotspots if not q.get("category") or h["properties"]["category"] == q["category"]]
            return self.json({"type": "FeatureCollection", "features": fs[: int(q.get("limit", 100))], "numberMatched": len(fs)})
        if p == "/ogc/collections/hotspot-grid/items": return self.json({"type": "FeatureCollection", "features": grid, "numberMatched": len(grid)})
        if p == "/ogc/collections/incidents/items":
            b = [float(v) for v in q.get("bbox", "-180,-90,180,90").split(",")]
            fs = [i for i in incidents if b[0] <= i["lon"] <= b[2] and b[1] <= i["lat"] <= b[3] and matches(i, q)
                  and (not q.get("district") or i["district"] == q["district"])]
            lim = int(q.get("limit", 100))
            return self.json({"type": "FeatureCollection", "numberMatched": len(fs), "features": [
                {"type": "Feature", "id": i["id"], "geometry": {"type": "Point", "coordinates": [i["lon"], i["lat"]]},
                 "properties": i | {"category_name": names[i["category"]]}} for i in fs[:lim]]})
        if p == "/api/v1/reports/hotspots":
            rows = [h["properties"] | {"rank": n + 1, "repeat_after_fix": 2 if h["properties"]["recurring"] else 0}
                    for n, h in enumerate(h for h in hotspots if (not q.get("category") or h["properties"]["category"] == q["category"])
                                          and (not q.get("district") or h["properties"]["district"] == q["district"]))]
            return self.json({"period": {"since": q.get("since"), "until": None}, "hotspots": rows[: int(q.get("limit", 50))]})
        if p.startswith("/tiles/incidents/") and p.endswith(".mvt") and mapbox_vector_tile:
            z, x, y = (int(v) for v in p[len("/tiles/incidents/"):-4].split("/"))
            body = tile(z, x, y, q)
            if not body:
                self.send_response(204); self.end_headers(); return
            return self.send(200, body, "application/vnd.mapbox-vector-tile")
        self.send(404, json.dumps({"title": "Not Found", "status": 404}).encode(), "application/problem+json")

if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=8765)
    ap.add_argument("--basemap", action="store_true", help="name the mock's own tiles as the page's basemap")
    a = ap.parse_args()
    BASEMAP = a.basemap
    print(f"mock API on http://127.0.0.1:{a.port}/ ({len(incidents)} incidents, {len(districts['features'])} districts)", flush=True)
    ThreadingHTTPServer(("127.0.0.1", a.port), Handler).serve_forever()
