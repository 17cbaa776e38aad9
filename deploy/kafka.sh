#!/usr/bin/env bash
# deploy/kafka.sh — a real single-node Apache Kafka broker (KRaft, combined
# broker+controller) for development, integration tests and benchmarks.
# No Docker: the broker jars come from Maven Central (deploy/kafka/pom.xml),
# cached in deploy/.cache/kafka-libs; the broker runs on Java 17+.
#
# Usage: deploy/kafka.sh start|stop|status|wait|env|fetch|reset-topics [TOPIC...]
#   start         fetch the jars if needed, format storage once, start the broker
#                 in the background (or reuse a running one), wait until it
#                 answers, print KAFKA_BOOTSTRAP=host:port on stdout
#   stop          stop the broker this script started (pid file) and wait for exit
#   status        exit 0 if a broker answers on the port, 1 otherwise
#   wait          wait until the broker answers (PAKN_KAFKA_WAIT_TIMEOUT s)
#   env           print KAFKA_BOOTSTRAP=host:port
#   reset-topics  delete the given topics, or every non-internal topic
#   fetch         fetch the jars only (deploy/kafka-cluster.sh uses the same ones)
#
# Environment:
#   PAKN_KAFKA_PORT             PLAINTEXT port (default 19092)
#   PAKN_KAFKA_CONTROLLER_PORT  CONTROLLER port (default 19093)
#   PAKN_VAR                    state dir (default <repo>/var); data in $PAKN_VAR/kafka
#   PAKN_KAFKA_WAIT_TIMEOUT     readiness timeout in seconds (default 90)
#   PAKN_KAFKA_JAVA_OPTS        extra JVM options for the broker
#   JAVA_HOME                   which Java to use (default: java on PATH)
#
# Only the KAFKA_BOOTSTRAP line goes to stdout; progress goes to stderr, so
# `eval "$(deploy/kafka.sh start)"` works.
set -euo pipefail

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
REPO_ROOT=$(cd -- "$SCRIPT_DIR/.." && pwd -P)

HOST=127.0.0.1
KAFKA_PORT=${PAKN_KAFKA_PORT:-19092}
CONTROLLER_PORT=${PAKN_KAFKA_CONTROLLER_PORT:-19093}
BOOTSTRAP=$HOST:$KAFKA_PORT
WAIT_TIMEOUT=${PAKN_KAFKA_WAIT_TIMEOUT:-90}
STOP_TIMEOUT=60

VAR_DIR=${PAKN_VAR:-$REPO_ROOT/var}
case $VAR_DIR in
  /*) ;;
  *) VAR_DIR=$PWD/$VAR_DIR ;;
esac
DATA_DIR=$VAR_DIR/kafka
LOG_DIRS=$DATA_DIR/data
PID_FILE=$DATA_DIR/kafka.pid
BROKER_LOG=$DATA_DIR/broker.log
SERVER_PROPS=$DATA_DIR/server.properties
CLIENT_PROPS=$DATA_DIR/client.properties
CLUSTER_ID_FILE=$DATA_DIR/cluster.id
LOCK_FILE=$DATA_DIR/.lock

CACHE_DIR=$SCRIPT_DIR/.cache
LIBS_DIR=$CACHE_DIR/kafka-libs
POM=$SCRIPT_DIR/kafka/pom.xml
LOG4J_CONF=$SCRIPT_DIR/kafka/log4j2.properties

if [[ -n ${JAVA_HOME:-} ]]; then
  JAVA=$JAVA_HOME/bin/java
else
  JAVA=java
fi

log() { printf 'kafka.sh: %s\n' "$*" >&2; }
die() {
  printf 'kafka.sh: error: %s\n' "$*" >&2
  exit 1
}

usage() {
  cat >&2 <<EOF
usage: deploy/kafka.sh start|stop|status|wait|env|fetch|reset-topics [TOPIC...]
EOF
  exit 2
}

check_port_number() {
  if ! [[ $2 =~ ^[0-9]+$ ]] || ((10#$2 < 1 || 10#$2 > 65535)); then
    die "$1 must be a TCP port number, got '$2'"
  fi
}

# --- Java and the broker jars ------------------------------------------------

require_java() {
  command -v "$JAVA" >/dev/null 2>&1 \
    || die "java not found (need Java 17+; install openjdk-17-jre-headless or set JAVA_HOME)"
  local version major
  version=$("$JAVA" -version 2>&1 | sed -n 's/.*version "\([^"]*\)".*/\1/p' | head -n1)
  major=${version%%.*}
  [[ $major =~ ^[0-9]+$ ]] || die "cannot tell the Java version from '$JAVA -version'"
  ((major >= 17)) || die "Kafka 4 needs Java 17+, found $version ($JAVA)"
}

