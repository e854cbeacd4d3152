#!/usr/bin/env bash
# Provision and run a private, single-node OpenSearch 2.19.0 with the real k-NN plugin.
#
#   scripts/opensearch.sh start    install if needed, start (or reuse a healthy node), write
#                                  <repo>/.backends/opensearch.env and print its line:
#                                  PORTAFILTER_OPENSEARCH_URL=http://127.0.0.1:<port>
#   scripts/opensearch.sh stop     stop the node (no-op when not running)
#   scripts/opensearch.sh status   exit 0 when running and healthy (prints the URL), 1 otherwise
#
# Everything comes from Maven Central (via mvn, cached in ~/.m2) and Debian packages:
#   - server:   org.opensearch.distribution.integ-test-zip:opensearch:2.19.0:zip
#   - k-NN:     org.opensearch.plugin:opensearch-knn:2.19.0.0:zip       -> plugins/opensearch-knn
#   - painless: org.opensearch.plugin:lang-painless:2.19.0 + its jars   -> modules/lang-painless
#     (k-NN extends lang-painless; the integ-test zip does not ship it)
#   - reindex:  org.opensearch.plugin:reindex-client:2.19.0 + its jars  -> modules/reindex
#     (_delete_by_query; the integ-test zip does not ship it either)
# The artifact list lives in scripts/opensearch/pom.xml.
#
# The integ-test distribution has no native faiss/nmslib libraries: only the k-NN "lucene"
# engine works. A knn_vector mapping without an explicit "method" defaults to faiss and
# crashes the node, so always map e.g.
#   {"type":"knn_vector","dimension":3,"method":{"name":"hnsw","engine":"lucene","space_type":"cosinesimil"}}
#
# Runs as root (Debian bookworm); the node runs as system user "portafilter", bound to
# 127.0.0.1 on the first free HTTP port from 59200 upward, plain http, heap 1 GiB.
# Install: /opt/portafilter/opensearch-2.19.0-r<recipe>; data/logs: /var/tmp/portafilter/opensearch.
set -euo pipefail

OS_VERSION=2.19.0
# Bump when the install recipe changes. Each recipe installs into its own directory, so a
# checkout with another recipe (an older branch, a CI clone) keeps its install instead of
# rebuilding over ours; a node running from an older recipe is restarted from ours once.
# The install's stamp also covers the helper pom: an edited artifact list rebuilds it.
RECIPE=2

SCRIPT_DIR="$(cd "$(dirname "$0")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/.." && pwd)"
ENV_FILE="$REPO_ROOT/.backends/opensearch.env"

OS_USER=portafilter
JAVA17_HOME="${PORTAFILTER_OPENSEARCH_JAVA_HOME:-/usr/lib/jvm/java-17-openjdk-amd64}"
INSTALL_BASE=/opt/portafilter
INSTALL_DIR="$INSTALL_BASE/opensearch-$OS_VERSION-r$RECIPE"
MARKER="$INSTALL_DIR/.portafilter-installed"
STATE_DIR=/var/tmp/portafilter/opensearch
DATA_DIR="$STATE_DIR/data"
LOG_DIR="$STATE_DIR/logs"
RUN_DIR="$STATE_DIR/run"
TMP_DIR="$STATE_DIR/tmp"
PID_FILE="$RUN_DIR/opensearch.pid"
PORT_FILE="$RUN_DIR/http.port"
LOCK_FILE="$STATE_DIR.lock"
CLUSTER_NAME=portafilter
HTTP_PORT_BASE=59200
TRANSPORT_PORT_BASE=59300
START_TIMEOUT="${PORTAFILTER_OPENSEARCH_START_TIMEOUT:-120}"
HEAP_OPTS="-Xms1g -Xmx1g"

log() { echo "[opensearch] $*" >&2; }
die() { echo "[opensearch] ERROR: $*" >&2; exit 1; }

usage() {
  echo "usage: $0 {start|stop|status}" >&2
  exit 2
}

# ---------------------------------------------------------------------------- prerequisites

