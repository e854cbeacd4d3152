package dev.portafilter.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class AuditAndCasesCommandTest {
    static final String CASES = """
            {"schema": {"customer": {"type": "STRING", "required": true}, "year": {"type": "LONG"}},
             "records": [{"id": "r1", "metadata": {"customer": "A", "year": 2023}},
                         {"id": "r2", "metadata": {"customer": "B"}}],
             "cases": [{"name": "ne keeps missing", "filter": {"year": {"$ne": 2023}}, "expect": ["r2"]},
                       {"name": "deliberately wrong", "filter": {"customer": "A"}, "expect": ["r2"]}]}
            """;

    record Run(int exit, String out, String err) {
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = PortafilterCli.newCommandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int exit = cli.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void auditOnTheEmbeddedStorePassesAndWritesItsReports(@TempDir Path dir) throws Exception {
        Run r = run("audit", "--report-dir", dir.toString());
        assertThat(r.exit()).as(r.out()).isZero();
        assertThat(r.out()).contains("TenantIsolationContract").contains("PASSED");
        JsonNode report = new ObjectMapper().readTree(dir.resolve("report.json").toFile());
        assertThat(report.get("passed").asBoolean()).isTrue();
        assertThat(report.get("totals").get("passed").asInt()).isGreaterThan(150);
        assertThat(Files.readString(dir.resolve("report.html"))).startsWith("<!DOCTYPE html>");
        try (var xml = Files.list(dir.resolve("junit"))) {
            assertThat(xml.count()).isPositive();
        }
    }

    @Test
    void casesReportsEachMismatchAndExitsNonZero(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("cases.json"), CASES);
        Run r = run("cases", file.toString(), "--json", dir.resolve("out.json").toString());
        assertThat(r.exit()).isEqualTo(ExitCodes.FAILED);
        assertThat(r.out()).contains("PASS  ne keeps missing").contains("FAIL  deliberately wrong")
                .contains("missing: [r2]  unexpected: [r1]");
        JsonNode json = new ObjectMapper().readTree(dir.resolve("out.json").toFile());
        assertThat(json.get("cases").get(1).get("unexpected").get(0).asText()).isEqualTo("r1");
    }

    @Test
    void aMalformedCasesFileNamesTheJsonPath(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("bad.json"), CASES.replace("\"$ne\"", "\"$neq\""));
        Run r = run("cases", file.toString());
        assertThat(r.exit()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(r.err()).contains("$.cases[0].filter.year.$neq").contains("unknown operator");
    }
}
