#!/usr/bin/env bash
# Provision and run a private, single-node OpenSearch 2.19.0 with the real k-NN plugin.
#
#   scripts/opensearch.sh start    install if needed, start (or reuse a healthy node), write
#                                  <repo>/.backends/opensearch.env and print its line:
#                                  PORTAFILTER_OPENSEARCH_URL=http://127.0.0.1:<port>
#   scripts/opensearch.sh stop     stop the node (no-op when not running)
#   scripts/opensearch.sh status   exit 0 when running and healthy (prints the URL), 1 otherwise
#
# A three-node cluster of the same install, apart from the single node (own cluster name, ports, state):
#   scripts/opensearch.sh cluster-start   start the nodes not running (a fresh start wipes the cluster's data),
#                                         wait for green, write <repo>/.backends/opensearch-cluster.env:
#                                         PORTAFILTER_OPENSEARCH_CLUSTER_URL (node 1), _URLS (all three), and
#                                         PORTAFILTER_OPENSEARCH_CLUSTER_NODE<n>_HTTP_PORT / _TRANSPORT_PORT / _PID_FILE
#   scripts/opensearch.sh cluster-stop    stop the three nodes
#   scripts/opensearch.sh cluster-status  print each node and the cluster's health; exit 0 when all three run, green
#   scripts/opensearch.sh node-kill N     kill -9 node N (1..3), for fault tests
#   scripts/opensearch.sh node-start N... start the nodes again on their ports, wait until all three are in the cluster
# Each node: 127.0.0.1 only (loopback keeps the production bootstrap checks off), heap 512 MiB, its own config
# directory (OPENSEARCH_PATH_CONF, copied from the install's), data/logs/run under
# /var/tmp/portafilter/opensearch-cluster/node<n>, HTTP from 59210 and transport from 59310 upward.
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
# The node the per-node functions below act on: the single node unless use_cluster_node chose a cluster node.
NODE_NAME=portafilter-os-1
CONF_DIR="$INSTALL_DIR/config"
NODE_ARGS=(-Ediscovery.type=single-node)

CLUSTER_NODES=3
CLUSTER_STATE_DIR=/var/tmp/portafilter/opensearch-cluster
CLUSTER_LOCK_FILE="$CLUSTER_STATE_DIR.lock"
CLUSTER_PORTS_FILE="$CLUSTER_STATE_DIR/ports"
CLUSTER_ENV_FILE="$REPO_ROOT/.backends/opensearch-cluster.env"
CLUSTER_HTTP_PORT_BASE=59210
CLUSTER_TRANSPORT_PORT_BASE=59310
CLUSTER_START_TIMEOUT="${PORTAFILTER_OPENSEARCH_CLUSTER_START_TIMEOUT:-300}"

log() { echo "[opensearch] $*" >&2; }
die() { echo "[opensearch] ERROR: $*" >&2; exit 1; }

