#!/usr/bin/env bash
# Provision and run a private PostgreSQL 15 + pgvector 0.8.x server for the
# Portafilter pgvector backend tests.
#
# Usage: bash scripts/postgres.sh start|stop|status
#        bash scripts/postgres.sh crash-start|crash-kill|crash-restart|crash-stop|crash-status
#
#   start   install what is missing (PostgreSQL 15 from Debian, pgvector built
#           from Debian's source package when no binary package exists),
#           initialise the cluster once, start it (or reuse a healthy running
#           one), ensure role/database/extension, then write
#           <repo-root>/.backends/pgvector.env with exactly one line
#             PORTAFILTER_PGVECTOR_URL=jdbc:postgresql://127.0.0.1:<port>/portafilter?user=portafilter&password=portafilter
#           and print that line on stdout. Log lines go to stderr.
#   stop    stop the server (fine if it is not running).
#   status  exit 0 when the server is running and accepting connections.
#
# A second server of the same install, for the crash tests (kill -9 would
# disrupt every other test on the shared one): its own cluster in
# /var/tmp/portafilter/pgdata-crash, socket dir run-crash, log
# postgres-crash.log and lock postgres-crash.lock, on 127.0.0.1 from port 55532,
# with the same role, database and extension.
#   crash-start    like start, for that server; writes
#                  <repo-root>/.backends/pgvector-crash.env with
#                    PORTAFILTER_PGVECTOR_CRASH_URL=jdbc:postgresql://127.0.0.1:<port>/portafilter?user=...
#   crash-kill     a real crash: kill -9 of the postmaster and all its
#                  children at once; returns once every one is gone.
#   crash-restart  starts it again on the same port (PostgreSQL replays its WAL:
#                  crash recovery); returns once it accepts connections.
#   crash-stop     stops it (fine if it is not running).
#   crash-status   exit 0 when it is running and accepting connections.
# Unlike the shared server, it commits with synchronous_commit = on: a commit
# returns only once its WAL is written to the kernel, which a kill -9 of the
# server does not lose (fsync stays off: only a crash of the machine would).
#
# Must run as root (Debian bookworm, no Docker). The server itself runs as the
# unprivileged system user "portafilter" and lives in /var/tmp/portafilter,
# independent of where the repository is cloned (the folder may be shared with
# other backend scripts; everything of ours in it is named postgres*/pg*).
# It listens on 127.0.0.1 only, on a free port starting at 55432 (the
# previous port is reused when free).
#
# Environment overrides (optional):
#   PORTAFILTER_PG_HOME   private folder          (default /var/tmp/portafilter)
#   PORTAFILTER_PG_PORT   first port to try       (default 55432)
set -Eeuo pipefail

PG_MAJOR=15
PG_BIN="/usr/lib/postgresql/${PG_MAJOR}/bin"
PG_CONFIG="${PG_BIN}/pg_config"
OS_USER=portafilter
DB_NAME=portafilter
DB_USER=portafilter
DB_PASSWORD=portafilter

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ENV_DIR="${REPO_ROOT}/.backends"
ENV_FILE="${ENV_DIR}/pgvector.env"

BASE="${PORTAFILTER_PG_HOME:-/var/tmp/portafilter}"
PGDATA="${BASE}/pgdata"
SOCK_DIR="${BASE}/run"
LOG_FILE="${BASE}/postgres.log"
BUILD_DIR="${BASE}/pgvector-build"
APT_DIR="${BASE}/pgvector-apt"
INITDB_LOG="${BASE}/postgres-initdb.log"
LOCK_FILE="${BASE}/postgres.lock"
FIRST_PORT="${PORTAFILTER_PG_PORT:-55432}"
ENV_VAR=PORTAFILTER_PGVECTOR_URL
SYNCHRONOUS_COMMIT=off
SHARED_BUFFERS=256MB

