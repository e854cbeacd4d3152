#!/usr/bin/env bash
# The full benchmark: starts PostgreSQL + pgvector and OpenSearch + k-NN (installing them on first use), builds the
# benchmarks module and what it needs, and runs the harness. It writes docs/benchmarks.md and docs/benchmarks/*.png
# and prints the tables. Takes about 50 minutes at the default size on 2 cores; run it on an otherwise idle machine.
#
# Usage: bash scripts/benchmark.sh soak [-Dsoak.threads=16] [-Dsoak.tenants=4] [-Dsoak.operations=100]
#   runs the soak instead (SoakMain: every backend under mixed concurrent reads and writes, docs/soak.md).
#
#        bash scripts/benchmark.sh [-Dn=100000] [-Dqueries=1000] [-Dseed=42] [-Dthroughput.seconds=3]
#                                  [-Djmh=full|tiny|skip] [-Dout=docs]
#   Extra -D options go to the harness (see benchmarks/src/main/java/dev/portafilter/benchmarks/BenchmarkConfig.java).
#   BENCHMARK_USE_INSTALLED=1 builds only the benchmarks module, against the project's modules installed in ~/.m2.
#   BENCHMARK_HEAP sets the harness's -Xmx (default 6g).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

bash scripts/java.sh
bash scripts/postgres.sh start >/dev/null
bash scripts/opensearch.sh start >/dev/null

if [ "${BENCHMARK_USE_INSTALLED:-}" = "1" ]; then
  modules=(-pl benchmarks)
else
  modules=(-pl benchmarks -am)
fi
# compile, and write each module's runtime class path to target/classpath.txt
./mvnw -B -q -ntp "${modules[@]}" -DskipTests package dependency:build-classpath \
  -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=runtime

command="bash scripts/benchmark.sh${*:+ $*}"
main=dev.portafilter.benchmarks.BenchmarkMain
if [ "${1:-}" = "soak" ]; then
  shift
  main=dev.portafilter.benchmarks.SoakMain
  args=("$@")
else
  args=(-Dn=100000 "$@")
fi
exec java -Xmx"${BENCHMARK_HEAP:-6g}" -Djava.awt.headless=true \
  -cp "benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)" \
  -Dout="$root/docs" -Dcommand="$command" "${args[@]}" \
  "$main"