usage() {
  echo "usage: $0 {start|stop|status|cluster-start|cluster-stop|cluster-status|node-kill N|node-start N...}" >&2
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
  local conf="$CONF_DIR"
  cat >"$conf/opensearch.yml" <<EOF
# Written by scripts/opensearch.sh -- do not edit, it is rewritten at every start.
cluster.name: $CLUSTER_NAME
node.name: $NODE_NAME
path.data: $DATA_DIR
path.logs: $LOG_DIR
network.host: 127.0.0.1
# a small or nearly full disk must not turn indices read-only / unassigned
cluster.routing.allocation.disk.threshold_enabled: false
# the node's clock exact, not updated every 200 ms: a search's timeout is measured against it, and the fault test
# proves that a search cut short at its timeout (timed_out) is reported as partial
thread_pool.estimated_time_interval: 0
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

# healthy PORT [STATUS]: our cluster answers and is at least STATUS (yellow by default, or green)
healthy() {
  local out want=${2:-yellow}
  out=$(curl -s -f --max-time 5 \
        "http://127.0.0.1:$1/_cluster/health?wait_for_status=$want&timeout=2s" 2>/dev/null) || return 1
  [[ "$out" == *"\"cluster_name\":\"$CLUSTER_NAME\""* ]] || return 1
  [[ "$out" == *'"status":"green"'* || ("$want" == yellow && "$out" == *'"status":"yellow"'*) ]]
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

# launch_node HTTP_PORT TRANSPORT_PORT: starts the current node in the background, without waiting for it
launch_node() {
  local http_port=$1 transport_port=$2
  write_config
  rm -f "$PID_FILE"
  SERVER_LOG_OFFSET=$(stat -c %s "$LOG_DIR/$CLUSTER_NAME.log" 2>/dev/null || echo 0)
  : >"$LOG_DIR/launcher.out"
  chown "$OS_USER:" "$LOG_DIR/launcher.out"
  log "starting $NODE_NAME on http://127.0.0.1:$http_port (transport $transport_port)"
  # Clean environment: nothing from the caller (JAVA_TOOL_OPTIONS, ...) leaks into the JVM.
  # fd 9 (our flock) is closed for the daemon, or the node would hold the lock forever.
  if ! (cd "$INSTALL_DIR" && runuser -u "$OS_USER" -- env -i \
        PATH=/usr/local/bin:/usr/bin:/bin \
        HOME="$STATE_DIR" LANG=C.UTF-8 \
        OPENSEARCH_JAVA_HOME="$JAVA17_HOME" \
        OPENSEARCH_JAVA_OPTS="$HEAP_OPTS" \
        OPENSEARCH_TMPDIR="$TMP_DIR" \
        OPENSEARCH_PATH_CONF="$CONF_DIR" \
        "$INSTALL_DIR/bin/opensearch" -d -p "$PID_FILE" \
          "${NODE_ARGS[@]}" \
          -Enetwork.host=127.0.0.1 \
          -Ehttp.port="$http_port" \
          -Etransport.port="$transport_port" \
        >>"$LOG_DIR/launcher.out" 2>&1 </dev/null 9>&-); then
    log_tail
    die "bin/opensearch failed to launch $NODE_NAME"
  fi
  echo "$http_port" >"$PORT_FILE"
}

# await_node_pid: waits until the current node, just launched, wrote its pid file; sets LAUNCHED_PID. The node
# writes the file once it has loaded its plugins, which takes a minute on a busy machine; until then the launch
# is the process whose command line names that file.
await_node_pid() {
  local t0=$SECONDS pid=""
  while ((SECONDS - t0 < START_TIMEOUT)); do
    pid=$(node_pid) && break
    if ! pgrep -u "$OS_USER" -f -- "-p $PID_FILE" >/dev/null; then
      pid=$(node_pid) || true
      break
    fi
    sleep 0.5
  done
  [[ -n "$pid" ]] || { log_tail; die "$NODE_NAME exited during launch (no live pid in $PID_FILE)"; }
  LAUNCHED_PID=$pid
}

start_node() {
  local http_port transport_port
  http_port=$(find_free_port "$HTTP_PORT_BASE") || die "no free HTTP port in $HTTP_PORT_BASE..$((HTTP_PORT_BASE + 99))"
  transport_port=$(find_free_port "$TRANSPORT_PORT_BASE" "$http_port") \
    || die "no free transport port in $TRANSPORT_PORT_BASE..$((TRANSPORT_PORT_BASE + 99))"
  local t0=$SECONDS rc=0
  launch_node "$http_port" "$transport_port"
  await_node_pid
  local pid=$LAUNCHED_PID
  wait_healthy "$http_port" "$pid" "$START_TIMEOUT" || rc=$?
  case $rc in
    0) log "healthy after $((SECONDS - t0)) s (pid $pid)" ;;
    2) rm -f "$PID_FILE" "$PORT_FILE"; log_tail; die "node (pid $pid) died during startup" ;;
    *) log_tail; stop_node; die "node not healthy after ${START_TIMEOUT} s" ;;
  esac
}

# ---------------------------------------------------------------------------- three-node cluster

# use_cluster_node N: points the per-node functions above (write_config, launch_node, node_pid, stop_node,
# healthy, log_tail) at cluster node N
use_cluster_node() {
  local n=$1
  [[ "$n" =~ ^[1-9]$ ]] && ((n <= CLUSTER_NODES)) || die "no cluster node '$n': nodes are 1..$CLUSTER_NODES"
  CLUSTER_NAME=portafilter-cluster
  NODE_NAME=portafilter-cluster-$n
  STATE_DIR="$CLUSTER_STATE_DIR/node$n"
  DATA_DIR="$STATE_DIR/data"
  LOG_DIR="$STATE_DIR/logs"
  RUN_DIR="$STATE_DIR/run"
  TMP_DIR="$STATE_DIR/tmp"
  CONF_DIR="$STATE_DIR/config"
  PID_FILE="$RUN_DIR/opensearch.pid"
  PORT_FILE="$RUN_DIR/http.port"
  HEAP_OPTS="-Xms512m -Xmx512m"
}

# launch_cluster_node N: launches node N on its ports, with the other nodes as its seeds, without waiting for it
launch_cluster_node() {
  use_cluster_node "$1"
  local i seeds=() managers=() http transport
  for ((i = 1; i <= CLUSTER_NODES; i++)); do
    transport=$(cluster_port transport "$i")
    seeds+=("127.0.0.1:$transport")
    managers+=("portafilter-cluster-$i")
  done
  # the initial managers count only for the very first election, on empty data directories
  NODE_ARGS=(-Ediscovery.seed_hosts="$(IFS=,; echo "${seeds[*]}")"
             -Ecluster.initial_cluster_manager_nodes="$(IFS=,; echo "${managers[*]}")")
  http=$(cluster_port http "$1")
  transport=$(cluster_port transport "$1")
  launch_node "$http" "$transport"
}

