#!/usr/bin/env python3
"""Round trip through Open311 clients that are not ours.

Posts N service requests (default 100) with Cyrillic descriptions in the form FixMyStreet's Open311 module
(perllib/Open311.pm, send_service_request/_post) produces: an application/x-www-form-urlencoded body with
jurisdiction_id, api_key, lat, long, email, description, service_code, first_name, last_name, phone,
media_url, address_string and attribute[code] fields, answered in requests.xml and read as XML.
Then lists them back with the `georeport` PyPI client (GeoReport v2 wrapper) through requests.xml and
requests.json and compares every field with what was posted and between the two formats.

Usage:  scripts/open311-roundtrip.py BASE_URL --api-key KEY [--count 100] [--seed 7] [--categories data/categories.json]
        BASE_URL is the server root, e.g. http://127.0.0.1:8080 (the endpoint is BASE_URL/open311/v2).
Needs:  pip install georeport==0.3.1  (brings requests and xmltodict)
Exit:   0 when every comparison matched, 1 on any mismatch, 2 when it cannot run.
"""
import argparse
import datetime as dt
import json
import math
import os
import random
import re
import sys

try:
    import requests
    import xmltodict
    from georeport import GeoReport
except ImportError as e:  # pragma: no cover
    print(f"open311-roundtrip: missing Python package ({e}); pip install georeport==0.3.1", file=sys.stderr)
    sys.exit(2)

W3C = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
FIELDS = ["service_request_id", "status", "status_notes", "service_name", "service_code", "description",
          "agency_responsible", "service_notice", "requested_datetime", "updated_datetime", "expected_datetime",
          "address", "address_id", "zipcode", "lat", "long", "media_url"]

WORDS = ["Сосновка", "Рудня", "Вязьма", "Ярцево", "Рославль", "Гагарин", "Дорогобуж", "Ельня", "Починок",
         "Десногорск", "Сычёвка", "Тёмкино", "Холм-Жирковский", "Шумячи", "Демидов", "Велиж"]
PHRASES = ["глубокая яма", "контейнер переполнен", "не горит фонарь", "стая собак у школы", "свалка у леса",
           "сломаны качели", "мусор не вывозят неделю", "провал асфальта", "ёлки упали на дорогу"]
# Characters that break naive encoders: markup, quotes, ampersands, plus signs, percent, emoji, CR LF.
SPICE = ["«кавычки»", "\"двойные\"", "a & b", "<b>не тег</b>", "1+1=2", "100%", "🚧", "тире — и дефис -", "ё/Ё"]


class Checker:
    def __init__(self):
        self.compared = 0
        self.failures = []

    def eq(self, what, got, want):
        self.compared += 1
        if got != want:
            self.failures.append(f"{what}: got {got!r}, want {want!r}")

    def ok(self, what, cond, detail=""):
        self.compared += 1
        if not cond:
            self.failures.append(f"{what}: {detail}")


def parse_w3c(s):
    return dt.datetime.fromisoformat(s.replace("Z", "+00:00"))


def xml_text(v):
    """xmltodict gives None for an empty element; the JSON side has "" or null there."""
    return "" if v is None else v


def json_text(v):
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return v
    return v


