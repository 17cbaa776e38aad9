#!/usr/bin/env bash
# deploy/kafka-cluster.sh — a three-node Apache Kafka cluster (KRaft) with TLS,
# SASL/SCRAM and ACLs, on this machine, for the fault drills and the access tests.
# The same jars as deploy/kafka.sh (Maven Central, cached in deploy/.cache/kafka-libs).
#
# Usage: deploy/kafka-cluster.sh start|stop|status|env|kill NODE|restart NODE
#   start         create the TLS material and the admin credential once, format each
#                 node's storage once, start the nodes that are not running, wait until
#                 the cluster answers, print its settings (see env) on stdout
#   stop          stop the three nodes this script started
#   status        exit 0 if every node answers, 1 otherwise
#   env           print the client settings: bootstrap, CA file, admin user and
#                 password file (KEY=value lines, for `eval`)
#   kill NODE     kill -9 node 1, 2 or 3 (drills)
#   restart NODE  start that node again (after kill)
#
# Each node is broker and controller (a three-voter controller quorum). Listeners:
#   CLIENT     SASL_SSL, SCRAM-SHA-512: every client (services, agencies, the admin)
#   INTERNAL   SSL with client certificates: replication between the brokers
#   CONTROLLER SSL with client certificates: the KRaft quorum
# Replication factor 3 and min.insync.replicas 2 for every topic, internal ones too;
# the authorizer denies everything not granted (allow.everyone.if.no.acl.found=false);
# the node certificate and the `admin` SCRAM user are super users. Principals for the
# services and the agencies, and their ACLs, come from `pakn acls` (services/acls.py).
#
# Environment:
#   PAKN_CLUSTER_PORT   first CLIENT port (default 29092: nodes on 29092-29094;
#                       INTERNAL +100, CONTROLLER +200)
#   PAKN_VAR            state dir (default <repo>/var); data in $PAKN_VAR/kafka-cluster
#   PAKN_KAFKA_WAIT_TIMEOUT  readiness timeout in seconds (default 180)
#   JAVA_HOME           which Java to use (default: java on PATH)
set -euo pipefail

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
REPO_ROOT=$(cd -- "$SCRIPT_DIR/.." && pwd -P)

HOST=127.0.0.1
NODES=(1 2 3)
FIRST_PORT=${PAKN_CLUSTER_PORT:-29092}
WAIT_TIMEOUT=${PAKN_KAFKA_WAIT_TIMEOUT:-180}
STOP_TIMEOUT=60

