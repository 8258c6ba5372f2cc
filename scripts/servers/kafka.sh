#!/usr/bin/env bash
# Single-node Apache Kafka (KRaft, broker + controller in one JVM) on 127.0.0.1,
# without Docker. The jars come from Maven Central (see kafka/pom.xml).
#
# Usage: scripts/servers/kafka.sh {install|start|wait|up|stop|status|logs|clean}
#
#   install  resolve the Kafka jars into the cache (skipped when up to date)
#   start    install if needed, format storage once, start the broker in the background
#   wait     block until the broker answers a topic listing (KAFKA_WAIT_TIMEOUT s)
#   up       start + wait
#   stop     stop the broker started by `start` (SIGTERM, then SIGKILL)
#   status   print whether it runs; exit 0 if running, 3 if not
#   logs     print the end of the server log
#   clean    stop, then delete the data directory (topics, offsets, logs)
#   topics ARGS...     run the kafka-topics tool against the broker, e.g.
#                      kafka.sh topics --create --topic t1 --partitions 3
#   run CLASS ARGS...  run any Java main class from the Kafka class path, e.g.
#                      kafka.sh run org.apache.kafka.tools.ConsoleProducer --bootstrap-server 127.0.0.1:9092 --topic t1
#
# Environment (all optional):
#   KAFKA_PORT             client (PLAINTEXT) port, default 9092
#   KAFKA_ADVERTISED_PORT  port clients are told to connect to, default KAFKA_PORT (a proxy
#                          in front of the broker, as the fault tests put there)
#   KAFKA_CONTROLLER_PORT  KRaft controller port, default 9093
#   KAFKA_DATA_DIR         data directory, default .cache/servers/kafka/data
#                          (relative paths are taken from the repository root)
#   KAFKA_HEAP_OPTS        JVM heap flags, default "-Xms256m -Xmx512m"
#   KAFKA_LOG_LEVEL        log level of the server log, default WARN
#   KAFKA_AUTO_CREATE_TOPICS  true to let producers create topics, default false
#   KAFKA_WAIT_TIMEOUT     seconds for `wait`, default 90
#   KAFKA_STOP_TIMEOUT     seconds before SIGKILL on `stop`, default 30
#   SERVERS_CACHE_DIR      cache root, default .cache/servers
set -euo pipefail

SERVER_NAME=kafka
# shellcheck source-path=SCRIPTDIR source=_common.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/_common.sh"

KAFKA_PORT=${KAFKA_PORT:-9092}
KAFKA_CONTROLLER_PORT=${KAFKA_CONTROLLER_PORT:-9093}
KAFKA_ADVERTISED_PORT=${KAFKA_ADVERTISED_PORT:-$KAFKA_PORT}
KAFKA_HOST=127.0.0.1
KAFKA_HEAP_OPTS=${KAFKA_HEAP_OPTS:--Xms256m -Xmx512m}
KAFKA_LOG_LEVEL=${KAFKA_LOG_LEVEL:-WARN}
KAFKA_AUTO_CREATE_TOPICS=${KAFKA_AUTO_CREATE_TOPICS:-false}
KAFKA_WAIT_TIMEOUT=${KAFKA_WAIT_TIMEOUT:-90}
KAFKA_STOP_TIMEOUT=${KAFKA_STOP_TIMEOUT:-30}

POM=$SERVERS_DIR/kafka/pom.xml
CACHE=$SERVERS_CACHE_DIR/kafka
LIB=$CACHE/lib
STAMP=$CACHE/lib.stamp
DATA=$(abspath "${KAFKA_DATA_DIR:-$CACHE/data}")
CONFIG=$DATA/server.properties
LOG4J_CONFIG=$DATA/log4j2.properties
CLIENT_CONFIG=$DATA/client.properties
LOG_DIRS=$DATA/kraft
PIDFILE=$DATA/kafka.pid
LOGFILE=$DATA/server.log
CLUSTER_ID_FILE=$DATA/cluster.id
# Marker searched in the process command line before signalling a PID.
MARKER="kafka.Kafka $CONFIG"

