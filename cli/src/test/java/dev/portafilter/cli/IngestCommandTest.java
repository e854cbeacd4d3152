package dev.portafilter.cli;

import dev.portafilter.conformance.BackendLocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.UUID;

import static dev.portafilter.cli.AuditAndCasesCommandTest.run;
import static org.assertj.core.api.Assertions.assertThat;

class IngestCommandTest {
    private static final String SCHEMA = """
            {"customer": {"type": "STRING", "required": true}, "publicationYear": {"type": "LONG"},
             "patientIds": {"type": "STRING_LIST"}}
            """;

    @TempDir
    Path dir;

    private Path corpus() throws Exception {
        Path docs = Files.createDirectories(dir.resolve("corpus/customerA"));
        Files.writeString(docs.resolve("C003.txt"), "Case report C003. Patient P003. Prescribed metformin 500 mg.");
        Files.writeString(docs.resolve("C003.txt.metadata.json"),
                "{\"metadataAttributes\":{\"customer\":\"CustomerA\",\"publicationYear\":2023,\"patientIds\":[\"P003\"]}}");
        Path b = Files.createDirectories(dir.resolve("corpus/customerB"));
        Files.writeString(b.resolve("S003.md"), "# Genetic test S003\n\nPatient P003. CYP2D6 poor metabolizer.");
        Files.writeString(b.resolve("S003.md.metadata.json"), """
                {"metadataAttributes": {
                  "customer": {"value": {"type": "STRING", "stringValue": "CustomerB"}, "includeForEmbedding": true},
                  "publicationYear": {"value": {"type": "NUMBER", "numberValue": 2024}}}}
                """);
        return dir.resolve("corpus");
    }

    @Test
    void ingestsBothSidecarFormsIntoPgvector() throws Exception {
        Path schema = Files.writeString(dir.resolve("schema.json"), SCHEMA);
        String url = BackendLocator.find("PORTAFILTER_PGVECTOR_URL", "pgvector.env")
                .orElseThrow(() -> BackendLocator.unavailable("pgvector", "run scripts/postgres.sh start"));
        String table = "portafilter_scratch.ingest_" + UUID.randomUUID().toString().substring(0, 8);
        AuditAndCasesCommandTest.Run r = run("ingest", corpus().toString(), "--schema", schema.toString(),
                "--backend", "pgvector", "--jdbc-url", url, "--into", table);
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            try {
                assertThat(r.exit()).as(r.out() + r.err()).isZero();
                assertThat(r.out()).contains("2 documents found, 2 written as 2 records");
                try (ResultSet rows = s.executeQuery("SELECT customer, \"publicationYear\" FROM " + table + " ORDER BY customer")) {
                    assertThat(rows.next()).isTrue();
                    assertThat(rows.getString(1)).isEqualTo("CustomerA");
                    assertThat(rows.getLong(2)).isEqualTo(2023);
                    assertThat(rows.next()).isTrue();
                    assertThat(rows.getString(1)).isEqualTo("CustomerB");
                    assertThat(rows.next()).isFalse();
                }
            } finally {
                s.execute("DROP TABLE IF EXISTS " + table);
            }
        }
    }

    @Test
    void aBadSidecarWritesNothingAndNamesTheFileAndKey() throws Exception {
        Path schema = Files.writeString(dir.resolve("schema.json"), SCHEMA);
        Path docs = corpus();
        Files.writeString(docs.resolve("customerB/S003.md.metadata.json"),
                "{\"metadataAttributes\":{\"customer\":\"CustomerB\",\"publicationYear\":2024.5}}");
        AuditAndCasesCommandTest.Run r = run("ingest", docs.toString(), "--schema", schema.toString());
        assertThat(r.exit()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(r.err()).contains("nothing was written").contains("S003.md").contains("publicationYear");

        AuditAndCasesCommandTest.Run skipping = run("ingest", docs.toString(), "--schema", schema.toString(),
                "--skip-invalid");
        assertThat(skipping.exit()).isEqualTo(ExitCodes.FAILED);
        assertThat(skipping.out()).contains("2 documents found, 1 written as 1 records").contains("skipped");
    }
}
