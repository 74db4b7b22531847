#!/usr/bin/env python3
"""Availability check against a running `otklik serve` on loopback (Python standard library only).

First, optionally, S slow readers: clients that ask for a large OGC items page and never read it; the server's
resident memory (VmRSS) is sampled before, while they are held, and after they go.
Then, while N idle TCP connections are held open, heavy route plans run and distinct-`since` hotspot reports arrive,
/healthz is probed on fresh connections the whole time. Reports /healthz p50/p99, the server's peak RSS
(VmHWM from /proc/PID/status), whether and when the server closed the idle connections, the 5xx count (a 503
carrying Retry-After is load shedding and counted apart), and exits 1 when a target is missed:
healthz p99 < 100 ms and every probe answered, peak RSS < 1.5 GB, no 5xx.

Everything stays on 127.0.0.1, is bounded in count (--idle, --heavy, --reports) and in time (--duration), and
stops by itself.

  scripts/load-check.py --port 8080 --pid 1234                 # short form: 500 idle connections, 20 s
  scripts/load-check.py --port 8080 --pid 1234 --long          # long form: 20,000 idle connections, 60 s,
                                                               # and first 300 slow readers of limit=10000 pages
"""
import argparse
import errno
import http.client
import json
import os
import resource
import selectors
import socket
import sys
import threading
import time

SLOW_PAGE = "/ogc/collections/incidents/items?limit=10000"
HEAVY_ROUTE = "/api/v1/routes?targets=incidents&start=32.05,54.78&max_km=3000&max_stops=2000&format=csv"


def percentile(values, p):
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100.0 * (len(s) - 1))))]


class Results:
    def __init__(self):
        self.lock = threading.Lock()
        self.healthz_ms = []
        self.healthz_failures = 0
        self.status = {}
        self.server_errors = 0
        self.shed = 0
        self.rss_peak_kb = 0

    def record(self, kind, status, retry_after):
        with self.lock:
            self.status.setdefault(kind, {}).setdefault(status, 0)
            self.status[kind][status] += 1
            if status == 503 and retry_after:
                self.shed += 1
            elif status >= 500:
                self.server_errors += 1


def get(host, port, path, timeout):
    c = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        c.request("GET", path, headers={"Connection": "close"})
        r = c.getresponse()
        r.read()
        return r.status, r.getheader("Retry-After")
    finally:
        c.close()


def probe_healthz(args, res, stop):
    while not stop.is_set():
        t0 = time.perf_counter()
        try:
            status, _ = get(args.host, args.port, "/healthz", 5)
            ms = (time.perf_counter() - t0) * 1000
            with res.lock:
                if status == 200:
                    res.healthz_ms.append(ms)
                else:
                    res.healthz_failures += 1
        except OSError:
            with res.lock:
                res.healthz_failures += 1
        stop.wait(args.probe_interval)


def sample_rss(pid, res, stop):
    while not stop.is_set():
        try:
            with open("/proc/%d/status" % pid) as f:
                for line in f:
                    if line.startswith("VmHWM:"):
                        res.rss_peak_kb = max(res.rss_peak_kb, int(line.split()[1]))
        except OSError:
            return
        stop.wait(0.2)


def heavy_loop(args, res, stop, path, kind):
    while not stop.is_set():
        try:
            status, retry = get(args.host, args.port, path, args.duration + 30)
            res.record(kind, status, retry)
            if status == 503:
                stop.wait(1.0)
        except OSError:
            res.record(kind, 0, None)
            stop.wait(0.5)


def one_report(args, res, k):
    # Distinct instants within one UTC day: they must share one analysis.
    since = "2025-06-01T%02d:%02d:%02dZ" % (k % 24, (k * 7) % 60, (k * 13) % 60)
    try:
        status, retry = get(args.host, args.port, "/api/v1/reports/hotspots?since=" + since, args.duration + 60)
        res.record("report", status, retry)
    except OSError:
        res.record("report", 0, None)


