#!/usr/bin/env bash
# PostgreSQL from Debian's packages, as a private server on 127.0.0.1: its own data directory
# under .cache/servers/postgres and its own port, so a PostgreSQL already running on this
# machine (the system's, on 5432) is left alone.
#
# Usage: scripts/servers/postgres.sh {install|start|wait|up|stop|status|logs|clean}
#
#   install  install Debian's `postgresql` package when its programs are missing (needs root)
#   start    install if needed, create the data directory on first use, start in the background
#   wait     block until the server accepts connections (POSTGRES_WAIT_TIMEOUT s)
#   up       start + wait
#   stop     fast shutdown with pg_ctl (open connections are ended)
#   status   print whether it runs; exit 0 if running, 3 if not
#   logs     print the end of the server log
#   clean    stop, then delete the data directory (all databases)
#
# Environment (all optional):
#   POSTGRES_PORT          TCP port, default 55432
#   POSTGRES_DATA_DIR      data directory, default .cache/servers/postgres/data
#                          (relative paths are taken from the repository root)
#   POSTGRES_WAIT_TIMEOUT  seconds for `wait`, default 60
#   POSTGRES_STOP_TIMEOUT  seconds for `stop`, default 30
#   SERVERS_CACHE_DIR      cache root, default .cache/servers
#
# Connection string: postgres://postgres@127.0.0.1:55432/customers (no password: the server
# only listens on 127.0.0.1 and trusts it; for tests, never for production). The `customers`
# database is created on first start.
set -euo pipefail

SERVER_NAME=postgres
# shellcheck source-path=SCRIPTDIR source=_common.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/_common.sh"

POSTGRES_HOST=127.0.0.1
POSTGRES_PORT=${POSTGRES_PORT:-55432}
POSTGRES_WAIT_TIMEOUT=${POSTGRES_WAIT_TIMEOUT:-60}
POSTGRES_STOP_TIMEOUT=${POSTGRES_STOP_TIMEOUT:-30}
DATABASE=customers

CACHE=$SERVERS_CACHE_DIR/postgres
DATA=$(abspath "${POSTGRES_DATA_DIR:-$CACHE/data}")
LOGFILE=$CACHE/postgres.log
PIDFILE=$DATA/postmaster.pid

# The newest PostgreSQL that Debian's packages installed (/usr/lib/postgresql/<major>/bin).
bin_dir() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [[ -n $dir && -x $dir/initdb ]] || return 1
  printf '%s\n' "$dir"
}