def make_requests(services, definitions, n, rng):
    out = []
    for i in range(n):
        s = services[i % len(services)]
        code = s["service_code"]
        lat = round(rng.uniform(53.9, 56.0), 6)
        lon = round(rng.uniform(31.2, 35.2), 6)
        desc = f"{rng.choice(PHRASES).capitalize()} — {rng.choice(WORDS)}, {rng.choice(SPICE)}"
        if i % 3 == 0:
            desc += "\r\nВторая строка: " + rng.choice(SPICE)
        if i % 10 == 0:
            desc = desc + " " + "Ж" * 300
        fields = [("jurisdiction_id", ""), ("api_key", None), ("lat", f"{lat:.6f}"), ("long", f"{lon:.6f}"),
                  ("email", f"zhitel{i}@example.ru"), ("description", desc), ("service_code", code),
                  ("first_name", "Пётр"), ("last_name", f"Сидоров-{i}")]
        if i % 2 == 0:
            fields.append(("phone", f"+7 481 200-{i:02d}-{i:02d}"))
        if i % 4 == 0:
            fields.append(("media_url", f"https://photos.example.ru/заявка/{i}.jpg"))
        address = ""
        if i % 5 != 0:
            address = f"{rng.choice(WORDS)}, ул. Советская, д. {i + 1}"
            fields.append(("address_string", address))
        for attr in definitions.get(code, []):
            values = attr.get("values") or []
            if values:
                fields.append((f"attribute[{attr['code']}]", values[i % len(values)]["key"]))
        # FixMyStreet adds attributes of its own; the endpoint must keep them, not refuse them.
        fields.append(("attribute[fixmystreet_id]", str(1000 + i)))
        out.append({"fields": fields, "code": code, "lat": lat, "lon": lon, "description": desc,
                    "address": address, "media_url": dict(fields).get("media_url", "")})
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("base_url")
    ap.add_argument("--api-key", default=os.environ.get("OTKLIK_OPEN311_KEY"))
    ap.add_argument("--count", type=int, default=100)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--jurisdiction", default="smolensk-oblast")
    ap.add_argument("--categories", default="data/categories.json",
                    help="taxonomy file, for the deadline check of expected_datetime (skipped when absent)")
    args = ap.parse_args()
    if not args.api_key:
        print("open311-roundtrip: give --api-key or OTKLIK_OPEN311_KEY (an operator key)", file=sys.stderr)
        return 2
    endpoint = args.base_url.rstrip("/") + "/open311/v2"
    rng = random.Random(args.seed)
    check = Checker()
    deadlines = {}
    if os.path.exists(args.categories):
        with open(args.categories, encoding="utf-8") as f:
            deadlines = {c["code"]: c["deadline_days"] for c in json.load(f)["categories"]}

    xml_client = GeoReport(endpoint, jurisdiction=args.jurisdiction, output_format="xml")
    json_client = GeoReport(endpoint, jurisdiction=args.jurisdiction, output_format="json")

    # Services in both formats must agree.
    services = json_client.get_service_list()
    services_xml = xml_client.get_service_list()
    services_xml = services_xml if isinstance(services_xml, list) else [services_xml]
    check.eq("services count xml/json", len(services_xml), len(services))
    for sj, sx in zip(services, services_xml):
        check.ok("service_code is a JSON string", isinstance(sj["service_code"], str), repr(sj["service_code"]))
        for k in ["service_code", "service_name", "description", "type", "keywords", "group"]:
            check.eq(f"service {sj['service_code']} {k}", xml_text(sx.get(k)), json_text(sj.get(k)))
        check.eq(f"service {sj['service_code']} metadata", sx.get("metadata"), "true" if sj["metadata"] else "false")
    definitions = {}
    allowed_agencies = {}
    for s in services:
        allowed_agencies[s["service_code"]] = {s["group"]} | {o["agency"] for o in s.get("agency_overrides", [])}
        if s["metadata"]:
            definitions[s["service_code"]] = json_client.get_service_definition(s["service_code"])["attributes"]
            dx = xml_client.get_service_definition(s["service_code"])
            check.eq(f"definition {s['service_code']} service_code (xml)", dx["service_code"], s["service_code"])
    names = {s["service_code"]: s["service_name"] for s in services}

    # A request without api_key is refused in the spec's XML error format.
    r = requests.post(endpoint + "/requests.xml", data=[("service_code", services[0]["service_code"]),
                                                        ("lat", "54.78"), ("long", "32.04")])
    check.eq("missing api_key status", r.status_code, 403)
    check.eq("missing api_key error code", xmltodict.parse(r.content)["errors"]["error"]["code"], "403")

    planned = make_requests(services, definitions, args.count, rng)
    ids = []
    for p in planned:
        fields = [(k, args.api_key if k == "api_key" else v) for k, v in p["fields"]]
        before = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
        r = requests.post(endpoint + "/requests.xml", data=fields)
        after = dt.datetime.now(dt.timezone.utc)
        if r.status_code != 200:
            check.failures.append(f"POST {p['code']}: HTTP {r.status_code}: {r.text[:300]}")
            continue
        obj = xmltodict.parse(r.content)["service_requests"]["request"]
        sid = obj.get("service_request_id")
        check.ok("POST service_request_id", bool(sid) and sid.isdigit(), repr(sid))
        check.ok("POST service_notice", bool(obj.get("service_notice")), "empty")
        check.ok("POST account_id", "account_id" in obj, "absent")
        p["id"], p["before"], p["after"] = sid, before, after
        ids.append(sid)

    listed_xml = xml_client.get_service_requests(service_request_id=",".join(ids))
    listed_xml = listed_xml if isinstance(listed_xml, list) else [listed_xml]
    listed_json = json_client.get_service_requests(service_request_id=",".join(ids))
    check.eq("listed count (xml)", len(listed_xml), len(ids))
    check.eq("listed count (json)", len(listed_json), len(ids))
    by_xml = {x["service_request_id"]: x for x in listed_xml}
    by_json = {j["service_request_id"]: j for j in listed_json}

    for p in planned:
        sid = p.get("id")
        if sid is None:
            continue
        j, x = by_json.get(sid), by_xml.get(sid)
        if j is None or x is None:
            check.failures.append(f"request {sid}: missing from the listing (json: {j is not None}, xml: {x is not None})")
            continue
        check.eq(f"{sid} json fields", list(j.keys()), FIELDS)
        check.eq(f"{sid} xml elements", list(x.keys()), FIELDS)
        # What was posted.
        check.eq(f"{sid} service_code", j["service_code"], p["code"])
        check.eq(f"{sid} service_name", j["service_name"], names[p["code"]])
        check.eq(f"{sid} description", j["description"], p["description"])
        check.eq(f"{sid} address", j["address"], p["address"])
        check.eq(f"{sid} lat", float(j["lat"]), p["lat"])
        check.eq(f"{sid} long", float(j["long"]), p["lon"])
        check.eq(f"{sid} media_url", json_text(j["media_url"]), p["media_url"])
        check.eq(f"{sid} status", j["status"], "open")
        check.eq(f"{sid} status_notes", j["status_notes"], "")
        check.ok(f"{sid} agency_responsible", j["agency_responsible"] in allowed_agencies[p["code"]], j["agency_responsible"])
        for k in ["requested_datetime", "updated_datetime", "expected_datetime"]:
            check.ok(f"{sid} {k} is W3C with offset", bool(W3C.match(j[k] or "")), repr(j[k]))
        req = parse_w3c(j["requested_datetime"])
        check.ok(f"{sid} requested_datetime within the POST", p["before"] <= req <= p["after"], f"{req} not in {p['before']}…{p['after']}")
        check.ok(f"{sid} updated_datetime", parse_w3c(j["updated_datetime"]) >= req, j["updated_datetime"])
        if p["code"] in deadlines:
            check.eq(f"{sid} expected_datetime", parse_w3c(j["expected_datetime"]) - req, dt.timedelta(days=deadlines[p["code"]]))
        # The two formats say the same thing, field by field.
        for k in FIELDS:
            jv, xv = json_text(j[k]), xml_text(x[k])
            if k in ("lat", "long"):
                check.eq(f"{sid} {k} xml/json", float(xv), float(jv))
            else:
                check.eq(f"{sid} {k} xml/json", xv, jv)
        # Contact details are personal data: never in a public listing.
        for text in (json.dumps(j, ensure_ascii=False), json.dumps(x, ensure_ascii=False)):
            check.ok(f"{sid} no contact in listing", "@example.ru" not in text and "Сидоров" not in text, "contact published")

    print(f"open311-roundtrip: {len(ids)} requests posted (FixMyStreet form, XML answers), listed through "
          f"georeport requests.xml and requests.json; {check.compared} comparisons, {len(check.failures)} mismatches")
    for f in check.failures[:40]:
        print("  MISMATCH " + f)
    print(f"{check.compared - len(check.failures)} passed, {len(check.failures)} failed")
    return 1 if check.failures else 0


if __name__ == "__main__":
    sys.exit(main())