# The crash-test server: same install, user, role and database; its own files and ports.
use_crash_instance() {
  PGDATA="${BASE}/pgdata-crash"
  SOCK_DIR="${BASE}/run-crash"
  LOG_FILE="${BASE}/postgres-crash.log"
  INITDB_LOG="${BASE}/postgres-crash-initdb.log"
  LOCK_FILE="${BASE}/postgres-crash.lock"
  ENV_FILE="${ENV_DIR}/pgvector-crash.env"
  ENV_VAR=PORTAFILTER_PGVECTOR_CRASH_URL
  FIRST_PORT=55532
  # an acknowledged commit must survive kill -9 of the server (see the top)
  SYNCHRONOUS_COMMIT=on
  SHARED_BUFFERS=64MB
}

export DEBIAN_FRONTEND=noninteractive
APT_OPTS=(-y -q -o DPkg::Lock::Timeout=600 -o Dpkg::Use-Pty=0)

SERVER_PHASE=0   # 1 once the cluster is being set up: errors then tail the server log

log() { echo "[postgres] $*" >&2; }
die() {
  trap - ERR
  echo "[postgres] ERROR: $*" >&2
  if [[ $SERVER_PHASE -eq 1 && -f "$LOG_FILE" ]]; then
    echo "[postgres] server log: $LOG_FILE (last 40 lines follow)" >&2
    tail -n 40 "$LOG_FILE" 2>/dev/null | sed 's/^/[postgres]   | /' >&2 || true
  fi
  exit 1
}
on_err() {
  local rc=$? line=$1 cmd=$2
  trap - ERR
  echo "[postgres] ERROR: command failed (exit $rc) at line $line: $cmd" >&2
  if [[ $SERVER_PHASE -eq 1 && -f "$LOG_FILE" ]]; then
    echo "[postgres] server log: $LOG_FILE (last 40 lines follow)" >&2
    tail -n 40 "$LOG_FILE" 2>/dev/null | sed 's/^/[postgres]   | /' >&2 || true
  fi
  exit "$rc"
}
trap 'on_err "$LINENO" "$BASH_COMMAND"' ERR

# Run a command as the unprivileged server user, from a directory it can
# read (the caller's cwd may be e.g. /root). fd 9 (our flock) is closed so the
# postmaster that pg_ctl spawns does not inherit it and hold the lock forever.
as_pg() { (cd "$BASE" && runuser -u "$OS_USER" -- "$@" 9>&-); }

# ---------------------------------------------------------------- install ---

APT_UPDATED=0
apt_update_once() {
  if [[ $APT_UPDATED -eq 0 ]]; then
    log "apt-get update"
    apt-get -q -o DPkg::Lock::Timeout=600 update >&2 || die "apt-get update failed"
    APT_UPDATED=1
  fi
}

apt_install() {
  apt_update_once
  log "apt-get install $*"
  apt-get install "${APT_OPTS[@]}" --no-install-recommends --no-upgrade "$@" >&2 || die "apt-get install $* failed"
}

install_postgres() {
  if [[ -x "${PG_BIN}/initdb" && -x "${PG_BIN}/pg_ctl" && -x "${PG_BIN}/psql" ]]; then
    return
  fi
  log "PostgreSQL ${PG_MAJOR} not found in ${PG_BIN}; installing from Debian"
  # Do not let the Debian package create (and start) its own 'main' cluster
  # on port 5432; we run our own private cluster.
  mkdir -p /etc/postgresql-common/createcluster.d
  if [[ ! -e /etc/postgresql-common/createcluster.d/portafilter.conf ]]; then
    echo "create_main_cluster = false" > /etc/postgresql-common/createcluster.d/portafilter.conf
  fi
  apt_install "postgresql-${PG_MAJOR}" "postgresql-client-${PG_MAJOR}"
  [[ -x "${PG_BIN}/initdb" ]] || die "installed postgresql-${PG_MAJOR} but ${PG_BIN}/initdb is missing"
}

