#!/usr/bin/env bash
# Builds the CLI and runs the demo on the embedded in-memory store: no server needed.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bash scripts/java.sh
./mvnw -q -B -ntp -pl cli -am package -DskipTests
exec java -jar cli/target/portafilter.jar demo "$@"
