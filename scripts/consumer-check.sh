#!/usr/bin/env bash
# Builds and runs the README's Java example as a user would: in a new Maven project outside the repository that
# imports only portafilter-bom and depends only on portafilter-adapter-pgvector, resolved from ~/.m2 (run
# `./mvnw install` first; scripts/test.sh does). Runs it against the PostgreSQL that scripts/postgres.sh starts
# and checks that CustomerA's search returned CustomerA's record and not CustomerB's.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

version=$(./mvnw -q -B -ntp help:evaluate -Dexpression=project.version -DforceStdout -N)
url=$(bash scripts/postgres.sh start | sed -n 's/^PORTAFILTER_PGVECTOR_URL=//p')
work=$(mktemp -d /tmp/portafilter-consumer.XXXXXX)
trap 'rm -rf "$work"' EXIT

mkdir -p "$work/src/main/java"
# the block between the consumer-check markers, without its ``` fences
sed -n '/<!-- consumer-check:begin -->/,/<!-- consumer-check:end -->/p' README.md | sed '1,2d;$d' | sed '$d' \
  > "$work/src/main/java/QuickStart.java"
cat > "$work/pom.xml" <<POM
<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>example</groupId>
  <artifactId>portafilter-consumer</artifactId>
  <version>1</version>
  <properties>
    <maven.compiler.release>17</maven.compiler.release>
    <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
  </properties>
  <dependencyManagement>
    <dependencies>
      <dependency>
        <groupId>dev.portafilter</groupId>
        <artifactId>portafilter-bom</artifactId>
        <version>$version</version>
        <type>pom</type>
        <scope>import</scope>
      </dependency>
    </dependencies>
  </dependencyManagement>
  <dependencies>
    <dependency>
      <groupId>dev.portafilter</groupId>
      <artifactId>portafilter-adapter-pgvector</artifactId>
    </dependency>
  </dependencies>
  <build>
    <plugins>
      <plugin>
        <groupId>org.apache.maven.plugins</groupId>
        <artifactId>maven-compiler-plugin</artifactId>
        <version>3.14.0</version>
      </plugin>
      <plugin>
        <groupId>org.apache.maven.plugins</groupId>
        <artifactId>maven-dependency-plugin</artifactId>
        <version>3.8.1</version>
      </plugin>
    </plugins>
  </build>
</project>
POM

# the BOM as installed must not pass the build's own third-party versions on to an application
if grep -q "<parent>\|jackson" ~/.m2/repository/dev/portafilter/portafilter-bom/"$version"/portafilter-bom-"$version".pom; then
  echo "[consumer] the installed portafilter-bom has a parent or third-party versions" >&2
  exit 1
fi

./mvnw -q -B -ntp -f "$work/pom.xml" package dependency:build-classpath -Dmdep.outputFile="$work/classpath.txt" \
  -Dmdep.includeScope=runtime
out=$(cd "$work" && PORTAFILTER_PGVECTOR_URL="$url" java -cp "target/classes:$(cat classpath.txt)" QuickStart 2>"$work/err" \
  || { cat "$work/err" >&2; exit 1; })
echo "$out"
if ! grep -q "^a-1 " <<<"$out" || grep -q "b-1" <<<"$out"; then
  echo "[consumer] expected CustomerA's a-1 and nothing of CustomerB's" >&2
  exit 1
fi
echo "[consumer] the README's example compiled and ran against portafilter-bom $version + portafilter-adapter-pgvector"