pgvector_installed() {
  local share pkglib
  share="$("$PG_CONFIG" --sharedir)"
  pkglib="$("$PG_CONFIG" --pkglibdir)"
  [[ -f "${share}/extension/vector.control" && -f "${pkglib}/vector.so" ]]
}

# The Debian mirror this machine uses (same host for the trixie deb-src line).
debian_mirror() {
  local m=""
  m="$(grep -rhoE 'https?://[^ ]+/debian/?( |$)' /etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null \
        | grep -v -- '-security' | head -n 1 | tr -d ' ' || true)"
  m="${m%/}"
  echo "${m:-http://deb.debian.org/debian}"
}

install_pgvector() {
  if pgvector_installed; then
    return
  fi
  apt_update_once
  local pkg="postgresql-${PG_MAJOR}-pgvector"
  local cand
  cand="$(apt-cache policy "$pkg" 2>/dev/null | awk '/Candidate:/ {print $2}')"
  if [[ -n "$cand" && "$cand" != "(none)" ]]; then
    log "installing distribution package $pkg ($cand)"
    apt_install "$pkg"
  else
    build_pgvector_from_debian_source
  fi
  pgvector_installed || die "pgvector install finished but vector.control/vector.so are missing"
}

build_pgvector_from_debian_source() {
  log "no binary postgresql-${PG_MAJOR}-pgvector package; building pgvector from Debian trixie's source package"
  apt_install "postgresql-server-dev-${PG_MAJOR}" build-essential dpkg-dev xz-utils

  # A private apt configuration only for fetching the source: the machine's
  # own apt sources stay untouched.
  local mirror
  mirror="$(debian_mirror)"
  mkdir -p "${APT_DIR}/lists/partial" "${APT_DIR}/sources.list.d"
  echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] ${mirror} trixie main" \
    > "${APT_DIR}/sources.list"
  local -a apt_priv=(
    -o "Dir::Etc::SourceList=${APT_DIR}/sources.list"
    -o "Dir::Etc::SourceParts=${APT_DIR}/sources.list.d"
    -o "Dir::State::Lists=${APT_DIR}/lists"
    -o "Dir::Cache::pkgcache="
    -o "Dir::Cache::srcpkgcache="
    -o "APT::Sandbox::User=root"
  )
  log "apt-get update (private, deb-src ${mirror} trixie main)"
  apt-get -q "${apt_priv[@]}" update >&2 || die "apt-get update for trixie sources failed"

  rm -rf "$BUILD_DIR"
  mkdir -p "$BUILD_DIR"
  log "apt-get source --download-only pgvector"
  (cd "$BUILD_DIR" && apt-get -q "${apt_priv[@]}" source --download-only pgvector >&2) \
    || die "apt-get source pgvector failed"
  local dsc
  dsc="$(ls "$BUILD_DIR"/pgvector_*.dsc 2>/dev/null | head -n 1)"
  [[ -n "$dsc" ]] || die "no pgvector .dsc downloaded into $BUILD_DIR"
  (cd "$BUILD_DIR" && dpkg-source -q -x "$(basename "$dsc")" src >&2) || die "dpkg-source -x failed"

  local ver
  ver="$(sed -n "s/^default_version = '\(.*\)'/\1/p" "$BUILD_DIR/src/vector.control")"
  case "$ver" in
    0.8.*) log "building pgvector $ver" ;;
    *) log "WARNING: expected pgvector 0.8.x, got '$ver'; building anyway" ;;
  esac
  # OPTFLAGS="" : no -march=native, so the library also runs if the machine
  # image moves to another CPU model (what Debian's own package does).
  make -C "$BUILD_DIR/src" -j"$(nproc)" PG_CONFIG="$PG_CONFIG" OPTFLAGS="" >"$BUILD_DIR/build.log" 2>&1 \
    || { tail -n 30 "$BUILD_DIR/build.log" >&2; die "pgvector build failed (see $BUILD_DIR/build.log)"; }
  make -C "$BUILD_DIR/src" install PG_CONFIG="$PG_CONFIG" OPTFLAGS="" >>"$BUILD_DIR/build.log" 2>&1 \
    || { tail -n 30 "$BUILD_DIR/build.log" >&2; die "pgvector install failed (see $BUILD_DIR/build.log)"; }
  log "pgvector $ver installed into $("$PG_CONFIG" --pkglibdir)"
}

