# Helpers the benchmark sections share; sourced, not run: `. "$(dirname "$0")/lib.sh"`.

# A free TCP port on the loopback.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# Waits up to 60 s until URL answers 2xx.
wait_http() { for _ in $(seq 1 600); do curl -fsS "$1" >/dev/null 2>&1 && return 0; sleep 0.1; done; echo "no answer from $1" >&2; return 1; }

# Runs a PostgreSQL tool as the postgres user when root (initdb and pg_ctl refuse root).
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

# wrk summary on stdin → "rps p50_ms p99_ms failed", failed = non-2xx/3xx answers plus timeouts. Give wrk a
# `--timeout` longer than the slowest answer: at its default of 2 s a slow server's late answers are dropped from
# the count while it still does the work, which understates it.
wrk_stats() {
    python3 -c '
import re, sys
t = sys.stdin.read()
def ms(label):
    m = re.search(r"^\s*" + label + r"%\s+([\d.]+)(us|ms|s)", t, re.M)
    if not m: return float("nan")
    v, u = float(m.group(1)), m.group(2)
    return v / 1000 if u == "us" else v * 1000 if u == "s" else v
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", t).group(1))
non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", t)
timeouts = re.search(r"timeout (\d+)", t)
bad = (int(non2xx.group(1)) if non2xx else 0) + (int(timeouts.group(1)) if timeouts else 0)
print("%.1f %.2f %.2f %d" % (rps, ms("50"), ms("99"), bad))'
}
