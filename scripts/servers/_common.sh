# shellcheck shell=bash
# Shared helpers for scripts/servers/*.sh. Source it; do not run it.
#
# Expects the sourcing script to set SERVER_NAME (used as a log prefix).

SERVERS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$SERVERS_DIR/../.." && pwd)
SERVERS_CACHE_DIR=${SERVERS_CACHE_DIR:-$REPO_ROOT/.cache/servers}

info() { printf '[%s] %s\n' "${SERVER_NAME:-server}" "$*"; }
warn() { printf '[%s] WARNING: %s\n' "${SERVER_NAME:-server}" "$*" >&2; }
die() {
  printf '[%s] ERROR: %s\n' "${SERVER_NAME:-server}" "$*" >&2
  exit 1
}

# Resolve a path: absolute paths are kept, relative ones are taken from the
# repository root (so the scripts behave the same from any directory).
abspath() {
  case "$1" in
    /*) printf '%s\n' "$1" ;;
    *) printf '%s\n' "$REPO_ROOT/$1" ;;
  esac
}

now_ms() { date +%s%3N; }

# Seconds since a now_ms timestamp, with one decimal.
since() {
  local start=$1 end
  end=$(now_ms)
  awk -v d=$((end - start)) 'BEGIN { printf "%.1f", d / 1000 }'
}

# sha256 of the concatenated contents of the given files.
files_hash() {
  cat "$@" | sha256sum | cut -d' ' -f1
}

# True if some process listens on the TCP port (any local address).
# Reads /proc/net/tcp{,6} instead of connecting, so servers log nothing.
port_listening() {
  local hex
  hex=$(printf ':%04X' "$1")
  awk -v p="$hex" '$4 == "0A" && substr($2, length($2) - 4) == p { found = 1 } END { exit !found }' \
    /proc/net/tcp /proc/net/tcp6 2>/dev/null
}

# Print the PID stored in a pid file if that process is alive and its
# command line contains the given marker (protects against PID reuse).
# Returns 1 otherwise.
running_pid() {
  local pidfile=$1 marker=$2 pid
  [[ -f $pidfile ]] || return 1
  pid=$(tr -dc '0-9' <"$pidfile")
  [[ -n $pid ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  [[ -r /proc/$pid/cmdline ]] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$marker" || return 1
  # A zombie is not running.
  [[ $(awk '/^State:/ { print $2 }' "/proc/$pid/status" 2>/dev/null) != Z ]] || return 1
  printf '%s\n' "$pid"
}

show_log_tail() {
  local file=$1 lines=${2:-40}
  if [[ -s $file ]]; then
    printf '[%s] ---- last %s lines of %s ----\n' "${SERVER_NAME:-server}" "$lines" "$file" >&2
    tail -n "$lines" "$file" >&2
    printf '[%s] ---- end of log ----\n' "${SERVER_NAME:-server}" >&2
  else
    printf '[%s] (log file %s is empty or missing)\n' "${SERVER_NAME:-server}" "$file" >&2
  fi
}

# Stop the process recorded in a pid file: SIGTERM, then SIGKILL after
# `timeout` seconds. Only touches that PID, and only if its command line
# contains the marker.
stop_from_pidfile() {
  local pidfile=$1 marker=$2 timeout=$3 pid waited=0
  if ! pid=$(running_pid "$pidfile" "$marker"); then
    if [[ -f $pidfile ]]; then
      info "not running (removing stale pid file $pidfile)"
      rm -f "$pidfile"
    else
      info "not running"
    fi
    return 0
  fi
  info "stopping PID $pid (SIGTERM)"
  kill -TERM "$pid" 2>/dev/null || true
  while kill -0 "$pid" 2>/dev/null; do
    if ((waited >= timeout * 10)); then
      warn "PID $pid still alive after ${timeout}s, sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      sleep 0.5
      break
    fi
    sleep 0.1
    waited=$((waited + 1))
  done
  rm -f "$pidfile"
  info "stopped"
}

# Start a command in the background, detached from stdin, appending its
# output to a log file, and record its PID.
spawn() {
  local pidfile=$1 logfile=$2
  shift 2
  nohup "$@" </dev/null >>"$logfile" 2>&1 &
  printf '%s\n' "$!" >"$pidfile"
}

# Say whether the server recorded in a pid file runs and listens: exit 0 if it runs, 3 if not.
report_status() {
  local pidfile=$1 marker=$2 host=$3 port=$4 data=$5 pid
  if pid=$(running_pid "$pidfile" "$marker"); then
    if port_listening "$port"; then
      info "running (PID $pid), listening on $host:$port, data $data"
    else
      info "running (PID $pid), not yet listening on $host:$port"
    fi
    return 0
  fi
  info "not running (data $data)"
  return 3
}

show_log() {
  local logfile=$1
  [[ -f $logfile ]] || die "no log file at $logfile"
  tail -n "${LINES_TO_SHOW:-100}" "$logfile"
}

# Stop the server, then delete its data directory.
stop_and_remove_data() {
  local pidfile=$1 marker=$2 timeout=$3 data=$4
  stop_from_pidfile "$pidfile" "$marker" "$timeout"
  info "removing $data"
  rm -rf "$data"
}