pom_digest() { sha256sum "$POM" | cut -d' ' -f1; }

libs_ready() {
  [[ -f $LIBS_DIR/.pom.sha256 ]] && [[ $(<"$LIBS_DIR/.pom.sha256") == "$(pom_digest)" ]]
}

# Fetch the jars with Maven unless the cache already matches the pom.
ensure_libs() {
  libs_ready && return 0
  mkdir -p "$CACHE_DIR"
  local lock_fd
  exec {lock_fd}>"$CACHE_DIR/.kafka-libs.lock"
  flock -w 600 "$lock_fd" || die "timed out waiting for another jar download"
  if ! libs_ready; then
    command -v mvn >/dev/null 2>&1 || die "mvn not found (install maven) and no cached jars in $LIBS_DIR"
    local tmp=$LIBS_DIR.tmp.$$ started=$SECONDS
    rm -rf "$tmp"
    log "fetching Kafka jars with Maven into $LIBS_DIR (once) ..."
    if ! mvn -q -B -f "$POM" dependency:copy-dependencies \
      -DincludeScope=runtime -DoutputDirectory="$tmp" >"$CACHE_DIR/kafka-libs-mvn.log" 2>&1; then
      rm -rf "$tmp"
      tail -n 30 "$CACHE_DIR/kafka-libs-mvn.log" >&2 || true
      die "Maven could not fetch the Kafka jars (log: $CACHE_DIR/kafka-libs-mvn.log)"
    fi
    compgen -G "$tmp/kafka_2.13-*.jar" >/dev/null || die "Maven ran but no kafka_2.13 jar in $tmp"
    pom_digest >"$tmp/.pom.sha256"
    rm -rf "$LIBS_DIR"
    mv "$tmp" "$LIBS_DIR"
    log "jars fetched in $((SECONDS - started)) s"
  fi
  exec {lock_fd}>&-
}

# Run a Kafka command-line tool (StorageTool, TopicCommand, ...) from the jars.
# TOOL_TIMEOUT (seconds, default 120) bounds each run.
run_tool() {
  mkdir -p "$DATA_DIR"
  timeout "${TOOL_TIMEOUT:-120}" "$JAVA" -Xms32m -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \
    -Djava.awt.headless=true \
    -Dkafka.logs.dir="$DATA_DIR" -Dpakn.kafka.log.file=tools.log \
    -Dlog4j2.configurationFile="file:$LOG4J_CONF" \
    -cp "$LIBS_DIR/*" "$@"
}

topic_command() {
  write_client_props
  TOOL_TIMEOUT=60 run_tool org.apache.kafka.tools.TopicCommand \
    --bootstrap-server "$BOOTSTRAP" --command-config "$CLIENT_PROPS" "$@"
}

# --- processes ---------------------------------------------------------------

pid_alive() {
  local pid=$1 state
  [[ -r /proc/$pid/stat ]] || return 1
  state=$(sed 's/^.*) //' "/proc/$pid/stat" 2>/dev/null | cut -d' ' -f1) || return 1
  [[ -n $state && $state != Z && $state != X ]]
}

# Prints the pid of the broker this script started (for this data dir), if alive.
our_pid() {
  [[ -f $PID_FILE ]] || return 1
  local pid cmdline
  pid=$(<"$PID_FILE")
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  pid_alive "$pid" || return 1
  cmdline=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || return 1
  [[ $cmdline == *kafka.Kafka* && $cmdline == *"$SERVER_PROPS"* ]] || return 1
  printf '%s\n' "$pid"
}