require_java() {
  command -v java >/dev/null 2>&1 || die "java not found (Java 17 or newer is required)"
  local v
  v=$(java -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ { print $2 }')
  if ! [[ ${v%%.*} =~ ^[0-9]+$ ]] || ((${v%%.*} < 17)); then
    die "Java 17 or newer is required (found: ${v:-unknown})"
  fi
}

pom_hash() { files_hash "$POM"; }

installed() {
  [[ -f $STAMP && -d $LIB ]] && [[ $(cat "$STAMP") == "$(pom_hash)" ]]
}

cmd_install() {
  if installed; then
    info "jars already resolved in $LIB"
    return 0
  fi
  require_java
  command -v mvn >/dev/null 2>&1 || die "mvn (Maven 3) not found"
  local t0 tmp
  t0=$(now_ms)
  info "resolving Kafka jars with Maven into $LIB ..."
  mkdir -p "$CACHE"
  tmp=$CACHE/lib.tmp.$$
  rm -rf "$tmp"
  if ! mvn -B -q --no-transfer-progress -f "$POM" \
    dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$tmp" \
    >"$CACHE/install.log" 2>&1; then
    rm -rf "$tmp"
    show_log_tail "$CACHE/install.log" 60
    die "Maven could not resolve the Kafka jars (full output: $CACHE/install.log)"
  fi
  [[ -f $(printf '%s\n' "$tmp"/kafka_2.13-*.jar | head -n1) ]] || die "Maven output lacks kafka_2.13 jar"
  rm -rf "$LIB"
  mv "$tmp" "$LIB"
  pom_hash >"$STAMP"
  info "installed $(find "$LIB" -name '*.jar' | wc -l) jars in $(since "$t0")s"
}

java_cmd() {
  # shellcheck disable=SC2086 # KAFKA_HEAP_OPTS holds several flags
  printf '%s\0' java $KAFKA_HEAP_OPTS -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
    -Djava.awt.headless=true -Dlog4j2.configurationFile="$LOG4J_CONFIG" \
    -cp "$LIB/*"
}

write_configs() {
  mkdir -p "$DATA" "$LOG_DIRS"
  cat >"$CONFIG" <<EOF
# Written by scripts/servers/kafka.sh on each start; edits are overwritten.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@$KAFKA_HOST:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://$KAFKA_HOST:$KAFKA_PORT,CONTROLLER://$KAFKA_HOST:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://$KAFKA_HOST:$KAFKA_ADVERTISED_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$LOG_DIRS
num.partitions=1
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=$KAFKA_AUTO_CREATE_TOPICS
delete.topic.enable=true
log.retention.hours=24
log.segment.bytes=67108864
EOF
  cat >"$LOG4J_CONFIG" <<EOF
# Written by scripts/servers/kafka.sh; the console output goes to $LOGFILE.
status = warn
appender.console.type = Console
appender.console.name = STDOUT
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = $KAFKA_LOG_LEVEL
rootLogger.appenderRef.stdout.ref = STDOUT
# Keep the start/stop lines of the server visible at any level.
logger.server.name = kafka.server.KafkaRaftServer
logger.server.level = INFO
EOF
  cat >"$CLIENT_CONFIG" <<EOF
request.timeout.ms=5000
default.api.timeout.ms=8000
EOF
}

format_storage() {
  if [[ -f $LOG_DIRS/meta.properties ]]; then
    return 0
  fi
  local cluster_id
  if [[ -s $CLUSTER_ID_FILE ]]; then
    cluster_id=$(cat "$CLUSTER_ID_FILE")
  else
    # 16 random bytes, URL-safe base64 without padding: Kafka's cluster id format. An id
    # may start with "-"; drawing again until it does not keeps it readable on any command line.
    cluster_id=-
    while [[ $cluster_id == -* ]]; do
      cluster_id=$(head -c16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')
    done
    printf '%s\n' "$cluster_id" >"$CLUSTER_ID_FILE"
  fi
  info "formatting storage in $LOG_DIRS (cluster id $cluster_id)"
  local -a java
  mapfile -d '' java < <(java_cmd)
  if ! "${java[@]}" kafka.tools.StorageTool format --ignore-formatted \
    "--cluster-id=$cluster_id" -c "$CONFIG" >>"$LOGFILE" 2>&1; then
    show_log_tail "$LOGFILE"
    die "storage format failed"
  fi
}

cmd_start() {
  local pid t0
  if pid=$(running_pid "$PIDFILE" "$MARKER"); then
    info "already running (PID $pid) on $KAFKA_HOST:$KAFKA_PORT"
    return 0
  fi
  rm -f "$PIDFILE"
  cmd_install
  require_java
  for port in "$KAFKA_PORT" "$KAFKA_CONTROLLER_PORT"; do
    if port_listening "$port"; then
      die "port $KAFKA_HOST:$port is already in use by another process; set KAFKA_PORT / KAFKA_CONTROLLER_PORT"
    fi
  done
  t0=$(now_ms)
  write_configs
  printf '\n==== %s starting Kafka (port %s) ====\n' "$(date -Is)" "$KAFKA_PORT" >>"$LOGFILE"
  format_storage
  local -a java
  mapfile -d '' java < <(java_cmd)
  spawn "$PIDFILE" "$LOGFILE" "${java[@]}" kafka.Kafka "$CONFIG"
  sleep 0.5
  if ! pid=$(running_pid "$PIDFILE" "$MARKER"); then
    show_log_tail "$LOGFILE"
    rm -f "$PIDFILE"
    die "Kafka exited right after start"
  fi
  info "started PID $pid on $KAFKA_HOST:$KAFKA_PORT in $(since "$t0")s (log: $LOGFILE); run '$0 wait' to block until ready"
}

cmd_wait() {
  local t0 deadline pid delay
  t0=$(now_ms)
  deadline=$((SECONDS + KAFKA_WAIT_TIMEOUT))
  [[ -d $LIB ]] || die "not installed; run '$0 install' and '$0 start' first"
  local -a java
  mapfile -d '' java < <(java_cmd)
  info "waiting up to ${KAFKA_WAIT_TIMEOUT}s for $KAFKA_HOST:$KAFKA_PORT ..."
  while :; do
    if ! pid=$(running_pid "$PIDFILE" "$MARKER"); then
      show_log_tail "$LOGFILE"
      die "Kafka is not running (start it with '$0 start')"
    fi
    if port_listening "$KAFKA_PORT"; then
      # Listening is not enough: ask for the topic list through the admin API.
      if timeout 30 "${java[@]}" org.apache.kafka.tools.TopicCommand \
        --bootstrap-server "$KAFKA_HOST:$KAFKA_PORT" --command-config "$CLIENT_CONFIG" \
        --list >/dev/null 2>&1; then
        info "ready after $(since "$t0")s (PID $pid, bootstrap $KAFKA_HOST:$KAFKA_PORT)"
        return 0
      fi
      delay=1
    else
      delay=0.25
    fi
    if ((SECONDS >= deadline)); then
      show_log_tail "$LOGFILE" 60
      die "Kafka not ready after ${KAFKA_WAIT_TIMEOUT}s"
    fi
    sleep "$delay"
  done
}

cmd_stop() {
  stop_from_pidfile "$PIDFILE" "$MARKER" "$KAFKA_STOP_TIMEOUT"
}

cmd_status() {
  report_status "$PIDFILE" "$MARKER" "$KAFKA_HOST" "$KAFKA_PORT" "$DATA"
}

cmd_logs() {
  show_log "$LOGFILE"
}

cmd_run() {
  [[ $# -ge 1 ]] || die "usage: $0 run CLASS [ARGS...]"
  cmd_install >/dev/null
  [[ -f $LOG4J_CONFIG ]] || write_configs
  local -a java
  mapfile -d '' java < <(java_cmd)
  exec "${java[@]}" "$@"
}

cmd_topics() {
  cmd_run org.apache.kafka.tools.TopicCommand --bootstrap-server "$KAFKA_HOST:$KAFKA_PORT" "$@"
}

cmd_clean() {
  stop_and_remove_data "$PIDFILE" "$MARKER" "$KAFKA_STOP_TIMEOUT" "$DATA"
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
  run) shift && cmd_run "$@" ;;
  topics) shift && cmd_topics "$@" ;;
  *)
    echo "usage: $0 {install|start|wait|up|stop|status|logs|clean|topics ARGS|run CLASS ARGS}" >&2
    exit 2
    ;;
esac
