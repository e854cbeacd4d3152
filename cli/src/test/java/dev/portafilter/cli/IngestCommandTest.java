package dev.portafilter.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static dev.portafilter.cli.AuditAndCasesCommandTest.run;
import static org.assertj.core.api.Assertions.assertThat;

/** In-process, on the embedded store; {@code ShippedJarIT} runs ingest through the jar on every backend. */
class IngestCommandTest {
    @TempDir
    Path dir;

    @Test
    void ingestsBothSidecarForms() {
        AuditAndCasesCommandTest.Run r = run("ingest", TestResources.path("corpus").toString(), "--schema",
                TestResources.path("corpus-schema.json").toString());
        assertThat(r.exit()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).contains("2 documents found, 2 written as 2 records into documents on memory");
    }

    @Test
    void aBadSidecarWritesNothingAndNamesTheFileAndKey() throws Exception {
        Path docs = TestResources.copy("corpus", dir);
        String schema = TestResources.path("corpus-schema.json").toString();
        Files.writeString(docs.resolve("customerB/S003.md.metadata.json"),
                "{\"metadataAttributes\":{\"customer\":\"CustomerB\",\"publicationYear\":2024.5}}");
        AuditAndCasesCommandTest.Run r = run("ingest", docs.toString(), "--schema", schema);
        assertThat(r.exit()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(r.err()).contains("nothing was written").contains("S003.md").contains("publicationYear");

        AuditAndCasesCommandTest.Run skipping = run("ingest", docs.toString(), "--schema", schema, "--skip-invalid");
        assertThat(skipping.exit()).isEqualTo(ExitCodes.FAILED);
        assertThat(skipping.out()).contains("2 documents found, 1 written as 1 records").contains("skipped");
    }

    @Test
    void aTenantFieldTheSchemaLacksIsRefusedBeforeConnecting() {
        AuditAndCasesCommandTest.Run r = run("ingest", TestResources.path("corpus").toString(), "--schema",
                TestResources.path("corpus-schema.json").toString(), "--tenant-field", "tenant", "--backend", "pgvector",
                "--jdbc-url", "jdbc:postgresql://127.0.0.1:1/never-reached");
        assertThat(r.exit()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(r.err()).startsWith("portafilter: --tenant-field tenant: the tenant field is not declared");
    }
}