# PostgreSQL refuses to run as root: as root, its programs run as the `postgres` user the
# package creates, and that user owns the data directory.
as_server_user() {
  if [[ $(id -u) == 0 ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

cmd_install() {
  if bin_dir >/dev/null; then
    info "installed: $(bin_dir)"
    return 0
  fi
  [[ $(id -u) == 0 ]] || die "PostgreSQL is not installed; install Debian's package as root: apt-get install postgresql"
  local t0
  t0=$(now_ms)
  info "installing Debian's postgresql package ..."
  mkdir -p "$CACHE"
  # The package's own cluster (port 5432) is not started here: only this script's server runs.
  if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql; } >"$CACHE/install.log" 2>&1; then
    show_log_tail "$CACHE/install.log" 40
    die "apt-get install postgresql failed (full output: $CACHE/install.log)"
  fi
  bin_dir >/dev/null || die "the postgresql package installed no /usr/lib/postgresql/*/bin/initdb"
  info "installed $(bin_dir) in $(since "$t0")s"
}

# The postmaster's PID, when the server recorded in the data directory runs.
server_pid() {
  local pid
  [[ -f $PIDFILE ]] || return 1
  # postmaster.pid holds more than the PID: its first line is the PID.
  pid=$(head -n 1 "$PIDFILE" | tr -dc '0-9')
  [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$DATA" || return 1
  printf '%s\n' "$pid"
}

init_data() {
  [[ -f $DATA/PG_VERSION ]] && return 0
  local bin
  bin=$(bin_dir)
  info "creating the data directory $DATA"
  mkdir -p "$DATA"
  chmod 700 "$DATA"
  if [[ $(id -u) == 0 ]]; then
    chown postgres:postgres "$DATA"
    # The server user must reach the data directory through the folders above it.
    local dir=$DATA
    while dir=$(dirname "$dir") && [[ $dir != / ]]; do chmod o+x "$dir" 2>/dev/null || true; done
  fi
  if ! as_server_user "$bin/initdb" -D "$DATA" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$CACHE/initdb.log" 2>&1; then
    show_log_tail "$CACHE/initdb.log"
    die "initdb failed"
  fi
}

cmd_start() {
  local pid t0 bin
  if pid=$(server_pid); then
    info "already running (PID $pid) on $POSTGRES_HOST:$POSTGRES_PORT"
    return 0
  fi
  cmd_install
  bin=$(bin_dir)
  if port_listening "$POSTGRES_PORT"; then
    die "port $POSTGRES_HOST:$POSTGRES_PORT is already in use by another process; set POSTGRES_PORT"
  fi
  mkdir -p "$CACHE"
  init_data
  t0=$(now_ms)
  touch "$LOGFILE"
  [[ $(id -u) == 0 ]] && chown postgres:postgres "$LOGFILE"
  # Unix sockets in the data directory (the system's /var/run/postgresql is not ours);
  # fsync stays on: the tests prove durability with it.
  if ! as_server_user "$bin/pg_ctl" start -D "$DATA" -l "$LOGFILE" -w -t "$POSTGRES_WAIT_TIMEOUT" \
    -o "-c listen_addresses=$POSTGRES_HOST -p $POSTGRES_PORT -k $DATA -c max_connections=200" >/dev/null; then
    show_log_tail "$LOGFILE"
    die "PostgreSQL did not start"
  fi
  pid=$(server_pid) || die "PostgreSQL exited right after start"
  info "started PID $pid on $POSTGRES_HOST:$POSTGRES_PORT in $(since "$t0")s (log: $LOGFILE)"
}

cmd_wait() {
  local t0 deadline bin
  bin=$(bin_dir) || die "PostgreSQL is not installed (run '$0 install')"
  t0=$(now_ms)
  deadline=$((SECONDS + POSTGRES_WAIT_TIMEOUT))
  while ! "$bin/pg_isready" -q -h "$POSTGRES_HOST" -p "$POSTGRES_PORT"; do
    server_pid >/dev/null || {
      show_log_tail "$LOGFILE"
      die "PostgreSQL is not running (start it with '$0 start')"
    }
    if ((SECONDS >= deadline)); then
      show_log_tail "$LOGFILE"
      die "PostgreSQL not ready after ${POSTGRES_WAIT_TIMEOUT}s"
    fi
    sleep 0.2
  done
  if ! "$bin/psql" -qtA -h "$POSTGRES_HOST" -p "$POSTGRES_PORT" -U postgres -d postgres -c "SELECT 1 FROM pg_database WHERE datname = '$DATABASE'" | grep -q 1; then
    "$bin/psql" -q -h "$POSTGRES_HOST" -p "$POSTGRES_PORT" -U postgres -d postgres -c "CREATE DATABASE $DATABASE" >/dev/null
  fi
  info "ready after $(since "$t0")s (postgres://postgres@$POSTGRES_HOST:$POSTGRES_PORT/$DATABASE)"
}

cmd_stop() {
  local bin
  if ! server_pid >/dev/null; then
    info "not running"
    return 0
  fi
  bin=$(bin_dir)
  info "stopping (fast shutdown)"
  as_server_user "$bin/pg_ctl" stop -D "$DATA" -m fast -w -t "$POSTGRES_STOP_TIMEOUT" >/dev/null || die "PostgreSQL did not stop within ${POSTGRES_STOP_TIMEOUT}s"
  info "stopped"
}

cmd_status() {
  local pid
  if pid=$(server_pid); then
    info "running (PID $pid), listening on $POSTGRES_HOST:$POSTGRES_PORT, data $DATA"
    return 0
  fi
  info "not running (data $DATA)"
  return 3
}

cmd_logs() {
  show_log "$LOGFILE"
}

cmd_clean() {
  cmd_stop
  info "removing $DATA"
  rm -rf "$DATA"
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