VAR_DIR=${PAKN_VAR:-$REPO_ROOT/var}
case $VAR_DIR in
  /*) ;;
  *) VAR_DIR=$PWD/$VAR_DIR ;;
esac
CLUSTER_DIR=$VAR_DIR/kafka-cluster
TLS_DIR=$CLUSTER_DIR/tls
CA_PEM=$TLS_DIR/ca.pem
ADMIN_PASSWORD_FILE=$CLUSTER_DIR/admin.password
ADMIN_PROPS=$CLUSTER_DIR/admin.properties
CLUSTER_ID_FILE=$CLUSTER_DIR/cluster.id
LOCK_FILE=$CLUSTER_DIR/.lock

LIBS_DIR=$SCRIPT_DIR/.cache/kafka-libs
LOG4J_CONF=$SCRIPT_DIR/kafka/log4j2.properties

if [[ -n ${JAVA_HOME:-} ]]; then
  JAVA=$JAVA_HOME/bin/java
  KEYTOOL=$JAVA_HOME/bin/keytool
else
  JAVA=java
  KEYTOOL=keytool
fi

log() { printf 'kafka-cluster.sh: %s\n' "$*" >&2; }
die() {
  printf 'kafka-cluster.sh: error: %s\n' "$*" >&2
  exit 1
}

client_port() { echo $((FIRST_PORT + $1 - 1)); }
internal_port() { echo $((FIRST_PORT + 100 + $1 - 1)); }
controller_port() { echo $((FIRST_PORT + 200 + $1 - 1)); }
node_dir() { echo "$CLUSTER_DIR/node$1"; }
bootstrap() {
  local n list=""
  for n in "${NODES[@]}"; do list+="${list:+,}$HOST:$(client_port "$n")"; done
  echo "$list"
}
voters() {
  local n list=""
  for n in "${NODES[@]}"; do list+="${list:+,}$n@$HOST:$(controller_port "$n")"; done
  echo "$list"
}

# --- TLS material and the admin credential (once) ------------------------------

store_password() { cat "$TLS_DIR/store.password"; }

ensure_tls() {
  [[ -f $TLS_DIR/node.p12 && -f $TLS_DIR/truststore.p12 && -f $CA_PEM ]] && return 0
  command -v "$KEYTOOL" >/dev/null 2>&1 || die "keytool not found (it comes with the JDK)"
  log "creating a private CA and the node certificate in $TLS_DIR (once)"
  rm -rf "$TLS_DIR"
  mkdir -p "$TLS_DIR"
  chmod 700 "$TLS_DIR"
  head -c 24 /dev/urandom | base64 | tr -d '/+=' >"$TLS_DIR/store.password"
  local pw
  pw=$(store_password)
  local -a common=(-storetype PKCS12 -storepass "$pw" -keypass "$pw" -noprompt)
  "$KEYTOOL" -genkeypair -alias ca -keyalg RSA -keysize 2048 -validity 3650 \
    -dname "CN=PAKN local Kafka CA" -ext bc:c -keystore "$TLS_DIR/ca.p12" "${common[@]}" 2>/dev/null
  "$KEYTOOL" -exportcert -rfc -alias ca -keystore "$TLS_DIR/ca.p12" -storepass "$pw" >"$CA_PEM"
  "$KEYTOOL" -genkeypair -alias node -keyalg RSA -keysize 2048 -validity 3650 \
    -dname "CN=kafka-node" -keystore "$TLS_DIR/node.p12" "${common[@]}" 2>/dev/null
  "$KEYTOOL" -certreq -alias node -keystore "$TLS_DIR/node.p12" -storepass "$pw" \
    -file "$TLS_DIR/node.csr"
  "$KEYTOOL" -gencert -alias ca -keystore "$TLS_DIR/ca.p12" -storepass "$pw" -rfc \
    -infile "$TLS_DIR/node.csr" -outfile "$TLS_DIR/node.pem" -validity 3650 \
    -ext "SAN=IP:127.0.0.1,DNS:localhost" -ext "EKU=serverAuth,clientAuth"
  "$KEYTOOL" -importcert -alias ca -file "$CA_PEM" -keystore "$TLS_DIR/node.p12" "${common[@]}"
  "$KEYTOOL" -importcert -alias node -file "$TLS_DIR/node.pem" -keystore "$TLS_DIR/node.p12" \
    "${common[@]}"
  "$KEYTOOL" -importcert -alias ca -file "$CA_PEM" -keystore "$TLS_DIR/truststore.p12" \
    "${common[@]}"
  rm -f "$TLS_DIR/node.csr"
  chmod 600 "$TLS_DIR"/*
}

ensure_admin_password() {
  [[ -s $ADMIN_PASSWORD_FILE ]] && return 0
  mkdir -p "$CLUSTER_DIR"
  (umask 077 && head -c 24 /dev/urandom | base64 | tr -d '/+=' >"$ADMIN_PASSWORD_FILE")
}

write_admin_props() {
  local pw
  pw=$(store_password)
  (
    umask 077
    cat >"$ADMIN_PROPS" <<EOF
# The admin client of deploy/kafka-cluster.sh (the super user 'admin').
security.protocol=SASL_SSL
sasl.mechanism=SCRAM-SHA-512
sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="$(<"$ADMIN_PASSWORD_FILE")";
ssl.truststore.type=PKCS12
ssl.truststore.location=$TLS_DIR/truststore.p12
ssl.truststore.password=$pw
request.timeout.ms=5000
default.api.timeout.ms=10000
EOF
  )
}

# --- node configuration --------------------------------------------------------

write_server_props() {
  local n=$1 dir pw
  dir=$(node_dir "$n")
  pw=$(store_password)
  mkdir -p "$dir/data"
  (
    umask 077
    cat >"$dir/server.properties" <<EOF
# Written by deploy/kafka-cluster.sh on every start; edits are lost.
process.roles=broker,controller
node.id=$n
controller.quorum.voters=$(voters)
listeners=CLIENT://$HOST:$(client_port "$n"),INTERNAL://$HOST:$(internal_port "$n"),CONTROLLER://$HOST:$(controller_port "$n")
advertised.listeners=CLIENT://$HOST:$(client_port "$n"),INTERNAL://$HOST:$(internal_port "$n")
listener.security.protocol.map=CLIENT:SASL_SSL,INTERNAL:SSL,CONTROLLER:SSL
inter.broker.listener.name=INTERNAL
controller.listener.names=CONTROLLER
log.dirs=$dir/data

# TLS: one node certificate signed by the local CA; brokers and controllers
# authenticate each other with it (mutual TLS), clients check it.
ssl.keystore.type=PKCS12
ssl.keystore.location=$TLS_DIR/node.p12
ssl.keystore.password=$pw
ssl.key.password=$pw
ssl.truststore.type=PKCS12
ssl.truststore.location=$TLS_DIR/truststore.p12
ssl.truststore.password=$pw
listener.name.internal.ssl.client.auth=required
listener.name.controller.ssl.client.auth=required
ssl.endpoint.identification.algorithm=https

# Clients: SCRAM-SHA-512 over TLS.
sasl.enabled.mechanisms=SCRAM-SHA-512
listener.name.client.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;

# Authorisation: nothing without an ACL, except the nodes and the admin.
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
allow.everyone.if.no.acl.found=false
super.users=User:CN=kafka-node;User:admin

# Topics: three copies, two must have every write (producers use acks=all).
auto.create.topics.enable=false
num.partitions=3
default.replication.factor=3
min.insync.replicas=2
offsets.topic.replication.factor=3
transaction.state.log.replication.factor=3
transaction.state.log.min.isr=2
share.coordinator.state.topic.replication.factor=3
share.coordinator.state.topic.min.isr=2
unclean.leader.election.enable=false
delete.topic.enable=true

# Small machine.
offsets.topic.num.partitions=3
transaction.state.log.num.partitions=3
share.coordinator.state.topic.num.partitions=3
group.initial.rebalance.delay.ms=0
num.network.threads=2
num.io.threads=2
log.cleaner.dedupe.buffer.size=16777216
EOF
  )
}

run_tool() {
  local dir=$1
  shift
  timeout "${TOOL_TIMEOUT:-120}" "$JAVA" -Xms32m -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \
    -Djava.awt.headless=true -Dkafka.logs.dir="$dir" -Dpakn.kafka.log.file=tools.log \
    -Dlog4j2.configurationFile="file:$LOG4J_CONF" -cp "$LIBS_DIR/*" "$@"
}

cluster_id() {
  if [[ ! -s $CLUSTER_ID_FILE ]]; then
    run_tool "$CLUSTER_DIR" kafka.tools.StorageTool random-uuid | tail -n1 >"$CLUSTER_ID_FILE"
  fi
  local id
  id=$(<"$CLUSTER_ID_FILE")
  [[ $id =~ ^[A-Za-z0-9_-]{22}$ ]] || die "unexpected cluster id '$id' in $CLUSTER_ID_FILE"
  printf '%s\n' "$id"
}

format_once() {
  local n=$1 dir
  dir=$(node_dir "$n")
  [[ -f $dir/data/meta.properties ]] && return 0
  log "formatting node $n"
  run_tool "$dir" kafka.tools.StorageTool format --ignore-formatted -t "$(cluster_id)" \
    -c "$dir/server.properties" \
    --add-scram "SCRAM-SHA-512=[name=admin,password=$(<"$ADMIN_PASSWORD_FILE")]" \
    >>"$dir/tools.log" 2>&1 || die "formatting node $n failed; see $dir/tools.log"
}

# --- processes -----------------------------------------------------------------

pid_alive() {
  local pid=$1 state
  [[ -r /proc/$pid/stat ]] || return 1
  state=$(sed 's/^.*) //' "/proc/$pid/stat" 2>/dev/null | cut -d' ' -f1) || return 1
  [[ -n $state && $state != Z && $state != X ]]
}

node_pid() {
  local n=$1 file pid cmdline
  file=$(node_dir "$n")/kafka.pid
  [[ -f $file ]] || return 1
  pid=$(<"$file")
  [[ $pid =~ ^[0-9]+$ ]] && pid_alive "$pid" || return 1
  cmdline=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || return 1
  [[ $cmdline == *kafka.Kafka* && $cmdline == *"$(node_dir "$n")/server.properties"* ]] || return 1
  printf '%s\n' "$pid"
}

port_open() {
  # shellcheck disable=SC2016  # $0 and $1 are for the inner bash
  timeout 2 bash -c 'exec 3<>"/dev/tcp/$0/$1"' "$HOST" "$1" 2>/dev/null
}

start_node() {
  local n=$1 dir pid
  dir=$(node_dir "$n")
  if pid=$(node_pid "$n"); then
    log "node $n already running (pid $pid)"
    return 0
  fi
  if port_open "$(client_port "$n")" || port_open "$(controller_port "$n")"; then
    die "a port of node $n is taken by another process; set PAKN_CLUSTER_PORT"
  fi
  write_server_props "$n"
  format_once "$n"
  log "starting node $n on $HOST:$(client_port "$n")"
  # shellcheck disable=SC2016  # $$, $1 and $@ are for the inner bash
  setsid bash -c 'printf "%s\n" "$$" >"$1"; shift; exec "$@"' pakn-kafka-node "$dir/kafka.pid" \
    "$JAVA" -Xms192m -Xmx384m -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:+ExitOnOutOfMemoryError \
    -Djava.awt.headless=true -Dkafka.logs.dir="$dir" -Dpakn.kafka.log.file=broker.log \
    -Dlog4j2.configurationFile="file:$LOG4J_CONF" -cp "$LIBS_DIR/*" kafka.Kafka \
    "$dir/server.properties" >>"$dir/broker.log" 2>&1 </dev/null 9>&- &
  local i
  for ((i = 0; i < 50; i++)); do
    node_pid "$n" >/dev/null && return 0
    sleep 0.1
  done
  die "node $n did not start; see $dir/broker.log"
}

# True when the cluster answers an authenticated metadata request with all three brokers.
cluster_answers() {
  local out
  out=$(TOOL_TIMEOUT=30 run_tool "$CLUSTER_DIR" org.apache.kafka.tools.BrokerApiVersionsCommand \
    --bootstrap-server "$(bootstrap)" --command-config "$ADMIN_PROPS" 2>/dev/null) || return 1
  (($(grep -c "(id: [0-9]* rack" <<<"$out") == ${#NODES[@]}))
}

wait_ready() {
  local deadline=$((SECONDS + WAIT_TIMEOUT)) n
  while ((SECONDS < deadline)); do
    for n in "${NODES[@]}"; do
      node_pid "$n" >/dev/null || die "node $n exited; see $(node_dir "$n")/broker.log"
    done
    cluster_answers && return 0
    sleep 2
  done
  die "the cluster did not answer within ${WAIT_TIMEOUT}s; see $CLUSTER_DIR/node*/broker.log"
}

