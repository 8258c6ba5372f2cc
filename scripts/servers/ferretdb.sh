#!/usr/bin/env bash
# FerretDB 1.24 (MongoDB wire protocol over SQLite files) on 127.0.0.1,
# without Docker. Built from source with Go (see ferretdb/main.go, go.mod).
#
# Usage: scripts/servers/ferretdb.sh {install|start|wait|up|stop|status|logs|clean}
#
#   install  build the server binary into the cache (skipped when up to date)
#   start    install if needed, start the server in the background
#   wait     block until the server answers a MongoDB `hello` (FERRETDB_WAIT_TIMEOUT s)
#   up       start + wait
#   stop     stop the server started by `start` (SIGTERM, then SIGKILL)
#   status   print whether it runs; exit 0 if running, 3 if not
#   logs     print the end of the server log
#   clean    stop, then delete the data directory (all databases)
#
# Environment (all optional):
#   FERRETDB_PORT          TCP port, default 27017
#   FERRETDB_DATA_DIR      SQLite data directory, default .cache/servers/ferretdb/data
#                          (relative paths are taken from the repository root)
#   FERRETDB_LOG_LEVEL     debug, info, warn or error, default warn
#   FERRETDB_WAIT_TIMEOUT  seconds for `wait`, default 60
#   FERRETDB_STOP_TIMEOUT  seconds before SIGKILL on `stop`, default 15
#   SERVERS_CACHE_DIR      cache root, default .cache/servers
#
# Connection string: mongodb://127.0.0.1:27017/ (no authentication).
set -euo pipefail

SERVER_NAME=ferretdb
# shellcheck source-path=SCRIPTDIR source=_common.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/_common.sh"

FERRETDB_HOST=127.0.0.1
FERRETDB_PORT=${FERRETDB_PORT:-27017}
FERRETDB_LOG_LEVEL=${FERRETDB_LOG_LEVEL:-warn}
FERRETDB_WAIT_TIMEOUT=${FERRETDB_WAIT_TIMEOUT:-60}
FERRETDB_STOP_TIMEOUT=${FERRETDB_STOP_TIMEOUT:-15}
# Go version required by FerretDB v1.24 (its go.mod says `go 1.24`).
GO_MIN_MINOR=24

SRC=$SERVERS_DIR/ferretdb
CACHE=$SERVERS_CACHE_DIR/ferretdb
BIN=$CACHE/bin/ferretdb-server
STAMP=$CACHE/bin/ferretdb-server.stamp
DATA=$(abspath "${FERRETDB_DATA_DIR:-$CACHE/data}")
# Pid and log files live next to the *.sqlite files; FerretDB only reads *.sqlite.
PIDFILE=$DATA/ferretdb.pid
LOGFILE=$DATA/ferretdb.log
# Marker searched in the process command line before signalling a PID.
MARKER="$BIN -data-dir $DATA"

require_go() {
  command -v go >/dev/null 2>&1 || die "go not found (Go 1.$GO_MIN_MINOR or newer is required)"
  local v minor
  v=$(go env GOVERSION 2>/dev/null || true)
  minor=$(printf '%s\n' "$v" | sed -nE 's/^go1\.([0-9]+).*/\1/p')
  if [[ -z $minor ]] || ((minor < GO_MIN_MINOR)); then
    die "Go 1.$GO_MIN_MINOR or newer is required (found: ${v:-unknown}); install a newer Go or set GOTOOLCHAIN=go1.$GO_MIN_MINOR.0 or later"
  fi
}

source_hash() {
  { files_hash "$SRC/go.mod" "$SRC/go.sum" "$SRC/main.go"; go env GOVERSION; } | sha256sum | cut -d' ' -f1
}

installed() {
  [[ -x $BIN && -f $STAMP ]] && [[ $(cat "$STAMP") == "$(source_hash)" ]]
}

cmd_install() {
  require_go
  if installed; then
    info "binary up to date: $BIN"
    return 0
  fi
  local t0 tmp
  t0=$(now_ms)
  info "building FerretDB into $BIN (first build takes a few minutes) ..."
  mkdir -p "$CACHE/bin"
  tmp=$BIN.tmp.$$
  if ! (cd "$SRC" && CGO_ENABLED=0 go build -mod=readonly -buildvcs=false -trimpath -o "$tmp" .) \
    >"$CACHE/install.log" 2>&1; then
    rm -f "$tmp"
    show_log_tail "$CACHE/install.log" 60
    die "go build failed (full output: $CACHE/install.log)"
  fi
  mv -f "$tmp" "$BIN"
  source_hash >"$STAMP"
  info "built in $(since "$t0")s"
}

