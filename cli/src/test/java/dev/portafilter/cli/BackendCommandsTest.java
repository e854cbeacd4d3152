package dev.portafilter.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portafilter.conformance.BackendLocator;
import dev.portafilter.conformance.ScenarioDataset;
import dev.portafilter.pinecone.PineconeFixtures;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static dev.portafilter.cli.AuditAndCasesCommandTest.CASES;
import static dev.portafilter.cli.AuditAndCasesCommandTest.run;
import static org.assertj.core.api.Assertions.assertThat;

/** {@code portafilter audit} and {@code portafilter cases} against every live backend, as an auditor runs them. */
class BackendCommandsTest {
    @TempDir
    Path dir;

    @TestFactory
    Stream<DynamicTest> auditAndCasesPassOnEveryBackend() {
        return Stream.of("pgvector", "opensearch", "pinecone").flatMap(backend -> Stream.of(
                DynamicTest.dynamicTest("audit --backend " + backend, () -> audit(backend)),
                DynamicTest.dynamicTest("cases --backend " + backend, () -> cases(backend))));
    }

    private void audit(String backend) throws Exception {
        Path reports = dir.resolve("audit-" + backend);
        AuditAndCasesCommandTest.Run r = run(args("audit", backend, "--report-dir", reports.toString()));
        assertThat(r.exit()).as(r.out() + r.err()).isZero();
        JsonNode report = new ObjectMapper().readTree(reports.resolve("report.json").toFile());
        assertThat(report.get("backend").asText()).isEqualTo(backend);
        assertThat(report.get("passed").asBoolean()).isTrue();
        assertThat(report.get("totals").get("passed").asInt()).isGreaterThan(150);
        assertThat(report.get("totals").get("failed").asInt()).isZero();
        assertThat(Files.readString(reports.resolve("report.html"))).contains("PASSED").contains(backend);
        try (Stream<Path> xml = Files.list(reports.resolve("junit"))) {
            assertThat(xml.filter(p -> p.toString().endsWith(".xml")).count()).isPositive();
        }
    }

    private void cases(String backend) throws Exception {
        Path file = Files.writeString(dir.resolve("cases-" + backend + ".json"), CASES);
        Path out = dir.resolve("cases-" + backend + "-out.json");
        AuditAndCasesCommandTest.Run r = run(args("cases", backend, file.toString(), "--json", out.toString()));
        assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(ExitCodes.FAILED);
        assertThat(r.out()).contains("PASS  ne keeps missing").contains("FAIL  deliberately wrong");
        JsonNode json = new ObjectMapper().readTree(out.toFile());
        assertThat(json.get("backend").asText()).isEqualTo(backend);
        assertThat(json.get("cases").get(0).get("passed").asBoolean()).isTrue();
        assertThat(json.get("cases").get(1).get("missing").get(0).asText()).isEqualTo("r2");
    }

    private static String[] args(String command, String backend, String... rest) {
        List<String> args = new ArrayList<>(List.of(command, "--backend", backend));
        switch (backend) {
            case "pgvector" -> args.addAll(List.of("--jdbc-url", server("PORTAFILTER_PGVECTOR_URL", "pgvector")));
            case "opensearch" -> args.addAll(List.of("--opensearch-url", server("PORTAFILTER_OPENSEARCH_URL", "opensearch")));
            default -> args.addAll(List.of("--pinecone-api-key", "local-test-key", "--pinecone-index-host",
                    PineconeHost.HOST));
        }
        args.addAll(List.of(rest));
        return args.toArray(String[]::new);
    }

    private static String server(String variable, String name) {
        return BackendLocator.find(variable, name + ".env")
                .orElseThrow(() -> BackendLocator.unavailable(name, "set " + variable + " or run scripts/" + (name.equals(
                        "pgvector") ? "postgres" : name) + ".sh start"));
    }

    /** One local Pinecone protocol server for the conformance data's dimension. */
    private static final class PineconeHost {
        static final String HOST = PineconeFixtures.startLocalServer(ScenarioDataset.DIMENSION);
    }
}