stop_node() {
  local n=$1 pid deadline
  pid=$(node_pid "$n") || return 0
  kill -TERM "$pid" 2>/dev/null || return 0
  deadline=$((SECONDS + STOP_TIMEOUT))
  while pid_alive "$pid" && ((SECONDS < deadline)); do sleep 0.5; done
  if pid_alive "$pid"; then
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$(node_dir "$n")/kafka.pid"
}

take_lock() {
  mkdir -p "$CLUSTER_DIR"
  exec 9>"$LOCK_FILE"
  flock -w 300 9 || die "timed out waiting for another deploy/kafka-cluster.sh"
}

# --- commands ------------------------------------------------------------------

cmd_env() {
  printf 'PAKN_CLUSTER_BOOTSTRAP=%s\n' "$(bootstrap)"
  printf 'PAKN_CLUSTER_CA_FILE=%s\n' "$CA_PEM"
  printf 'PAKN_CLUSTER_ADMIN_USER=admin\n'
  printf 'PAKN_CLUSTER_ADMIN_PASSWORD_FILE=%s\n' "$ADMIN_PASSWORD_FILE"
}

cmd_start() {
  local started=$SECONDS n
  "$SCRIPT_DIR/kafka.sh" fetch
  take_lock
  ensure_tls
  ensure_admin_password
  write_admin_props
  for n in "${NODES[@]}"; do start_node "$n"; done
  wait_ready
  log "cluster ready in $((SECONDS - started)) s: $(bootstrap)"
  cmd_env
}

