# Sourced by the scripts/http-*.sh checks: start and stop `otklik serve` on a free port.
# Needs BIN (the otklik executable) and DB (the database file).

http_start() {
    PORT=${PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
    BASE="http://127.0.0.1:$PORT"
    "$BIN" serve --db "$DB" --port "$PORT" >"${SERVER_LOG:-/tmp/otklik-serve-$PORT.log}" 2>&1 &
    SERVER_PID=$!
    for _ in $(seq 1 200); do
        if curl -fsS "$BASE/healthz" >/dev/null 2>&1; then return 0; fi
        if ! kill -0 "$SERVER_PID" 2>/dev/null; then
            echo "server exited; log:" >&2; cat "${SERVER_LOG:-/tmp/otklik-serve-$PORT.log}" >&2; return 1
        fi
        sleep 0.1
    done
    echo "server did not answer /healthz on $BASE" >&2
    return 1
}

http_stop() {
    if [ -n "${SERVER_PID:-}" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true
    fi
    SERVER_PID=
}