port_open() {
  # shellcheck disable=SC2016  # $0 and $1 are for the inner bash
  timeout 2 bash -c 'exec 3<>"/dev/tcp/$0/$1"' "$HOST" "$1" 2>/dev/null
}

# True when a Kafka broker answers a metadata request on $BOOTSTRAP.
broker_answers() {
  port_open "$KAFKA_PORT" || return 1
  topic_command --list >/dev/null 2>&1
}

# wait_ready [PID]: wait until the broker answers; fail early if PID dies.
wait_ready() {
  local pid=${1:-} deadline=$((SECONDS + WAIT_TIMEOUT))
  while ((SECONDS < deadline)); do
    if [[ -n $pid ]] && ! pid_alive "$pid"; then
      tail -n 40 "$BROKER_LOG" >&2 2>/dev/null || true
      die "the broker (pid $pid) exited during startup; see $BROKER_LOG"
    fi
    if broker_answers; then
      return 0
    fi
    sleep 1
  done
  return 1
}

write_client_props() {
  mkdir -p "$DATA_DIR"
  [[ -f $CLIENT_PROPS ]] && return 0
  cat >"$CLIENT_PROPS" <<'EOF'
# Admin-client settings for the tools run by deploy/kafka.sh.
request.timeout.ms=5000
default.api.timeout.ms=10000
EOF
}

write_server_props() {
  cat >"$SERVER_PROPS" <<EOF
# Written by deploy/kafka.sh on every start; edits are lost.
# Single-node KRaft: this process is both broker and controller.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@$HOST:$CONTROLLER_PORT
listeners=PLAINTEXT://$HOST:$KAFKA_PORT,CONTROLLER://$HOST:$CONTROLLER_PORT
advertised.listeners=PLAINTEXT://$HOST:$KAFKA_PORT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
log.dirs=$LOG_DIRS

# Topics.
auto.create.topics.enable=true
num.partitions=3
default.replication.factor=1
min.insync.replicas=1
delete.topic.enable=true

# One node: internal topics must have replication factor 1, or consumer
# groups and transactions hang.
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1

# Fast tests.
offsets.topic.num.partitions=1
transaction.state.log.num.partitions=1
share.coordinator.state.topic.num.partitions=1
group.initial.rebalance.delay.ms=0

# Small machine.
num.network.threads=2
num.io.threads=4
log.cleaner.dedupe.buffer.size=33554432
EOF
}

# Generate the cluster id once, or recover it from formatted storage.
cluster_id() {
  local id=""
  if [[ -f $LOG_DIRS/meta.properties ]]; then
    id=$(sed -n 's/^cluster\.id=//p' "$LOG_DIRS/meta.properties")
  fi
  if [[ -z $id && -s $CLUSTER_ID_FILE ]]; then
    id=$(<"$CLUSTER_ID_FILE")
  fi
  if [[ -z $id ]]; then
    id=$(run_tool kafka.tools.StorageTool random-uuid | tail -n1)
    [[ $id =~ ^[A-Za-z0-9_-]{22}$ ]] || die "StorageTool random-uuid gave an unexpected id: '$id'"
  fi
  printf '%s\n' "$id" >"$CLUSTER_ID_FILE"
  printf '%s\n' "$id"
}

format_storage_once() {
  local id
  id=$(cluster_id)
  [[ -f $LOG_DIRS/meta.properties ]] && return 0
  log "formatting storage in $LOG_DIRS (cluster id $id)"
  mkdir -p "$LOG_DIRS"
  run_tool kafka.tools.StorageTool format --ignore-formatted \
    -t "$id" -c "$SERVER_PROPS" >>"$DATA_DIR/tools.log" 2>&1 \
    || die "formatting the storage failed; see $DATA_DIR/tools.log"
  printf '\n' >>"$DATA_DIR/tools.log"
}

take_lock() {
  mkdir -p "$DATA_DIR"
  exec 9>"$LOCK_FILE"
  flock -w 300 9 || die "timed out waiting for another deploy/kafka.sh on $DATA_DIR"
}

# --- commands ----------------------------------------------------------------