ensure_os_user() {
  if ! getent passwd "$OS_USER" >/dev/null; then
    log "creating system user $OS_USER"
    useradd --system --user-group --home-dir "$BASE" --no-create-home \
      --shell /usr/sbin/nologin "$OS_USER" || die "useradd $OS_USER failed"
  fi
}

# ---------------------------------------------------------------- cluster ---

port_in_use() {
  # true when something accepts TCP connections on 127.0.0.1:$1
  timeout 1 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null
}

find_free_port() {
  local prev="" p
  if [[ -f "$PGDATA/portafilter.conf" ]]; then
    prev="$(sed -n 's/^port = \([0-9]*\)$/\1/p' "$PGDATA/portafilter.conf")"
  fi
  if [[ -n "$prev" ]] && ! port_in_use "$prev" && [[ ! -e "$SOCK_DIR/.s.PGSQL.$prev.lock" ]]; then
    echo "$prev"
    return
  fi
  for ((p = FIRST_PORT; p < FIRST_PORT + 200; p++)); do
    if ! port_in_use "$p"; then
      echo "$p"
      return
    fi
  done
  die "no free TCP port in ${FIRST_PORT}..$((FIRST_PORT + 199))"
}

init_cluster() {
  if [[ -f "$PGDATA/PG_VERSION" ]]; then
    local v
    v="$(cat "$PGDATA/PG_VERSION")"
    if [[ "$v" == "$PG_MAJOR" ]]; then
      return
    fi
    log "data directory $PGDATA is for PostgreSQL $v; recreating it"
  elif [[ -d "$PGDATA" ]]; then
    log "data directory $PGDATA is incomplete; recreating it"
  fi
  rm -rf "$PGDATA"
  install -d -o "$OS_USER" -g "$OS_USER" -m 0700 "$PGDATA"
  local pwfile="$BASE/postgres-pwfile"
  printf '%s\n' "$DB_PASSWORD" > "$pwfile"
  chown "$OS_USER:$OS_USER" "$pwfile"
  chmod 0600 "$pwfile"
  log "initdb $PGDATA"
  as_pg "$PG_BIN/initdb" -D "$PGDATA" -U postgres --pwfile="$pwfile" \
    -E UTF8 --locale=C --auth-local=trust --auth-host=scram-sha-256 >"$INITDB_LOG" 2>&1 \
    || { rm -f "$pwfile"; cat "$INITDB_LOG" >&2; die "initdb failed"; }
  rm -f "$pwfile"
  echo "include_if_exists = 'portafilter.conf'" >> "$PGDATA/postgresql.conf"
  # Only loopback TCP, password auth; unix socket (private dir) trusted.
  cat > "$PGDATA/pg_hba.conf" <<'EOF'
# Portafilter private test server
local   all   all                   trust
host    all   all   127.0.0.1/32    scram-sha-256
EOF
  chown "$OS_USER:$OS_USER" "$PGDATA/pg_hba.conf"
}