# cluster_port http|transport N: node N's port, fixed when the cluster was first started so that a restarted
# node finds its peers where they were
cluster_port() {
  sed -n "s/^$1$2=//p" "$CLUSTER_PORTS_FILE" 2>/dev/null | grep . || die "no $1 port of node $2 in $CLUSTER_PORTS_FILE"
}

# choose_cluster_ports: the first free HTTP and transport ports from the cluster's bases, three of each
choose_cluster_ports() {
  local i p taken=() out=""
  for kind in http transport; do
    local base=$CLUSTER_HTTP_PORT_BASE
    [[ $kind == transport ]] && base=$CLUSTER_TRANSPORT_PORT_BASE
    p=$base
    for ((i = 1; i <= CLUSTER_NODES; i++)); do
      while [[ " ${taken[*]} " == *" $p "* ]] || ! port_free "$p"; do
        p=$((p + 1))
        ((p < base + 100)) || die "no free $kind ports in $base..$((base + 99))"
      done
      taken+=("$p")
      out+="$kind$i=$p"$'\n'
      p=$((p + 1))
    done
  done
  printf '%s' "$out" >"$CLUSTER_PORTS_FILE"
}

# prepare_cluster_node N: state directories and a config directory copied from the install's
prepare_cluster_node() {
  use_cluster_node "$1"
  mkdir -p "$DATA_DIR" "$LOG_DIR" "$RUN_DIR" "$TMP_DIR"
  rm -rf "$CONF_DIR"
  cp -r "$INSTALL_DIR/config" "$CONF_DIR"
  chown -R "$OS_USER:" "$STATE_DIR"
}

# cluster_running_nodes: how many of the nodes run
cluster_running_nodes() {
  local i count=0
  for ((i = 1; i <= CLUSTER_NODES; i++)); do
    use_cluster_node "$i"
    node_pid >/dev/null && count=$((count + 1))
  done
  echo "$count"
}

# wait_cluster PORT STATUS TIMEOUT: until the cluster answers on PORT with all nodes joined and STATUS
wait_cluster() {
  local port=$1 status=$2 timeout=$3 t0=$SECONDS out
  while ((SECONDS - t0 < timeout)); do
    out=$(curl -s -f --max-time 5 "http://127.0.0.1:$port/_cluster/health?wait_for_nodes=$CLUSTER_NODES&wait_for_status=$status&timeout=2s" 2>/dev/null) || true
    if [[ "$out" == *"\"number_of_nodes\":$CLUSTER_NODES,"* ]] && healthy "$port" "$status"; then
      return 0
    fi
    sleep 1
  done
  return 1
}

write_cluster_env() {
  mkdir -p "$(dirname "$CLUSTER_ENV_FILE")"
  local tmp="$CLUSTER_ENV_FILE.tmp.$$" i urls=()
  for ((i = 1; i <= CLUSTER_NODES; i++)); do
    urls+=("http://127.0.0.1:$(cluster_port http "$i")")
  done
  {
    echo "PORTAFILTER_OPENSEARCH_CLUSTER_URL=${urls[0]}"
    echo "PORTAFILTER_OPENSEARCH_CLUSTER_URLS=$(IFS=,; echo "${urls[*]}")"
    for ((i = 1; i <= CLUSTER_NODES; i++)); do
      use_cluster_node "$i"
      echo "PORTAFILTER_OPENSEARCH_CLUSTER_NODE${i}_HTTP_PORT=$(cluster_port http "$i")"
      echo "PORTAFILTER_OPENSEARCH_CLUSTER_NODE${i}_TRANSPORT_PORT=$(cluster_port transport "$i")"
      echo "PORTAFILTER_OPENSEARCH_CLUSTER_NODE${i}_PID_FILE=$PID_FILE"
    done
  } >"$tmp"
  mv -f "$tmp" "$CLUSTER_ENV_FILE"
  cat "$CLUSTER_ENV_FILE"
}