def rss_kb(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def slow_readers(args):
    """Opens --slow-readers connections that each request a limit=10000 page and read none of it, holds them for
    --slow-seconds (less than the server's write timeout) while sampling the server's VmRSS, then closes them.
    Returns (idle RSS, peak RSS while held, RSS 2 s after closing, connections that got their request out)."""
    idle = rss_kb(args.pid)
    held = []
    for _ in range(args.slow_readers):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        # A small receive window, as a slow mobile client has: the server's writes back up at once.
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        try:
            s.settimeout(5)
            s.connect((args.host, args.port))
            s.sendall(("GET %s HTTP/1.1\r\nHost: %s:%d\r\n\r\n" % (SLOW_PAGE, args.host, args.port)).encode())
            held.append(s)
        except OSError:
            s.close()
    peak = idle
    end = time.monotonic() + args.slow_seconds
    while time.monotonic() < end:
        peak = max(peak, rss_kb(args.pid))
        time.sleep(0.1)
    for s in held:
        s.close()
    time.sleep(2)
    return idle, peak, rss_kb(args.pid), len(held)


class IdleConnections:
    """Opens up to N silent connections and notes when the server closes each one."""

    def __init__(self, args):
        self.args = args
        self.opened = 0
        self.refused = 0
        self.open_at = {}
        self.closed_after = []
        self.sel = selectors.DefaultSelector()

    def open_all(self, stop):
        for _ in range(self.args.idle):
            if stop.is_set():
                break
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            try:
                s.settimeout(2)
                s.connect((self.args.host, self.args.port))
                s.setblocking(False)
            except OSError as e:
                s.close()
                if e.errno in (errno.EMFILE, errno.ENFILE):
                    break
                self.refused += 1
                continue
            self.opened += 1
            self.open_at[s.fileno()] = (s, time.monotonic())
            self.sel.register(s, selectors.EVENT_READ)

    def watch(self, stop):
        while not stop.is_set():
            for key, _ in self.sel.select(timeout=0.2):
                s = key.fileobj
                try:
                    data = s.recv(4096)
                except OSError:
                    data = b""
                if not data:
                    _, t0 = self.open_at.pop(s.fileno(), (None, time.monotonic()))
                    self.closed_after.append(time.monotonic() - t0)
                    self.sel.unregister(s)
                    s.close()

    def close_rest(self):
        for s, _ in list(self.open_at.values()):
            try:
                self.sel.unregister(s)
            except (KeyError, ValueError):
                pass
            s.close()
        self.open_at.clear()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--pid", type=int, help="server process, for its peak RSS")
    ap.add_argument("--long", action="store_true", help="20,000 idle connections for 60 s")
    ap.add_argument("--idle", type=int)
    ap.add_argument("--heavy", type=int, default=5)
    ap.add_argument("--reports", type=int, default=30)
    ap.add_argument("--duration", type=float)
    ap.add_argument("--slow-readers", type=int, help="clients of limit=10000 pages that read nothing (long form: 300)")
    ap.add_argument("--slow-seconds", type=float, default=10.0)
    ap.add_argument("--probe-interval", type=float, default=0.02)
    ap.add_argument("--markdown", action="store_true")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        ap.error("load stays on loopback")
    args.idle = min(args.idle if args.idle is not None else (20000 if args.long else 500), 20000)
    args.duration = min(args.duration or (60.0 if args.long else 20.0), 600.0)
    args.heavy = min(args.heavy, 50)
    args.reports = min(args.reports, 200)
    args.slow_readers = min(args.slow_readers if args.slow_readers is not None else (300 if args.long else 0), 1000)
    args.slow_seconds = min(args.slow_seconds, 25.0)
    if args.slow_readers and not args.pid:
        ap.error("--slow-readers measures the server's memory: give --pid")

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = hard if hard != resource.RLIM_INFINITY else 65536
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))

    slow = slow_readers(args) if args.slow_readers else None
    res, stop = Results(), threading.Event()
    threads = [threading.Thread(target=probe_healthz, args=(args, res, stop), daemon=True)]
    if args.pid:
        threads.append(threading.Thread(target=sample_rss, args=(args.pid, res, stop), daemon=True))
    idle = IdleConnections(args)
    threads.append(threading.Thread(target=idle.watch, args=(stop,), daemon=True))
    for t in threads:
        t.start()
    started = time.monotonic()
    idle.open_all(stop)
    workers = [threading.Thread(target=heavy_loop, args=(args, res, stop, HEAVY_ROUTE, "route"), daemon=True)
               for _ in range(args.heavy)]
    workers += [threading.Thread(target=one_report, args=(args, res, k), daemon=True) for k in range(args.reports)]
    for t in workers:
        t.start()
    stop.wait(max(0.0, args.duration - (time.monotonic() - started)))
    stop.set()
    for t in workers:
        t.join(timeout=120)
    idle.close_rest()
    if args.pid:
        try:
            with open("/proc/%d/status" % args.pid) as f:
                for line in f:
                    if line.startswith("VmHWM:"):
                        res.rss_peak_kb = max(res.rss_peak_kb, int(line.split()[1]))
        except OSError:
            pass

    p50, p99 = percentile(res.healthz_ms, 50), percentile(res.healthz_ms, 99)
    closed = sorted(idle.closed_after)
    out = {
        "idle_requested": args.idle, "idle_opened": idle.opened, "idle_refused_at_connect": idle.refused,
        "idle_closed_by_server": len(closed),
        "idle_closed_after_s": {"min": round(closed[0], 2) if closed else None,
                                "median": round(percentile(closed, 50), 2) if closed else None,
                                "max": round(closed[-1], 2) if closed else None},
        "healthz_probes": len(res.healthz_ms) + res.healthz_failures, "healthz_failures": res.healthz_failures,
        "healthz_p50_ms": round(p50, 1), "healthz_p99_ms": round(p99, 1),
        "healthz_max_ms": round(max(res.healthz_ms), 1) if res.healthz_ms else None,
        "peak_rss_mb": round(res.rss_peak_kb / 1024, 1) if args.pid else None,
        "statuses": {k: {str(s): n for s, n in v.items()} for k, v in res.status.items()},
        "shed_503_with_retry_after": res.shed, "server_errors_5xx": res.server_errors,
        "duration_s": args.duration,
    }
    if slow:
        out["slow_readers"] = {"clients": args.slow_readers, "requests_sent": slow[3], "held_s": args.slow_seconds,
                               "rss_idle_mb": round(slow[0] / 1024, 1), "rss_peak_held_mb": round(slow[1] / 1024, 1),
                               "rss_after_mb": round(slow[2] / 1024, 1)}
    missed = []
    if not res.healthz_ms or p99 >= 100:
        missed.append("healthz p99 %.1f ms >= 100 ms" % p99)
    if res.healthz_failures:
        missed.append("%d healthz probes failed" % res.healthz_failures)
    if args.pid and res.rss_peak_kb >= 1.5 * 1024 * 1024:
        missed.append("peak RSS %.0f MB >= 1536 MB" % (res.rss_peak_kb / 1024))
    if slow and slow[1] - slow[0] >= 256 * 1024:
        missed.append("%d slow readers took RSS from %.0f to %.0f MB (+256 MB or more)" % (args.slow_readers, slow[0] / 1024, slow[1] / 1024))
    if res.server_errors:
        missed.append("%d responses were 5xx" % res.server_errors)
    out["missed"] = missed
    if args.json:
        print(json.dumps(out, ensure_ascii=False, indent=1))
    else:
        md = [
            "| measure | value | target |", "|---|---|---|",
            "| idle connections opened / requested | %d / %d | |" % (idle.opened, args.idle),
            "| idle connections closed by the server (after s: min / median / max) | %d (%s / %s / %s) | all, by the header timeout or eviction |"
            % (len(closed), *(out["idle_closed_after_s"][k] for k in ("min", "median", "max"))),
            "| /healthz probes, failures | %d, %d | 0 failures |" % (out["healthz_probes"], res.healthz_failures),
            "| /healthz p50 / p99 / max | %.1f / %.1f / %s ms | p99 < 100 ms |" % (p50, p99, out["healthz_max_ms"]),
            "| server peak RSS (VmHWM) | %s MB | < 1536 MB |" % out["peak_rss_mb"],
            "| heavy routes by status | %s | |" % out["statuses"].get("route", {}),
        ] + ([
            "| RSS with %d non-reading clients of `limit=10000` pages, held %g s (idle → peak → after) | %s → %s → %s MB | peak < idle + 256 MB |"
            % (args.slow_readers, args.slow_seconds, *(out["slow_readers"][k] for k in ("rss_idle_mb", "rss_peak_held_mb", "rss_after_mb"))),
        ] if slow else []) + [
            "| distinct-since reports by status | %s | |" % out["statuses"].get("report", {}),
            "| 503 with Retry-After (shed) | %d | |" % res.shed,
            "| other 5xx | %d | 0 |" % res.server_errors,
        ]
        print("\n".join(md))
        print()
        print("Result: " + ("all targets met" if not missed else "MISSED: " + "; ".join(missed)))
    sys.exit(1 if missed else 0)


if __name__ == "__main__":
    main()
