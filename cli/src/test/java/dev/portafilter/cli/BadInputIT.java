package dev.portafilter.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bad input through the shipped jar: for each row of {@code bad-inputs/bad-inputs.json}, run in that folder (where
 * its input files are), the documented exit code and one line on stderr, {@code portafilter: ...}, naming what is
 * wrong — never a stack trace. Adding a case is adding a row, and its input file if it needs one.
 *
 * <p>A row's fields: {@code name}; {@code args}; {@code backend} (optional: memory, pgvector, opensearch or pinecone,
 * whose options and environment follow the args); {@code exit}; {@code stderr} (texts the line contains);
 * {@code stderrNot} (texts it must not contain).
 */
class BadInputIT {
    private static final Set<Integer> EXPECTED_FAILURES = Set.of(ExitCodes.USAGE, ExitCodes.BACKEND_UNAVAILABLE,
            ExitCodes.BAD_INPUT, ExitCodes.BACKEND_FAILED);
    private static final JarBackends BACKENDS = new JarBackends();

    @AfterAll
    static void stopLocalServers() {
        BACKENDS.close();
    }

    @TestFactory
    Stream<DynamicTest> everyBadInputIsOneLineWithItsExitCode() throws IOException {
        JsonNode rows = new ObjectMapper().readTree(TestResources.path("bad-inputs/bad-inputs.json").toFile());
        return StreamSupport.stream(rows.spliterator(), false)
                .map(row -> DynamicTest.dynamicTest(row.path("name").asText(), () -> check(row)));
    }

    private static void check(JsonNode row) {
        int exit = row.path("exit").asInt();
        assertThat(EXPECTED_FAILURES).as("the row's exit code is a documented failure").contains(exit);
        List<String> args = texts(row.path("args"));
        Map<String, String> environment = Map.of();
        if (row.has("backend")) {
            JarBackends.Target target = BACKENDS.target(row.get("backend").asText(), 16);
            args.addAll(target.options());
            environment = target.environment();
        }
        Path folder = TestResources.path("bad-inputs");
        ShippedJar.Run r = ShippedJar.run(environment, folder, args);

        assertThat(r.exit()).as(r.describe()).isEqualTo(exit);
        List<String> lines = r.err().lines().filter(l -> !l.isBlank()).toList();
        assertThat(lines).as("one line on stderr:\n%s", r.describe()).hasSize(1);
        assertThat(lines.get(0)).as(r.describe()).startsWith("portafilter: ");
        texts(row.path("stderr")).forEach(text -> assertThat(lines.get(0)).as(r.describe()).contains(text));
        texts(row.path("stderrNot")).forEach(text -> assertThat(r.out() + r.err()).as(r.describe()).doesNotContain(text));
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