# lock_cluster: the install under the single node's lock (it may replace the install), then the cluster's lock
lock_cluster() {
  [[ $(id -u) -eq 0 ]] || die "must run as root (installs packages, creates user $OS_USER)"
  ensure_packages
  ensure_user
  mkdir -p "$(dirname "$STATE_DIR")" "$CLUSTER_STATE_DIR"
  exec 8>"$LOCK_FILE"
  flock -w 600 8 || die "timed out waiting for lock $LOCK_FILE"
  ensure_state_dirs
  install_opensearch
  exec 8>&-
  exec 9>"$CLUSTER_LOCK_FILE"
  flock -w 600 9 || die "timed out waiting for lock $CLUSTER_LOCK_FILE"
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

cmd_cluster_start() {
  lock_cluster
  local t0=$SECONDS i running launched=()
  running=$(cluster_running_nodes)
  if ((running == 0)); then
    # a fresh cluster: scratch data only, and no voting configuration left from nodes that were lost
    rm -rf "$CLUSTER_STATE_DIR"/node*
    choose_cluster_ports
  fi
  for ((i = 1; i <= CLUSTER_NODES; i++)); do
    use_cluster_node "$i"
    node_pid >/dev/null && continue
    prepare_cluster_node "$i"
    launch_cluster_node "$i"
    launched+=("$i")
  done
  # launched together: a node waits for its peers to elect a cluster manager
  for i in "${launched[@]}"; do
    use_cluster_node "$i"
    await_node_pid
    log "$NODE_NAME runs (pid $LAUNCHED_PID)"
  done
  use_cluster_node 1
  if ! wait_cluster "$(cluster_port http 1)" green "$CLUSTER_START_TIMEOUT"; then
    for ((i = 1; i <= CLUSTER_NODES; i++)); do use_cluster_node "$i"; SERVER_LOG_OFFSET=0; log_tail; done
    die "the cluster is not green with $CLUSTER_NODES nodes after ${CLUSTER_START_TIMEOUT} s"
  fi
  log "cluster green with $CLUSTER_NODES nodes after $((SECONDS - t0)) s"
  write_cluster_env
}

cmd_cluster_stop() {
  mkdir -p "$CLUSTER_STATE_DIR"
  [[ $(id -u) -eq 0 ]] || die "must run as root"
  exec 9>"$CLUSTER_LOCK_FILE"
  flock -w 120 9 || die "timed out waiting for lock $CLUSTER_LOCK_FILE"
  local i
  for ((i = 1; i <= CLUSTER_NODES; i++)); do
    use_cluster_node "$i"
    stop_node
  done
}

cmd_cluster_status() {
  local i pid rc=0
  [[ -s "$CLUSTER_PORTS_FILE" ]] || { log "cluster not started"; return 1; }
  for ((i = 1; i <= CLUSTER_NODES; i++)); do
    use_cluster_node "$i"
    if pid=$(node_pid); then
      log "$NODE_NAME: pid $pid, http://127.0.0.1:$(cluster_port http "$i"), transport $(cluster_port transport "$i")"
    else
      log "$NODE_NAME: not running"
      rc=1
    fi
  done
  for ((i = 1; i <= CLUSTER_NODES; i++)); do
    use_cluster_node "$i"
    if node_pid >/dev/null; then
      curl -s --max-time 5 "http://127.0.0.1:$(cluster_port http "$i")/_cluster/health" >&2 && echo >&2
      healthy "$(cluster_port http "$i")" green || rc=1
      return $rc
    fi
  done
  return 1
}

cmd_node_kill() {
  use_cluster_node "${1:-}"
  local pid
  pid=$(node_pid) || die "$NODE_NAME is not running"
  kill -KILL "$pid"
  while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
  log "$NODE_NAME (pid $pid) killed"
}

cmd_node_start() {
  (($#)) || die "node-start needs the nodes to start, e.g. node-start 2"
  local n
  for n in "$@"; do use_cluster_node "$n"; done   # validates every N before any lock
  lock_cluster
  local t0=$SECONDS launched=()
  # its data and config stay: a node rejoins with its shard copies, which recover from the primaries. Several nodes
  # start together: two of three are needed before either can join a cluster that lost its majority.
  for n in "$@"; do
    use_cluster_node "$n"
    if node_pid >/dev/null; then
      log "$NODE_NAME already runs"
      continue
    fi
    launch_cluster_node "$n"
    launched+=("$n")
  done
  for n in "${launched[@]}"; do
    use_cluster_node "$n"
    await_node_pid
  done
  use_cluster_node "$1"
  wait_cluster "$(cluster_port http "$1")" yellow "$CLUSTER_START_TIMEOUT" \
    || { log_tail; die "node(s) $* did not join the cluster within ${CLUSTER_START_TIMEOUT} s"; }
  log "node(s) $* joined after $((SECONDS - t0)) s"
}

# One line, so bash never reads past it: a script edited while it runs cannot run stray lines.
case "${1:-}" in start) cmd_start ;; stop) cmd_stop ;; status) cmd_status ;; cluster-start) cmd_cluster_start ;; cluster-stop) cmd_cluster_stop ;; cluster-status) cmd_cluster_status ;; node-kill) cmd_node_kill "${2:-}" ;; node-start) cmd_node_start "${@:2}" ;; *) usage ;; esac; exit
