#!/usr/bin/env bash
# deploy/postgres.sh — a local PostgreSQL server for development and tests.
#
# Choice: a project-owned cluster, not Debian's `main` cluster. The server
# binaries come from Debian's `postgresql` package (installed when missing),
# but the cluster lives in $PAKN_VAR/postgres (default <repo>/var/postgres),
# is created with initdb and run with pg_ctl as the `postgres` OS user, and
# listens on 127.0.0.1:15432 only. So it never fights with a system cluster on
# 5432, needs no systemd, and `stop` stops only what this script started.
# If the `postgres` user cannot reach <repo>/var (e.g. the repo is under a
# private /root), the cluster goes to /var/lib/postgresql/pakn-<port> instead.
#
# Usage: deploy/postgres.sh install|start|stop|status|createdb NAME|env
#   install        apt-get install postgresql if the server binaries are missing
#   start          install if needed, create the cluster once, start it (or reuse
#                  a running one), wait for pg_isready, make sure role `pakn`
#                  (password `pakn`, CREATEDB) and database `pakn` exist, and
#                  print PAKN_PG_DSN=... on stdout
#   stop           stop the cluster this script started (fast shutdown)
#   status         exit 0 if a server answers on the port, 1 otherwise
#   createdb NAME  create database NAME owned by `pakn` if it does not exist
#                  (starts the server if needed); prints its DSN
#   env            print PAKN_PG_DSN=postgresql://pakn:pakn@127.0.0.1:<port>
#
# Auth: local socket connections are trusted (the socket dir is private to the
# postgres user and root); TCP connections need a password (scram-sha-256).
#
# Environment:
#   PAKN_PG_PORT   TCP port (default 15432)
#   PAKN_VAR       state dir (default <repo>/var); cluster in $PAKN_VAR/postgres
set -euo pipefail

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
REPO_ROOT=$(cd -- "$SCRIPT_DIR/.." && pwd -P)

HOST=127.0.0.1
PG_PORT=${PAKN_PG_PORT:-15432}
PG_USER=pakn
PG_PASSWORD=pakn
PG_SUPERUSER=postgres
OS_USER=postgres
WAIT_TIMEOUT=60

VAR_DIR=${PAKN_VAR:-$REPO_ROOT/var}
case $VAR_DIR in
  /*) ;;
  *) VAR_DIR=$PWD/$VAR_DIR ;;
esac
# Set by resolve_paths.
PG_ROOT=""
PGDATA_DIR=""
SOCK_DIR=""
PG_LOG=""
BIN_DIR=""

log() { printf 'postgres.sh: %s\n' "$*" >&2; }
die() {
  printf 'postgres.sh: error: %s\n' "$*" >&2
  exit 1
}

usage() {
  cat >&2 <<EOF
usage: deploy/postgres.sh install|start|stop|status|createdb NAME|env
EOF
  exit 2
}

dsn() { printf 'postgresql://%s:%s@%s:%s%s' "$PG_USER" "$PG_PASSWORD" "$HOST" "$PG_PORT" "${1:+/$1}"; }

# --- binaries ----------------------------------------------------------------

# Prints the newest /usr/lib/postgresql/<v>/bin that has a server, or the one
# matching an existing cluster's version.
find_bin_dir() {
  local want="" d best=""
  if [[ -n $PGDATA_DIR && -f $PGDATA_DIR/PG_VERSION ]]; then
    want=$(<"$PGDATA_DIR/PG_VERSION")
    if [[ -x /usr/lib/postgresql/$want/bin/postgres ]]; then
      printf '%s\n' "/usr/lib/postgresql/$want/bin"
      return 0
    fi
    die "the cluster in $PGDATA_DIR is PostgreSQL $want, whose server is not installed (apt-get install postgresql-$want, or remove $PG_ROOT)"
  fi
  while IFS= read -r d; do
    [[ -x $d/postgres && -x $d/initdb && -x $d/pg_ctl ]] && best=$d
  done < <(compgen -G '/usr/lib/postgresql/*/bin' | sort -V)
  [[ -n $best ]] || return 1
  printf '%s\n' "$best"
}