ensure_packages() {
  local pkgs=()
  [[ -x "$JAVA17_HOME/bin/java" ]] || pkgs+=(openjdk-17-jdk-headless)
  command -v mvn >/dev/null 2>&1 || pkgs+=(maven)
  command -v curl >/dev/null 2>&1 || pkgs+=(curl)
  command -v unzip >/dev/null 2>&1 || pkgs+=(unzip)
  command -v ss >/dev/null 2>&1 || pkgs+=(iproute2)
  command -v ps >/dev/null 2>&1 || pkgs+=(procps)
  { command -v runuser && command -v flock; } >/dev/null 2>&1 || pkgs+=(util-linux)
  command -v useradd >/dev/null 2>&1 || pkgs+=(passwd)
  if ((${#pkgs[@]})); then
    [[ $(id -u) -eq 0 ]] || die "missing ${pkgs[*]} and not root to install them"
    log "installing Debian packages: ${pkgs[*]}"
    export DEBIAN_FRONTEND=noninteractive
    # other provisioning scripts may run apt-get at the same time: wait for dpkg's lock
    local apt_opts=(-o DPkg::Lock::Timeout=300) i
    for i in 1 2 3; do
      apt-get "${apt_opts[@]}" update -qq >/dev/null && break
      ((i < 3)) || die "apt-get update failed"
      sleep 5
    done
    apt-get "${apt_opts[@]}" install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null \
      || die "apt-get install ${pkgs[*]} failed"
  fi
  [[ -x "$JAVA17_HOME/bin/java" ]] || die "no JDK 17 at $JAVA17_HOME"
  # OpenSearch 2.x needs the Security Manager, which JDK 24+ no longer allows.
  local major
  major=$("$JAVA17_HOME/bin/java" -XshowSettings:properties -version 2>&1 \
          | sed -n 's/^ *java\.specification\.version = //p')
  if ! [[ "$major" =~ ^[0-9]+$ ]] || ((major < 11 || major > 23)); then
    die "$JAVA17_HOME is Java '${major:-?}': OpenSearch $OS_VERSION needs Java 11..23 (17 recommended)"
  fi
}

ensure_user() {
  id -u "$OS_USER" >/dev/null 2>&1 && return 0
  # Another script may create the same user concurrently: retry and accept "already exists".
  local i err
  for i in 1 2 3 4 5 6 7 8 9 10; do
    local group_opt=(-U)
    getent group "$OS_USER" >/dev/null 2>&1 && group_opt=(-g "$OS_USER")
    if err=$(useradd --system "${group_opt[@]}" --home-dir /nonexistent --no-create-home \
               --shell /usr/sbin/nologin "$OS_USER" 2>&1); then
      log "created system user $OS_USER"
      return 0
    fi
    id -u "$OS_USER" >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  id -u "$OS_USER" >/dev/null 2>&1 || die "could not create user $OS_USER: $err"
}

ensure_state_dirs() {
  mkdir -p "$DATA_DIR" "$LOG_DIR" "$RUN_DIR" "$TMP_DIR"
  chown -R "$OS_USER:" "$STATE_DIR"
}

# ---------------------------------------------------------------------------- install

install_stamp() {
  echo "recipe=$RECIPE pom=$(sha256sum "$SCRIPT_DIR/opensearch/pom.xml" | cut -c1-16)"
}

installed() {
  [[ -f "$MARKER" ]] && [[ "$(cat "$MARKER" 2>/dev/null)" == "$(install_stamp)" ]]
}

# install_module HOME NAME JAR_DIR: copies JAR_DIR's jars into HOME/modules/NAME, except those the
# server already has in lib/ (a second copy on the classpath is jar hell and stops the node)
install_module() {
  local home=$1 name=$2 jars=$3 jar
  mkdir -p "$home/modules/$name"
  for jar in "$jars"/*.jar; do
    if [[ -e "$home/lib/$(basename "$jar")" ]]; then
      log "$name: skipping $(basename "$jar"): already in lib/"
      continue
    fi
    cp "$jar" "$home/modules/$name/"
  done
}

install_opensearch() {
  installed && return 0
  local t0=$SECONDS
  log "installing OpenSearch $OS_VERSION + k-NN + lang-painless + reindex into $INSTALL_DIR"
  mkdir -p "$INSTALL_BASE"
  chmod 755 "$INSTALL_BASE"
  local stage="$INSTALL_BASE/.opensearch-$OS_VERSION.stage.$$"
  rm -rf "$stage"
  mkdir -p "$stage/fetch"
  # Run Maven on a copy of the helper pom outside the repo, so the repo's .mvn/ config
  # (if any) does not apply and nothing is written into the work tree.
  cp "$SCRIPT_DIR/opensearch/pom.xml" "$stage/fetch/pom.xml"
  log "fetching artifacts from Maven Central (cached in ~/.m2)"
  if ! (cd "$stage/fetch" && mvn -q -B -f pom.xml validate -Dfetch.dir="$stage/dl" >"$stage/mvn.log" 2>&1); then
    tail -n 40 "$stage/mvn.log" >&2 || true
    rm -rf "$stage"
    die "mvn could not fetch the OpenSearch artifacts"
  fi

  local server_zip="$stage/dl/server/opensearch-$OS_VERSION.zip"
  local knn_zip
  knn_zip=$(ls "$stage"/dl/knn/opensearch-knn-*.zip)
  unzip -q "$server_zip" -d "$stage/unpack" || die "cannot unzip $server_zip"
  local home="$stage/unpack/opensearch-$OS_VERSION"
  [[ -x "$home/bin/opensearch" ]] || die "unexpected server zip layout"

  mkdir -p "$home/plugins/opensearch-knn"
  unzip -q "$knn_zip" -d "$home/plugins/opensearch-knn" || die "cannot unzip $knn_zip"

  install_module "$home" lang-painless "$stage/dl/painless"
  local painless="$home/modules/lang-painless"
  cat >"$painless/plugin-descriptor.properties" <<EOF
description=An easy, safe and fast scripting language for OpenSearch
version=$OS_VERSION
name=lang-painless
classname=org.opensearch.painless.PainlessPlugin
java.version=17
opensearch.version=$OS_VERSION
custom.foldername=
extended.plugins=
has.native.controller=false
EOF
  cat >"$painless/plugin-security.policy" <<'EOF'
grant {
  // needed to generate runtime classes
  permission java.lang.RuntimePermission "createClassLoader";

  // needed to find the classloader to load allowlisted classes from
  permission java.lang.RuntimePermission "getClassLoader";
};
EOF

  install_module "$home" reindex "$stage/dl/reindex"
  # No plugin-security.policy: the distribution's grants (socket connect, proxy selector) serve
  # only reindex from a remote cluster, which we do not use; local by-query APIs need none.
  cat >"$home/modules/reindex/plugin-descriptor.properties" <<EOF
description=The Reindex module adds APIs to reindex from one index to another or update documents in place.
version=$OS_VERSION
name=reindex
classname=org.opensearch.index.reindex.ReindexPlugin
java.version=17
opensearch.version=$OS_VERSION
custom.foldername=
extended.plugins=
has.native.controller=false
EOF

  install_stamp >"$home/.portafilter-installed"
  chown -R "$OS_USER:" "$home"
  local pid
  if pid=$(node_pid) && [[ "$(node_home "$pid")" == "$INSTALL_DIR" ]]; then
    log "a node runs from the outdated install: stopping it first"
    stop_node
  fi
  rm -rf "$INSTALL_DIR"
  mv "$home" "$INSTALL_DIR"
  rm -rf "$stage"
  log "installed in $((SECONDS - t0)) s"
}

# Config is rewritten on every (re)start so edits here apply without a reinstall.
write_config() {
  local conf="$INSTALL_DIR/config"
  cat >"$conf/opensearch.yml" <<EOF
# Written by scripts/opensearch.sh -- do not edit, it is rewritten at every start.
cluster.name: $CLUSTER_NAME
node.name: portafilter-os-1
path.data: $DATA_DIR
path.logs: $LOG_DIR
network.host: 127.0.0.1
# a small or nearly full disk must not turn indices read-only / unassigned
cluster.routing.allocation.disk.threshold_enabled: false
EOF
  # Own jvm.options: heap comes from OPENSEARCH_JAVA_OPTS; gc log, heap dumps and
  # error files go under $LOG_DIR instead of the install dir.
  cat >"$conf/jvm.options" <<EOF
# Written by scripts/opensearch.sh -- do not edit, it is rewritten at every start.
11-:-XX:+UseG1GC
11-:-XX:G1ReservePercent=25
11-:-XX:InitiatingHeapOccupancyPercent=30
-Djava.io.tmpdir=\${OPENSEARCH_TMPDIR}
-XX:+HeapDumpOnOutOfMemoryError
-XX:HeapDumpPath=$LOG_DIR
-XX:ErrorFile=$LOG_DIR/hs_err_pid%p.log
9-:-Xlog:gc*,gc+age=trace,safepoint:file=$LOG_DIR/gc.log:utctime,pid,tags:filecount=4,filesize=16m
18-:-Djava.security.manager=allow
20-:--add-modules=jdk.incubator.vector
-Djava.util.concurrent.ForkJoinPool.common.threadFactory=org.opensearch.secure_sm.SecuredForkJoinWorkerThreadFactory
EOF
  chown "$OS_USER:" "$conf/opensearch.yml" "$conf/jvm.options"
}

# ---------------------------------------------------------------------------- process state

node_pid() {
  # prints the pid of our running node, or fails
  [[ -s "$PID_FILE" ]] || return 1
  local pid
  pid=$(tr -dc '0-9' <"$PID_FILE")
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q 'org.opensearch.bootstrap.OpenSearch' || return 1
  echo "$pid"
}

# node_home PID: the install directory the node runs from
node_home() {
  tr '\0' '\n' <"/proc/$1/cmdline" 2>/dev/null | sed -n 's/^-Dopensearch\.path\.home=//p'
}

# recipe_of DIR: the recipe that built an install directory (recipe 1 had no suffix)
recipe_of() {
  if [[ "$1" =~ -r([0-9]+)$ ]]; then echo "${BASH_REMATCH[1]}"; else echo 1; fi
}

node_port() {
  [[ -s "$PORT_FILE" ]] || return 1
  tr -dc '0-9' <"$PORT_FILE"
}

# healthy PORT: our cluster answers and is at least yellow
healthy() {
  local out
  out=$(curl -s -f --max-time 5 \
        "http://127.0.0.1:$1/_cluster/health?wait_for_status=yellow&timeout=2s" 2>/dev/null) || return 1
  [[ "$out" == *"\"cluster_name\":\"$CLUSTER_NAME\""* ]] || return 1
  [[ "$out" == *'"status":"green"'* || "$out" == *'"status":"yellow"'* ]]
}

port_free() {
  local p=$1
  if command -v ss >/dev/null 2>&1; then
    # TIME-WAIT leftovers of earlier client connections do not block a listener
    [[ -z "$(ss -Htan exclude time-wait "( sport = :$p )" 2>/dev/null)" ]]
  else
    if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then return 1; fi
  fi
}

find_free_port() {
  local p=$1 skip=${2:-0} end=$(($1 + 100))
  while ((p < end)); do
    if ((p != skip)) && port_free "$p"; then
      echo "$p"
      return 0
    fi
    p=$((p + 1))
  done
  return 1
}

# byte size of the server log when this start began: the failure report shows only what
# this start attempt wrote
SERVER_LOG_OFFSET=0

log_tail() {
  local f="$LOG_DIR/launcher.out" server_log="$LOG_DIR/$CLUSTER_NAME.log"
  if [[ -s "$f" ]]; then
    echo "[opensearch] ---- last lines of $f ----" >&2
    tail -n 40 "$f" >&2 || true
  fi
  if [[ -s "$server_log" ]]; then
    local size
    size=$(stat -c %s "$server_log" 2>/dev/null || echo 0)
    ((size >= SERVER_LOG_OFFSET)) || SERVER_LOG_OFFSET=0   # rotated meanwhile
    if ((size > SERVER_LOG_OFFSET)); then
      echo "[opensearch] ---- last lines of $server_log ----" >&2
      tail -c +"$((SERVER_LOG_OFFSET + 1))" "$server_log" | tail -n 60 >&2 || true
    fi
  fi
}

write_env() {
  local port=$1
  mkdir -p "$(dirname "$ENV_FILE")"
  local tmp="$ENV_FILE.tmp.$$"
  echo "PORTAFILTER_OPENSEARCH_URL=http://127.0.0.1:$port" >"$tmp"
  mv -f "$tmp" "$ENV_FILE"
  cat "$ENV_FILE"
}

stop_node() {
  local pid
  if ! pid=$(node_pid); then
    rm -f "$PID_FILE" "$PORT_FILE"
    return 0
  fi
  log "stopping node (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  local i
  for ((i = 0; i < 60; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 1
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "node did not stop within 60 s, killing it"
    kill -KILL "$pid" 2>/dev/null || true
    sleep 1
  fi
  rm -f "$PID_FILE" "$PORT_FILE"
  log "stopped"
}

wait_healthy() {
  # wait_healthy PORT PID TIMEOUT
  local port=$1 pid=$2 timeout=$3 t0=$SECONDS
  while ((SECONDS - t0 < timeout)); do
    if healthy "$port"; then
      return 0
    fi
    kill -0 "$pid" 2>/dev/null || return 2
    sleep 1
  done
  return 1
}

start_node() {
  local http_port transport_port
  http_port=$(find_free_port "$HTTP_PORT_BASE") || die "no free HTTP port in $HTTP_PORT_BASE..$((HTTP_PORT_BASE + 99))"
  transport_port=$(find_free_port "$TRANSPORT_PORT_BASE" "$http_port") \
    || die "no free transport port in $TRANSPORT_PORT_BASE..$((TRANSPORT_PORT_BASE + 99))"
  write_config
  rm -f "$PID_FILE"
  SERVER_LOG_OFFSET=$(stat -c %s "$LOG_DIR/$CLUSTER_NAME.log" 2>/dev/null || echo 0)
  : >"$LOG_DIR/launcher.out"
  chown "$OS_USER:" "$LOG_DIR/launcher.out"
  log "starting node on http://127.0.0.1:$http_port (transport $transport_port)"
  local t0=$SECONDS
  # Clean environment: nothing from the caller (JAVA_TOOL_OPTIONS, ...) leaks into the JVM.
  # fd 9 (our flock) is closed for the daemon, or the node would hold the lock forever.
  if ! (cd "$INSTALL_DIR" && runuser -u "$OS_USER" -- env -i \
        PATH=/usr/local/bin:/usr/bin:/bin \
        HOME="$STATE_DIR" LANG=C.UTF-8 \
        OPENSEARCH_JAVA_HOME="$JAVA17_HOME" \
        OPENSEARCH_JAVA_OPTS="$HEAP_OPTS" \
        OPENSEARCH_TMPDIR="$TMP_DIR" \
        "$INSTALL_DIR/bin/opensearch" -d -p "$PID_FILE" \
          -Ediscovery.type=single-node \
          -Enetwork.host=127.0.0.1 \
          -Ehttp.port="$http_port" \
          -Etransport.port="$transport_port" \
        >>"$LOG_DIR/launcher.out" 2>&1 </dev/null 9>&-); then
    log_tail
    die "bin/opensearch failed to launch"
  fi
  echo "$http_port" >"$PORT_FILE"
  local i pid=""
  for ((i = 0; i < 30; i++)); do
    pid=$(node_pid) && break
    sleep 0.5
  done
  [[ -n "$pid" ]] || { log_tail; die "node exited right after launch (no live pid in $PID_FILE)"; }
  local rc=0
  wait_healthy "$http_port" "$pid" "$START_TIMEOUT" || rc=$?
  case $rc in
    0) log "healthy after $((SECONDS - t0)) s (pid $pid)" ;;
    2) rm -f "$PID_FILE" "$PORT_FILE"; log_tail; die "node (pid $pid) died during startup" ;;
    *) log_tail; stop_node; die "node not healthy after ${START_TIMEOUT} s" ;;
  esac
}

# ---------------------------------------------------------------------------- commands

cmd_start() {
  [[ $(id -u) -eq 0 ]] || die "must run as root (installs packages, creates user $OS_USER)"
  ensure_packages
  ensure_user
  mkdir -p "$(dirname "$STATE_DIR")"
  exec 9>"$LOCK_FILE"
  flock -w 600 9 || die "timed out waiting for lock $LOCK_FILE"
  ensure_state_dirs
  install_opensearch

  local pid port home
  if pid=$(node_pid); then
    home=$(node_home "$pid")
    # an older recipe lacks what ours adds (e.g. the reindex module); a newer one is a superset
    if [[ "$home" != "$INSTALL_DIR" ]] && (($(recipe_of "$home") < RECIPE)); then
      log "node (pid $pid) runs from the older install $home: restarting it from $INSTALL_DIR"
      stop_node
    fi
  fi
  if pid=$(node_pid); then
    port=$(node_port || true)
    if [[ -n "$port" ]] && healthy "$port"; then
      log "reusing running node (pid $pid) on port $port"
      write_env "$port"
      return 0
    fi
    if [[ -n "$port" ]]; then
      log "node (pid $pid) running but not healthy yet, waiting up to ${START_TIMEOUT} s"
      if wait_healthy "$port" "$pid" "$START_TIMEOUT"; then
        write_env "$port"
        return 0
      fi
    fi
    log "node (pid $pid) is not healthy, restarting it"
    stop_node
  fi
  start_node
  write_env "$(node_port)"
}

cmd_stop() {
  [[ $(id -u) -eq 0 ]] || die "must run as root"
  mkdir -p "$(dirname "$STATE_DIR")"
  exec 9>"$LOCK_FILE"
  flock -w 120 9 || die "timed out waiting for lock $LOCK_FILE"
  if node_pid >/dev/null; then
    stop_node
  else
    rm -f "$PID_FILE" "$PORT_FILE"
    log "not running"
  fi
}

cmd_status() {
  local pid port
  if ! pid=$(node_pid); then
    log "not running"
    return 1
  fi
  port=$(node_port || true)
  if [[ -n "$port" ]] && healthy "$port"; then
    log "running and healthy (pid $pid): http://127.0.0.1:$port"
    return 0
  fi
  log "running (pid $pid) but not healthy${port:+ on port $port}"
  return 1
}

# One line, so bash never reads past it: a script edited while it runs cannot run stray lines.
case "${1:-}" in start) cmd_start ;; stop) cmd_stop ;; status) cmd_status ;; *) usage ;; esac; exit