write_server_conf() {
  local port="$1" dsm=posix shm_kb
  # Parallel index builds use dynamic shared memory; a small /dev/shm (as in
  # some containers) would make big HNSW builds fail, so fall back to mmap.
  shm_kb="$(df -Pk /dev/shm 2>/dev/null | awk 'NR==2 {print $4}' || true)"
  if [[ -z "$shm_kb" || "$shm_kb" -lt 2097152 ]]; then
    dsm=mmap
  fi
  cat > "$PGDATA/portafilter.conf" <<EOF
# Written by scripts/postgres.sh on every start; tuned for tests, NOT durable.
listen_addresses = '127.0.0.1'
port = ${port}
unix_socket_directories = '${SOCK_DIR}'
unix_socket_permissions = 0700
max_connections = 100
shared_buffers = ${SHARED_BUFFERS}
maintenance_work_mem = 512MB
dynamic_shared_memory_type = ${dsm}
fsync = off
synchronous_commit = ${SYNCHRONOUS_COMMIT}
full_page_writes = off
max_wal_size = 2GB
checkpoint_timeout = 30min
logging_collector = off
log_min_messages = warning
log_line_prefix = '%m [%p] %q%u@%d '
EOF
  chown "$OS_USER:$OS_USER" "$PGDATA/portafilter.conf"
}

is_running() {
  [[ -f "$PGDATA/PG_VERSION" && -x "$PG_BIN/pg_ctl" ]] || return 1
  getent passwd "$OS_USER" >/dev/null || return 1
  as_pg "$PG_BIN/pg_ctl" status -D "$PGDATA" >/dev/null 2>&1
}

running_port() {
  # line 4 of postmaster.pid is the port
  sed -n '4p' "$PGDATA/postmaster.pid" 2>/dev/null
}

is_healthy() {
  local port="$1"
  [[ -n "$port" ]] || return 1
  "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$port" -t 3 >/dev/null 2>&1
}

start_server() {
  local port attempt
  for attempt in 1 2 3; do
    port="$(find_free_port)"
    write_server_conf "$port"
    log "starting PostgreSQL ${PG_MAJOR} on 127.0.0.1:${port} (data ${PGDATA}, log ${LOG_FILE})"
    if as_pg "$PG_BIN/pg_ctl" start -D "$PGDATA" -l "$LOG_FILE" -w -t 60 >/dev/null 2>&1; then
      return
    fi
    if grep -q "could not bind\|Address already in use" "$LOG_FILE" 2>/dev/null; then
      log "port $port was taken meanwhile; retrying with another port"
      continue
    fi
    die "pg_ctl start failed"
  done
  die "could not start PostgreSQL after 3 attempts"
}

psql_local() {
  # psql as the bootstrap superuser over the private unix socket
  local db="$1"; shift
  as_pg env PGOPTIONS="-c client_min_messages=warning" "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$SOCK_DIR" -p "$PORT" -U postgres -d "$db" "$@"
}

ensure_database() {
  psql_local postgres >/dev/null <<EOF || die "could not create role/database '$DB_NAME'"
DO \$\$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${DB_USER}') THEN
    CREATE ROLE ${DB_USER} LOGIN SUPERUSER PASSWORD '${DB_PASSWORD}';
  END IF;
END
\$\$;
ALTER ROLE ${DB_USER} LOGIN SUPERUSER PASSWORD '${DB_PASSWORD}';
SELECT 'CREATE DATABASE ${DB_NAME} OWNER ${DB_USER}'
 WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = '${DB_NAME}')\gexec
EOF
  psql_local "$DB_NAME" -c "CREATE EXTENSION IF NOT EXISTS vector" >/dev/null \
    || die "CREATE EXTENSION vector failed"
  local ev
  ev="$(psql_local "$DB_NAME" -At -c "SELECT extversion FROM pg_extension WHERE extname = 'vector'")"
  log "database '${DB_NAME}' ready (pgvector ${ev})"
}

write_env_file() {
  local line="${ENV_VAR}=jdbc:postgresql://127.0.0.1:${PORT}/${DB_NAME}?user=${DB_USER}&password=${DB_PASSWORD}"
  mkdir -p "$ENV_DIR"
  printf '%s\n' "$line" > "${ENV_FILE}.tmp.$$"
  mv -f "${ENV_FILE}.tmp.$$" "$ENV_FILE"
  log "wrote ${ENV_FILE}"
  printf '%s\n' "$line"
}