# Send a MongoDB OP_MSG `hello` and check for ok: 1. Exit 0 when it answers.
hello_check() {
  python3 - "$FERRETDB_HOST" "$FERRETDB_PORT" <<'PY'
import socket, struct, sys

host, port = sys.argv[1], int(sys.argv[2])

def cstr(s):
    return s.encode() + b"\x00"

body = b"\x10" + cstr("hello") + struct.pack("<i", 1)
body += b"\x02" + cstr("$db") + struct.pack("<i", 6) + cstr("admin")
doc = struct.pack("<i", len(body) + 5) + body + b"\x00"
payload = struct.pack("<I", 0) + b"\x00" + doc
msg = struct.pack("<iiii", 16 + len(payload), 1, 0, 2013) + payload

try:
    with socket.create_connection((host, port), timeout=3) as s:
        s.settimeout(3)
        s.sendall(msg)
        header = b""
        while len(header) < 16:
            chunk = s.recv(16 - len(header))
            if not chunk:
                sys.exit(1)
            header += chunk
        length = struct.unpack("<i", header[:4])[0]
        rest = b""
        while len(rest) < length - 16:
            chunk = s.recv(length - 16 - len(rest))
            if not chunk:
                sys.exit(1)
            rest += chunk
except OSError:
    sys.exit(1)

i = rest.find(b"\x01ok\x00")
if i < 0:
    sys.exit(1)
ok = struct.unpack("<d", rest[i + 4:i + 12])[0]
sys.exit(0 if ok == 1.0 else 1)
PY
}

cmd_start() {
  local pid t0
  if pid=$(running_pid "$PIDFILE" "$MARKER"); then
    info "already running (PID $pid) on $FERRETDB_HOST:$FERRETDB_PORT"
    return 0
  fi
  rm -f "$PIDFILE"
  cmd_install
  if port_listening "$FERRETDB_PORT"; then
    die "port $FERRETDB_HOST:$FERRETDB_PORT is already in use by another process; set FERRETDB_PORT"
  fi
  t0=$(now_ms)
  mkdir -p "$DATA"
  printf '\n==== %s starting FerretDB (port %s) ====\n' "$(date -Is)" "$FERRETDB_PORT" >>"$LOGFILE"
  spawn "$PIDFILE" "$LOGFILE" "$BIN" -data-dir "$DATA" \
    -listen "$FERRETDB_HOST:$FERRETDB_PORT" -log-level "$FERRETDB_LOG_LEVEL"
  sleep 0.3
  if ! pid=$(running_pid "$PIDFILE" "$MARKER"); then
    show_log_tail "$LOGFILE"
    rm -f "$PIDFILE"
    die "FerretDB exited right after start"
  fi
  info "started PID $pid on $FERRETDB_HOST:$FERRETDB_PORT in $(since "$t0")s (log: $LOGFILE); run '$0 wait' to block until ready"
}

cmd_wait() {
  local t0 deadline pid have_python=1
  t0=$(now_ms)
  deadline=$((SECONDS + FERRETDB_WAIT_TIMEOUT))
  command -v python3 >/dev/null 2>&1 || {
    have_python=0
    warn "python3 not found: only checking that the port accepts connections"
  }
  info "waiting up to ${FERRETDB_WAIT_TIMEOUT}s for $FERRETDB_HOST:$FERRETDB_PORT ..."
  while :; do
    if ! pid=$(running_pid "$PIDFILE" "$MARKER"); then
      show_log_tail "$LOGFILE"
      die "FerretDB is not running (start it with '$0 start')"
    fi
    if port_listening "$FERRETDB_PORT" && { ((have_python == 0)) || hello_check; }; then
      info "ready after $(since "$t0")s (PID $pid, mongodb://$FERRETDB_HOST:$FERRETDB_PORT/)"
      return 0
    fi
    if ((SECONDS >= deadline)); then
      show_log_tail "$LOGFILE" 60
      die "FerretDB not ready after ${FERRETDB_WAIT_TIMEOUT}s"
    fi
    sleep 0.2
  done
}

cmd_stop() {
  stop_from_pidfile "$PIDFILE" "$MARKER" "$FERRETDB_STOP_TIMEOUT"
}

cmd_status() {
  report_status "$PIDFILE" "$MARKER" "$FERRETDB_HOST" "$FERRETDB_PORT" "$DATA"
}

cmd_logs() {
  show_log "$LOGFILE"
}

cmd_clean() {
  stop_and_remove_data "$PIDFILE" "$MARKER" "$FERRETDB_STOP_TIMEOUT" "$DATA"
}

case "${1:-}" in
  install) cmd_install ;;
  start) cmd_start ;;
  wait) cmd_wait ;;
  up) cmd_start && cmd_wait ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  logs) cmd_logs ;;
  clean) cmd_clean ;;
  *)
    echo "usage: $0 {install|start|wait|up|stop|status|logs|clean}" >&2
    exit 2
    ;;
esac