server_installed() {
  command -v pg_ctlcluster >/dev/null 2>&1 && PGDATA_DIR="" find_bin_dir >/dev/null
}

cmd_install() {
  if server_installed; then
    log "PostgreSQL server already installed ($(PGDATA_DIR="" find_bin_dir))"
    return 0
  fi
  ((EUID == 0)) || die "PostgreSQL is not installed and installing it needs root (apt-get install postgresql)"
  command -v apt-get >/dev/null 2>&1 || die "PostgreSQL is not installed and apt-get is not available"
  log "installing Debian's postgresql package ..."
  local started=$SECONDS
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq || die "apt-get update failed"
  apt-get install -y -qq postgresql >/dev/null || die "apt-get install postgresql failed"
  server_installed || die "postgresql installed but no server binaries found under /usr/lib/postgresql"
  log "installed in $((SECONDS - started)) s"
}

# --- paths and users -----------------------------------------------------------

# Run a command as the postgres OS user (or as ourselves when not root), from /
# so that a private working directory does not matter.
as_pg() {
  if ((EUID == 0)); then
    (cd / && runuser -u "$OS_USER" -- "$@")
  else
    (cd / && "$@")
  fi
}

resolve_paths() {
  if ((EUID == 0)); then
    id "$OS_USER" >/dev/null 2>&1 || die "no '$OS_USER' OS user (is the postgresql package installed? run: deploy/postgres.sh install)"
  fi
  PG_ROOT=$VAR_DIR/postgres
  mkdir -p "$VAR_DIR"
  if [[ ! -d $PG_ROOT/data ]] && ! as_pg test -x "$VAR_DIR" 2>/dev/null; then
    PG_ROOT=/var/lib/postgresql/pakn-$PG_PORT
    log "user '$OS_USER' cannot reach $VAR_DIR; using $PG_ROOT for the cluster"
  fi
  PGDATA_DIR=$PG_ROOT/data
  PG_LOG=$PG_ROOT/postgres.log
  SOCK_DIR=$PG_ROOT/run
  # A unix socket path is limited to 107 bytes.
  if ((${#SOCK_DIR} + 20 > 107)); then
    SOCK_DIR=/tmp
  fi
}

prepare_dirs() {
  mkdir -p "$PG_ROOT"
  if [[ $SOCK_DIR != /tmp ]]; then
    mkdir -p "$SOCK_DIR"
    chmod 0700 "$SOCK_DIR"
  fi
  if ((EUID == 0)); then
    chown "$OS_USER:" "$PG_ROOT"
    [[ $SOCK_DIR == /tmp ]] || chown "$OS_USER:" "$SOCK_DIR"
  fi
  as_pg test -w "$PG_ROOT" || die "user '$OS_USER' cannot write to $PG_ROOT"
}

# --- the cluster -------------------------------------------------------------

sql_quote() { printf "'%s'" "${1//\'/\'\'}"; }

init_cluster_once() {
  [[ -f $PGDATA_DIR/PG_VERSION ]] && return 0
  log "creating a cluster in $PGDATA_DIR"
  as_pg "$BIN_DIR/initdb" -D "$PGDATA_DIR" -U "$PG_SUPERUSER" -E UTF8 --no-locale \
    --auth-local=trust --auth-host=scram-sha-256 >"$PG_ROOT/initdb.log" 2>&1 \
    || {
      tail -n 20 "$PG_ROOT/initdb.log" >&2 || true
      die "initdb failed; see $PG_ROOT/initdb.log"
    }
  printf "\n# Added by deploy/postgres.sh: port, addresses, socket dir.\ninclude_if_exists = 'pakn.conf'\n" \
    | as_pg tee -a "$PGDATA_DIR/postgresql.conf" >/dev/null
}

# Settings rewritten on every start, so PAKN_PG_PORT can change between runs.
write_conf() {
  as_pg tee "$PGDATA_DIR/pakn.conf" >/dev/null <<EOF
# Written by deploy/postgres.sh on every start; edits are lost.
port = $PG_PORT
listen_addresses = '$HOST'
unix_socket_directories = $(sql_quote "$SOCK_DIR")
max_connections = 200
password_encryption = 'scram-sha-256'
EOF
}

# True when the cluster in PGDATA_DIR is running (started by this script).
ours_running() {
  [[ -f $PGDATA_DIR/PG_VERSION ]] || return 1
  as_pg "$BIN_DIR/pg_ctl" status -D "$PGDATA_DIR" >/dev/null 2>&1
}

# Port the running cluster listens on (4th line of postmaster.pid).
running_port() { sed -n '4p' "$PGDATA_DIR/postmaster.pid" 2>/dev/null; }

isready() { "$BIN_DIR/pg_isready" -q -h "$HOST" -p "$PG_PORT" -t 2 >/dev/null 2>&1; }

port_open() {
  # shellcheck disable=SC2016  # $0 and $1 are for the inner bash
  timeout 2 bash -c 'exec 3<>"/dev/tcp/$0/$1"' "$HOST" "$PG_PORT" 2>/dev/null
}

wait_ready() {
  local deadline=$((SECONDS + WAIT_TIMEOUT))
  until isready; do
    ((SECONDS < deadline)) || return 1
    sleep 0.5
  done
}

# psql as the superuser over the private socket (our cluster only).
psql_super() {
  "$BIN_DIR/psql" -X -q -v ON_ERROR_STOP=1 -h "$SOCK_DIR" -p "$PG_PORT" -U "$PG_SUPERUSER" -d postgres "$@"
}

# psql as pakn over TCP (works for any server where the role exists).
psql_pakn() {
  PGPASSWORD=$PG_PASSWORD PGCONNECT_TIMEOUT=5 "$BIN_DIR/psql" -X -q -v ON_ERROR_STOP=1 \
    -h "$HOST" -p "$PG_PORT" -U "$PG_USER" -d postgres "$@"
}

ensure_role_and_db() {
  psql_super -v pw="$PG_PASSWORD" >/dev/null <<'EOF' || die "could not create role pakn / database pakn"
SELECT format('CREATE ROLE pakn LOGIN CREATEDB PASSWORD %L', :'pw')
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'pakn') \gexec
SELECT format('ALTER ROLE pakn LOGIN CREATEDB PASSWORD %L', :'pw') \gexec
SELECT 'CREATE DATABASE pakn OWNER pakn'
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'pakn') \gexec
EOF
}

take_lock() {
  exec 9>"$PG_ROOT/.lock"
  flock -w 300 9 || die "timed out waiting for another deploy/postgres.sh on $PG_ROOT"
}

setup() {
  resolve_paths
  BIN_DIR=$(find_bin_dir) || die "PostgreSQL server not installed (run: deploy/postgres.sh install)"
}

# --- commands ----------------------------------------------------------------

cmd_start() {
  local quiet=${1:-}
  cmd_install
  setup
  prepare_dirs
  take_lock
  local started=$SECONDS
  if ours_running; then
    local port
    port=$(running_port)
    [[ $port == "$PG_PORT" ]] \
      || die "the cluster in $PGDATA_DIR is running on port $port, not $PG_PORT; run deploy/postgres.sh stop with PAKN_PG_PORT=$port first"
    log "cluster already running in $PGDATA_DIR, reusing it"
    wait_ready || die "the running cluster does not answer on $HOST:$PG_PORT; see $PG_LOG"
  elif port_open; then
    if psql_pakn -tAc 'SELECT 1' >/dev/null 2>&1; then
      log "a PostgreSQL server not started by this script answers on $HOST:$PG_PORT as '$PG_USER'; reusing it (stop will not touch it)"
      [[ -n $quiet ]] || printf 'PAKN_PG_DSN=%s\n' "$(dsn)"
      return 0
    fi
    die "port $PG_PORT on $HOST is taken by another process; set PAKN_PG_PORT"
  else
    init_cluster_once
    write_conf
    log "starting PostgreSQL on $HOST:$PG_PORT, data in $PGDATA_DIR"
    # setsid: the server gets its own session and outlives this shell.
    as_pg setsid "$BIN_DIR/pg_ctl" start -D "$PGDATA_DIR" -l "$PG_LOG" -w -t "$WAIT_TIMEOUT" \
      >"$PG_ROOT/pg_ctl.log" 2>&1 9>&- \
      || {
        tail -n 30 "$PG_LOG" >&2 || true
        die "PostgreSQL did not start; see $PG_LOG"
      }
    wait_ready || die "PostgreSQL started but does not answer on $HOST:$PG_PORT; see $PG_LOG"
    log "ready in $((SECONDS - started)) s"
  fi
  ensure_role_and_db
  [[ -n $quiet ]] || printf 'PAKN_PG_DSN=%s\n' "$(dsn)"
}

cmd_stop() {
  if ! server_installed; then
    log "PostgreSQL is not installed; nothing to stop"
    return 0
  fi
  setup
  if [[ ! -d $PG_ROOT ]] || ! ours_running; then
    log "no cluster started by this script is running"
    return 0
  fi
  take_lock
  log "stopping PostgreSQL ($PGDATA_DIR)"
  as_pg "$BIN_DIR/pg_ctl" stop -D "$PGDATA_DIR" -m fast -w -t "$WAIT_TIMEOUT" >/dev/null \
    || die "pg_ctl stop failed; see $PG_LOG"
  log "stopped"
}

cmd_status() {
  if ! server_installed; then
    log "PostgreSQL is not installed"
    return 1
  fi
  setup
  if ours_running && isready; then
    log "running on $HOST:$PG_PORT (data in $PGDATA_DIR)"
    return 0
  fi
  if isready; then
    log "a server not started by this script answers on $HOST:$PG_PORT"
    return 0
  fi
  log "not running"
  return 1
}

cmd_createdb() {
  (($# == 1)) || die "usage: deploy/postgres.sh createdb NAME"
  local name=$1
  [[ $name =~ ^[a-z_][a-z0-9_]{0,62}$ ]] \
    || die "database name '$name' must be lower-case letters, digits and _ (start with a letter or _)"
  if ! server_installed || { setup && ! isready; }; then
    cmd_start quiet
  fi
  setup
  local exists
  exists=$(psql_pakn -tAc "SELECT 1 FROM pg_database WHERE datname = '$name'") \
    || die "cannot connect to $HOST:$PG_PORT as '$PG_USER' (run deploy/postgres.sh start)"
  if [[ -z $exists ]]; then
    # A concurrent createdb may win the race; only fail if it still does not exist.
    if ! psql_pakn -c "CREATE DATABASE \"$name\" OWNER $PG_USER" >/dev/null 2>&1; then
      exists=$(psql_pakn -tAc "SELECT 1 FROM pg_database WHERE datname = '$name'") || exists=""
      [[ -n $exists ]] || die "could not create database '$name'"
    fi
    log "database '$name' created"
  else
    log "database '$name' already exists"
  fi
  printf '%s\n' "$(dsn "$name")"
}

cmd_env() {
  printf 'PAKN_PG_DSN=%s\n' "$(dsn)"
}

main() {
  (($# >= 1)) || usage
  if ! [[ $PG_PORT =~ ^[0-9]+$ ]] || ((10#$PG_PORT < 1 || 10#$PG_PORT > 65535)); then
    die "PAKN_PG_PORT must be a TCP port number, got '$PG_PORT'"
  fi
  local cmd=$1
  shift
  case $cmd in
    install) cmd_install ;;
    start) cmd_start ;;
    stop) cmd_stop ;;
    status) cmd_status ;;
    createdb) cmd_createdb "$@" ;;
    env) cmd_env ;;
    -h | --help | help) usage ;;
    *)
      log "unknown command '$cmd'"
      usage
      ;;
  esac
}

main "$@"