prepare_base() {
  mkdir -p "$BASE"
  chown "$OS_USER:$OS_USER" "$BASE"
  chmod 0755 "$BASE"
  install -d -o "$OS_USER" -g "$OS_USER" -m 0700 "$SOCK_DIR"
  # the server log must be writable by the server user
  if [[ -e "$LOG_FILE" ]]; then chown "$OS_USER:$OS_USER" "$LOG_FILE"; fi
}

take_lock() {
  mkdir -p "$BASE"
  # NB: every child that outlives this script must get 9>&- (see as_pg).
  exec 9>"$LOCK_FILE"
  if ! flock -w 900 9; then
    die "another scripts/postgres.sh is still running (lock $LOCK_FILE)"
  fi
}

# ------------------------------------------------------ crash-test server ---

# true when pid $1 is the postmaster of $PGDATA (its -D argument is exactly $PGDATA)
is_our_postmaster() {
  local -a argv
  [[ -n "$1" && -r "/proc/$1/cmdline" ]] || return 1
  mapfile -d '' -t argv < "/proc/$1/cmdline" 2>/dev/null || return 1
  local i
  for ((i = 0; i + 1 < ${#argv[@]}; i++)); do
    [[ "${argv[i]}" == "-D" && "${argv[i + 1]}" == "$PGDATA" ]] && return 0
  done
  return 1
}

# A crash (of the server or the machine) leaves postmaster.pid and the socket lock files behind; by the next
# start their pid may belong to another process, which PostgreSQL would take
# for a running server. Remove those whose pid is not our postmaster.
clear_stale_files() {
  local f pid
  for f in "$PGDATA/postmaster.pid" "$SOCK_DIR"/.s.PGSQL.*.lock; do
    [[ -f "$f" ]] || continue
    pid="$(sed -n '1p' "$f" 2>/dev/null || true)"
    if ! is_our_postmaster "$pid"; then
      log "removing $f left by a crashed server (pid ${pid:-none} is not its postmaster)"
      rm -f "$f" "${f%.lock}"
    fi
  done
}

# pids whose parent is $1. Read from /proc by bash alone, without a process per
# entry: procps may be missing on a fresh machine, and while the postmaster is
# stopped its backends still answer, so the listing must be quick on a busy one.
children_of() {
  local stat line pid state ppid
  for stat in /proc/[0-9]*/stat; do
    read -r line 2>/dev/null < "$stat" || continue
    # after "pid (command) ": state ppid ...; the command may hold spaces and ')'
    read -r state ppid _ <<<"${line##*) }"
    if [[ "$ppid" == "$1" ]]; then
      pid="${stat#/proc/}"
      echo "${pid%/stat}"
    fi
  done
  return 0
}

# true while pid $1 runs (a zombie no longer does: it holds no port, memory or file)
alive() {
  local line state
  read -r line 2>/dev/null < "/proc/$1/stat" || return 1
  read -r state _ <<<"${line##*) }"
  [[ "$state" != Z ]]
}

cmd_crash_kill() {
  [[ $EUID -eq 0 ]] || die "run as root (the server runs as '$OS_USER')"
  take_lock
  local pm
  pm="$(sed -n '1p' "$PGDATA/postmaster.pid" 2>/dev/null || true)"
  if ! is_our_postmaster "$pm"; then
    log "not running"
    return
  fi
  # stopped, the postmaster forks no new backend between the listing of its children and the kill
  kill -STOP "$pm"
  local -a pids
  mapfile -t pids < <(children_of "$pm")
  pids+=("$pm")
  kill -KILL "${pids[@]}" 2>/dev/null || true
  local t0=$SECONDS p
  for p in "${pids[@]}"; do
    while alive "$p"; do
      ((SECONDS - t0 < 30)) || die "pid $p still runs 30 s after kill -9"
      sleep 0.1
    done
  done
  log "killed (kill -9) postmaster $pm and its $((${#pids[@]} - 1)) children"
}

cmd_crash_restart() {
  [[ $EUID -eq 0 ]] || die "run as root (the server runs as '$OS_USER')"
  take_lock
  [[ -f "$PGDATA/PG_VERSION" && -f "$PGDATA/portafilter.conf" ]] \
    || die "no crash-test cluster in $PGDATA: run 'bash $0 crash-start' first"
  SERVER_PHASE=1
  local t0=$SECONDS
  PORT="$(sed -n 's/^port = \([0-9]*\)$/\1/p' "$PGDATA/portafilter.conf")"
  clear_stale_files
  if is_running && is_healthy "$PORT"; then
    log "already running on 127.0.0.1:${PORT}"
    return
  fi
  ! port_in_use "$PORT" || die "port $PORT, the crash-test server's, is taken by another process"
  log "starting PostgreSQL again on 127.0.0.1:${PORT} (crash recovery; log ${LOG_FILE})"
  as_pg "$PG_BIN/pg_ctl" start -D "$PGDATA" -l "$LOG_FILE" -w -t 120 >/dev/null 2>&1 || die "pg_ctl start failed"
  is_healthy "$PORT" || die "server started but does not accept connections on 127.0.0.1:${PORT}"
  log "accepting connections after $((SECONDS - t0)) s"
}

# --------------------------------------------------------------- commands ---

cmd_start() {
  [[ $EUID -eq 0 ]] || die "run as root (it installs packages and creates the '$OS_USER' user)"
  local t0=$SECONDS
  take_lock
  install_postgres
  install_pgvector
  ensure_os_user
  prepare_base
  SERVER_PHASE=1
  init_cluster
  clear_stale_files

  PORT=""
  if is_running; then
    PORT="$(running_port)"
    local i
    for i in $(seq 1 10); do
      is_healthy "$PORT" && break
      sleep 1
    done
    if is_healthy "$PORT"; then
      log "reusing running server on 127.0.0.1:${PORT}"
    else
      log "server process exists but does not answer; restarting it"
      as_pg "$PG_BIN/pg_ctl" stop -D "$PGDATA" -m immediate -w -t 30 >/dev/null 2>&1 || true
      PORT=""
    fi
  fi
  if [[ -z "$PORT" ]]; then
    start_server
    PORT="$(running_port)"
    is_healthy "$PORT" || die "server started but does not accept connections on 127.0.0.1:${PORT}"
  fi

  ensure_database
  write_env_file
  log "ready in $((SECONDS - t0)) s"
}

cmd_stop() {
  if is_running; then
    log "stopping server (data ${PGDATA})"
    as_pg "$PG_BIN/pg_ctl" stop -D "$PGDATA" -m fast -w -t 60 >/dev/null \
      || die "pg_ctl stop failed"
    log "stopped"
  else
    log "not running"
  fi
}

cmd_status() {
  if is_running; then
    local port
    port="$(running_port)"
    if is_healthy "$port"; then
      log "running on 127.0.0.1:${port} (data ${PGDATA}, log ${LOG_FILE})"
      exit 0
    fi
    log "process running on port ${port} but not accepting connections (log ${LOG_FILE})"
    exit 1
  fi
  log "not running"
  exit 3
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  crash-start) use_crash_instance; cmd_start ;;
  crash-kill) use_crash_instance; cmd_crash_kill ;;
  crash-restart) use_crash_instance; cmd_crash_restart ;;
  crash-stop) use_crash_instance; clear_stale_files; cmd_stop ;;
  crash-status) use_crash_instance; clear_stale_files; cmd_status ;;
  *)
    echo "usage: bash $0 start|stop|status|crash-start|crash-kill|crash-restart|crash-stop|crash-status" >&2
    exit 2
    ;;
esac
