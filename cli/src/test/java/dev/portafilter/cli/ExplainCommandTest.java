package dev.portafilter.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static dev.portafilter.cli.AuditAndCasesCommandTest.run;
import static org.assertj.core.api.Assertions.assertThat;

/** In-process; {@code ShippedJarIT} runs explain through the jar, with a live pgvector plan. */
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
    void anInvalidFilterIsRefusedWithItsPath(@TempDir Path dir) throws Exception {
        Path schema = Files.writeString(dir.resolve("schema.json"), SCHEMA);
        AuditAndCasesCommandTest.Run r = run("explain", "--schema", schema.toString(), "--filter", "{\"colour\":\"red\"}");
        assertThat(r.exit()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(r.err()).contains("--filter: $.colour.$eq: unknown field 'colour'");
    }
}