cmd_start() {
  require_java
  ensure_libs
  take_lock
  local pid started=$SECONDS
  if pid=$(our_pid); then
    log "broker already running (pid $pid), reusing it"
    wait_ready "$pid" || die "the running broker (pid $pid) does not answer on $BOOTSTRAP after ${WAIT_TIMEOUT}s; see $BROKER_LOG"
    printf 'KAFKA_BOOTSTRAP=%s\n' "$BOOTSTRAP"
    return 0
  fi
  rm -f "$PID_FILE"
  if port_open "$KAFKA_PORT" || port_open "$CONTROLLER_PORT"; then
    if broker_answers; then
      log "a Kafka broker not started by this script answers on $BOOTSTRAP; reusing it (stop will not touch it)"
      printf 'KAFKA_BOOTSTRAP=%s\n' "$BOOTSTRAP"
      return 0
    fi
    die "port $KAFKA_PORT or $CONTROLLER_PORT on $HOST is taken by another process; set PAKN_KAFKA_PORT / PAKN_KAFKA_CONTROLLER_PORT"
  fi

  mkdir -p "$LOG_DIRS"
  write_server_props
  write_client_props
  format_storage_once

  local -a jvm_opts=(
    -Xms256m -Xmx512m -XX:+UseG1GC -XX:MaxGCPauseMillis=20
    -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true
    -Dkafka.logs.dir="$DATA_DIR" -Dpakn.kafka.log.file=broker.log
    -Dlog4j2.configurationFile="file:$LOG4J_CONF"
  )
  if [[ -n ${PAKN_KAFKA_JAVA_OPTS:-} ]]; then
    local -a extra
    read -r -a extra <<<"$PAKN_KAFKA_JAVA_OPTS"
    jvm_opts+=("${extra[@]}")
  fi

  log "starting broker on $BOOTSTRAP (controller $HOST:$CONTROLLER_PORT), data in $DATA_DIR"
  printf '[%s] deploy/kafka.sh: starting broker\n' "$(date -Is)" >>"$BROKER_LOG"
  # A new session, so the broker outlives this shell; the child writes its own
  # pid (setsid may fork) and then becomes the JVM.
  # shellcheck disable=SC2016  # $$, $1 and $@ are for the inner bash
  setsid bash -c 'printf "%s\n" "$$" >"$1"; shift; exec "$@"' pakn-kafka "$PID_FILE" \
    "$JAVA" "${jvm_opts[@]}" -cp "$LIBS_DIR/*" kafka.Kafka "$SERVER_PROPS" \
    >>"$BROKER_LOG" 2>&1 </dev/null 9>&- &
  local i
  pid=""
  for ((i = 0; i < 50; i++)); do
    [[ -s $PID_FILE ]] && pid=$(<"$PID_FILE")
    [[ $pid =~ ^[0-9]+$ ]] && break
    sleep 0.1
  done
  [[ $pid =~ ^[0-9]+$ ]] || die "the broker did not start (no pid in $PID_FILE); see $BROKER_LOG"

  if ! wait_ready "$pid"; then
    log "the broker did not answer within ${WAIT_TIMEOUT}s; stopping it"
    stop_pid "$pid"
    rm -f "$PID_FILE"
    tail -n 40 "$BROKER_LOG" >&2 || true
    die "Kafka did not become ready on $BOOTSTRAP; see $BROKER_LOG"
  fi
  log "broker ready (pid $pid) in $((SECONDS - started)) s"
  printf 'KAFKA_BOOTSTRAP=%s\n' "$BOOTSTRAP"
}

stop_pid() {
  local pid=$1 deadline
  kill -TERM "$pid" 2>/dev/null || return 0
  deadline=$((SECONDS + STOP_TIMEOUT))
  while pid_alive "$pid" && ((SECONDS < deadline)); do
    sleep 0.5
  done
  if pid_alive "$pid"; then
    log "broker (pid $pid) still running after ${STOP_TIMEOUT}s; killing it"
    kill -KILL "$pid" 2>/dev/null || true
    while pid_alive "$pid"; do sleep 0.2; done
  fi
}

