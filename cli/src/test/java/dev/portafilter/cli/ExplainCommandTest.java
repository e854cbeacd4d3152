package dev.portafilter.cli;

import dev.portafilter.conformance.BackendLocator;
import dev.portafilter.conformance.ScenarioDataset;
import dev.portafilter.core.metadata.Metadata;
import dev.portafilter.core.store.VectorRecord;
import dev.portafilter.core.store.VectorStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.UUID;

import static dev.portafilter.cli.AuditAndCasesCommandTest.run;
import static org.assertj.core.api.Assertions.assertThat;

class ExplainCommandTest {
    private static final String SCHEMA = """
            {"customer": {"type": "STRING", "required": true}, "region": {"type": "STRING"},
             "publicationYear": {"type": "LONG"}}
            """;

    @Test
    void showsEveryBackendsTranslationWithBoundParameters(@TempDir Path dir) throws Exception {
        Path schema = Files.writeString(dir.resolve("schema.json"), SCHEMA);
        AuditAndCasesCommandTest.Run r = run("explain", "--schema", schema.toString(), "--filter",
                "{\"region\":{\"$ne\":\"' OR 1=1 --\"}}");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("WHERE \"region\" IS DISTINCT FROM ?")
                .contains("parameters: [' OR 1=1 --]")
                .contains("\"must_not\"")
                .contains("{\"region\":{\"$exists\":false}}");
    }

    @Test
    void namesTheBackendThatCannotExpressAFilter(@TempDir Path dir) throws Exception {
        Path schema = Files.writeString(dir.resolve("schema.json"), SCHEMA);
        AuditAndCasesCommandTest.Run r = run("explain", "--schema", schema.toString(), "--filter",
                "{\"publicationYear\":9007199254740993}");
        assertThat(r.exit()).isEqualTo(ExitCodes.FAILED);
        assertThat(r.out()).contains("pinecone\n  cannot express it: $.publicationYear.$eq");
    }

    @Test
    void showsThePlanASearchGetsOnALiveTable(@TempDir Path dir) throws Exception {
        Path schema = Files.writeString(dir.resolve("schema.json"), SCHEMA);
        String url = BackendLocator.find("PORTAFILTER_PGVECTOR_URL", "pgvector.env")
                .orElseThrow(() -> BackendLocator.unavailable("pgvector", "run scripts/postgres.sh start"));
        String table = "portafilter_scratch.explain_" + UUID.randomUUID().toString().substring(0, 8);
        try (PgvectorConnection db = new PgvectorConnection(url);
             VectorStore store = db.openStore(table, Inputs.schema(schema), 16, "customer")) {
            store.upsert(List.of(new VectorRecord("r1", ScenarioDataset.vectorFor("r1", 16), null,
                    Metadata.of("customer", "A", "region", "US"))));
            AuditAndCasesCommandTest.Run r = run("explain", "--schema", schema.toString(), "--filter",
                    "{\"customer\":\"A\"}", "--table", table, "--pgvector-url", url, "-k", "5");
            assertThat(r.exit()).as(r.err()).isZero();
            assertThat(r.out()).contains("plan on " + table + " (k = 5): EXACT (about ");
        } finally {
            try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
                s.execute("DROP TABLE IF EXISTS " + table);
            }
        }
    }

    @Test
    void anInvalidFilterIsRefusedWithItsPath(@TempDir Path dir) throws Exception {
        Path schema = Files.writeString(dir.resolve("schema.json"), SCHEMA);
        AuditAndCasesCommandTest.Run r = run("explain", "--schema", schema.toString(), "--filter", "{\"colour\":\"red\"}");
        assertThat(r.exit()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(r.err()).contains("--filter: $.colour.$eq: unknown field 'colour'");
    }
}
