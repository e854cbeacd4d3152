#!/usr/bin/env bash
# The whole test suite with real backends: starts PostgreSQL + pgvector (and a second server of that install for the
# crash tests, which kill -9 it), OpenSearch + k-NN and a three-node OpenSearch cluster of the same install (installing
# them on first use), runs every module's tests (the CLI's run its shipped jar), checks the jar's size and builds the
# README's example against the installed artifacts, then prints how many contract tests ran on each backend.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

bash scripts/java.sh
bash scripts/postgres.sh start
bash scripts/postgres.sh crash-start
bash scripts/opensearch.sh start
bash scripts/opensearch.sh cluster-start

rm -f ./*/target/conformance-summary.txt ./*/target/integration-summary.txt ./*/target/fault-figures.txt
status=0
./mvnw -B -ntp install "$@" || status=$?

if [ $status -eq 0 ]; then
  # what a user gets: the CLI jar (its integration tests ran it as `java -jar`), and the artifacts an app depends on
  jar_bytes=$(stat -c %s cli/target/portafilter.jar)
  echo "[artifacts] cli/target/portafilter.jar: $((jar_bytes / 1024 / 1024)) MiB"
  if [ "$jar_bytes" -ge $((120 * 1024 * 1024)) ]; then
    echo "[artifacts] the CLI jar has grown past 120 MiB: look for natives or debug files the demo does not need" >&2
    status=1
  fi
  bash scripts/consumer-check.sh || status=$?
fi

echo
echo "Contract tests per backend:"
cat ./*/target/conformance-summary.txt 2>/dev/null || true
# Each backend must have run its contracts, with the metadata declared and (where the backend supports undeclared
# fields) undeclared; with CI=true a backend or profile that ran none fails the run.
for backend in memory memory/undeclared pgvector pgvector/undeclared pgvector/json-document opensearch \
    opensearch/undeclared opensearch-cluster pinecone-local pinecone-local/undeclared bedrock-local; do
  line=$(grep -h "^\[conformance\] $backend:" ./*/target/conformance-summary.txt 2>/dev/null | tail -n 1 || true)
  if [ -z "$line" ] || echo "$line" | grep -q ": 0 contract tests"; then
    echo "no contract tests ran on $backend" >&2
    [ "${CI:-}" = "true" ] && status=1
  fi
done
echo
echo "Integration suites per backend (the frameworks' own store tests, through Portafilter's integrations):"
cat ./*/target/integration-summary.txt 2>/dev/null || true
# Each framework's published suite must have run on every backend; with CI=true one that ran none fails the run.
for suite in langchain4j spring-ai; do
  for backend in memory pgvector opensearch pinecone-local; do
    line=$(grep -h "^\[$suite\] $backend:" ./*/target/integration-summary.txt 2>/dev/null | tail -n 1 || true)
    if [ -z "$line" ] || echo "$line" | grep -q ": 0 run"; then
      echo "the $suite suite ran no tests on $backend" >&2
      [ "${CI:-}" = "true" ] && status=1
    fi
  done
done
echo
echo "Fault figures per backend (docs/reliability.md):"
cat ./*/target/fault-figures.txt 2>/dev/null | grep -v '^\[faults\] [^:]*:   ' || true
# Each backend must have run its fault suite under load; with CI=true one that reported nothing fails the run.
for backend in pgvector opensearch opensearch-cluster pinecone-local; do
  if ! grep -qh "^\[faults\] $backend/[^:]*: acknowledged writes lost: 0; wrong-tenant rows: 0" \
      ./*/target/fault-figures.txt 2>/dev/null; then
    echo "no fault suite reported on $backend" >&2
    [ "${CI:-}" = "true" ] && status=1
  fi
done
# The real Pinecone cloud needs credentials and network access that CI does not have: say so next to its count.
if [ -z "${PINECONE_API_KEY:-}" ] || [ -z "${PINECONE_INDEX_HOST:-}" ]; then
  echo "[conformance] pinecone (cloud index) not configured: set PINECONE_API_KEY and PINECONE_INDEX_HOST to run" \
    "the same contracts on a real index; they ran on pinecone-local, the local server speaking Pinecone's protocol"
fi
exit $status