cmd_stop() {
  take_lock
  local pid
  if ! pid=$(our_pid); then
    rm -f "$PID_FILE"
    log "no broker started by this script is running"
    return 0
  fi
  log "stopping broker (pid $pid)"
  stop_pid "$pid"
  rm -f "$PID_FILE"
  log "stopped"
}

cmd_status() {
  local pid
  if pid=$(our_pid); then
    if port_open "$KAFKA_PORT"; then
      log "running (pid $pid) on $BOOTSTRAP"
      return 0
    fi
    log "process $pid is alive but $BOOTSTRAP is not open (starting or stuck; see $BROKER_LOG)"
    return 1
  fi
  if port_open "$KAFKA_PORT" && libs_ready && broker_answers; then
    log "a broker not started by this script answers on $BOOTSTRAP"
    return 0
  fi
  log "not running"
  return 1
}

cmd_wait() {
  require_java
  ensure_libs
  local pid=""
  pid=$(our_pid) || pid=""
  wait_ready "$pid" || die "no Kafka broker answered on $BOOTSTRAP within ${WAIT_TIMEOUT}s"
  printf 'KAFKA_BOOTSTRAP=%s\n' "$BOOTSTRAP"
}

cmd_env() {
  printf 'KAFKA_BOOTSTRAP=%s\n' "$BOOTSTRAP"
}

# Delete the named topics, or all non-internal ones, and wait until they are gone.
cmd_reset_topics() {
  require_java
  ensure_libs
  take_lock
  broker_answers || die "no Kafka broker answers on $BOOTSTRAP (run deploy/kafka.sh start)"
  local -a existing=() targets=()
  local t listing e
  listing=$(topic_command --list) || die "could not list topics on $BOOTSTRAP"
  mapfile -t existing <<<"$listing"
  if (($# > 0)); then
    for t in "$@"; do
      [[ $t =~ ^[A-Za-z0-9._-]+$ ]] || die "invalid topic name '$t'"
      [[ $t == __* ]] && die "refusing to delete internal topic '$t'"
      for e in "${existing[@]}"; do
        if [[ $e == "$t" ]]; then
          targets+=("$t")
          break
        fi
      done
    done
  else
    for t in "${existing[@]}"; do
      [[ -n $t && $t != __* ]] && targets+=("$t")
    done
  fi
  if ((${#targets[@]} == 0)); then
    log "no topics to delete"
    return 0
  fi
  local regex=""
  for t in "${targets[@]}"; do
    regex+="${regex:+|}${t//./\\.}"
  done
  log "deleting ${#targets[@]} topic(s): ${targets[*]}"
  topic_command --delete --if-exists --topic "^($regex)\$" >/dev/null
  local deadline=$((SECONDS + 30)) left
  while ((SECONDS < deadline)); do
    listing=$(topic_command --list) || listing=""
    left=$(grep -cxE "($regex)" <<<"$listing" || true)
    ((left == 0)) && {
      log "deleted"
      return 0
    }
    sleep 1
  done
  die "topics still listed 30 s after deletion: $regex"
}

main() {
  (($# >= 1)) || usage
  check_port_number PAKN_KAFKA_PORT "$KAFKA_PORT"
  check_port_number PAKN_KAFKA_CONTROLLER_PORT "$CONTROLLER_PORT"
  [[ $KAFKA_PORT != "$CONTROLLER_PORT" ]] || die "PAKN_KAFKA_PORT and PAKN_KAFKA_CONTROLLER_PORT must differ"
  [[ $WAIT_TIMEOUT =~ ^[0-9]+$ ]] || die "PAKN_KAFKA_WAIT_TIMEOUT must be a number of seconds"
  local cmd=$1
  shift
  case $cmd in
    start) cmd_start ;;
    stop) cmd_stop ;;
    status) cmd_status ;;
    wait) cmd_wait ;;
    env) cmd_env ;;
    reset-topics) cmd_reset_topics "$@" ;;
    fetch)
      require_java
      ensure_libs
      ;;
    -h | --help | help) usage ;;
    *)
      log "unknown command '$cmd'"
      usage
      ;;
  esac
}

main "$@"