cmd_stop() {
  take_lock
  local n
  for n in "${NODES[@]}"; do stop_node "$n"; done
  log "stopped"
}

cmd_status() {
  local n
  for n in "${NODES[@]}"; do
    node_pid "$n" >/dev/null || {
      log "node $n not running"
      return 1
    }
  done
  [[ -f $ADMIN_PROPS ]] && cluster_answers || {
    log "the nodes run but the cluster does not answer"
    return 1
  }
  log "running: $(bootstrap)"
}

cmd_kill() {
  local n=${1:-} pid
  [[ $n =~ ^[123]$ ]] || die "kill needs a node number: 1, 2 or 3"
  pid=$(node_pid "$n") || die "node $n is not running"
  kill -KILL "$pid"
  while pid_alive "$pid"; do sleep 0.1; done
  rm -f "$(node_dir "$n")/kafka.pid"
  log "node $n killed (pid $pid)"
}

cmd_restart() {
  local n=${1:-}
  [[ $n =~ ^[123]$ ]] || die "restart needs a node number: 1, 2 or 3"
  take_lock
  start_node "$n"
  wait_ready
  log "node $n back"
}

main() {
  (($# >= 1)) || die "usage: deploy/kafka-cluster.sh start|stop|status|env|kill NODE|restart NODE"
  [[ $FIRST_PORT =~ ^[0-9]+$ ]] && ((FIRST_PORT > 0 && FIRST_PORT < 65000)) \
    || die "PAKN_CLUSTER_PORT must be a port number"
  local cmd=$1
  shift
  case $cmd in
    start) cmd_start ;;
    stop) cmd_stop ;;
    status) cmd_status ;;
    env) cmd_env ;;
    kill) cmd_kill "$@" ;;
    restart) cmd_restart "$@" ;;
    *) die "unknown command '$cmd'" ;;
  esac
}

main "$@"
