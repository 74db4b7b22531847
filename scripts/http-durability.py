#!/usr/bin/env python3
"""Helper of http-durability.sh.

post BASE KEY ACKS WORKERS: POST single incidents from WORKERS threads until the server dies; every 201
  (acknowledged) is appended to ACKS as "external_id id".
verify BASE KEY ACKS: every acknowledged id exists with its external_id; walking the whole incidents layer finds
  each acknowledged external_id exactly once; replaying a POST returns the same id and creates nothing.
"""
import json, sys, threading, urllib.request, urllib.error, uuid

def feature(ext):
    return {"type": "Feature", "geometry": {"type": "Point", "coordinates": [31.3, 54.9]},
            "properties": {"external_id": ext, "category": "waste.container_site",
                           "reported_at": "2025-03-01T10:00:00Z", "description": "Проверка долговечности"}}

def post(base, key, body):
    req = urllib.request.Request(base + "/api/v1/incidents", data=json.dumps(body).encode(), method="POST",
                                 headers={"Authorization": "Bearer " + key, "Content-Type": "application/geo+json"})
    with urllib.request.urlopen(req, timeout=10) as r:
        return r.status, json.load(r)

def run_post(base, key, acks_path, workers):
    lock = threading.Lock()
    out = open(acks_path, "a")
    run = uuid.uuid4().hex[:8]
    def worker(w):
        n = 0
        while True:
            ext = f"dur-{run}-{w}-{n}"
            n += 1
            try:
                status, doc = post(base, key, feature(ext))
            except Exception:
                return  # the server is gone: stop, an unacknowledged write proves nothing either way
            if status == 201:
                with lock:
                    out.write(f"{ext} {doc['ids'][0]}\n"); out.flush()
    ts = [threading.Thread(target=worker, args=(w,)) for w in range(workers)]
    for t in ts: t.start()
    for t in ts: t.join()

def run_verify(base, key, acks_path):
    acks = [l.split() for l in open(acks_path) if l.strip()]
    missing = []
    for ext, i in acks:
        try:
            with urllib.request.urlopen(f"{base}/api/v1/incidents/{i}", timeout=10) as r:
                if json.load(r)["properties"]["external_id"] != ext: missing.append((ext, i, "other incident"))
        except urllib.error.HTTPError as e:
            missing.append((ext, i, e.code))
    wanted = {ext for ext, _ in acks}
    seen = {}
    url = f"{base}/ogc/collections/incidents/items?category=waste.container_site&limit=10000"
    while url:
        with urllib.request.urlopen(url, timeout=60) as r:
            doc = json.load(r)
        for f in doc["features"]:
            ext = f["properties"].get("external_id")
            if ext in wanted: seen[ext] = seen.get(ext, 0) + 1
        url = next((l["href"] for l in doc["links"] if l["rel"] == "next"), None)
    duplicated = [e for e, c in seen.items() if c > 1]
    absent = [e for e in wanted if e not in seen]
    replay_ok = True
    for ext, i in acks[:50]:
        status, doc = post(base, key, feature(ext))
        replay_ok &= status == 200 and doc["ids"][0] == int(i) and doc["created"] == 0
    print(f"acknowledged={len(acks)} missing={len(missing)} absent_from_layer={len(absent)} duplicated={len(duplicated)} replay_idempotent={replay_ok}")
    ok = not missing and not absent and not duplicated and replay_ok and len(acks) > 0
    print("durability: PASS" if ok else "durability: FAIL")
    sys.exit(0 if ok else 1)

if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "post": run_post(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]))
    else: run_verify(sys.argv[2], sys.argv[3], sys.argv[4])
