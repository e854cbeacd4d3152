package dev.portafilter.cli;

import dev.portafilter.core.metadata.Metadata;
import dev.portafilter.core.store.VectorRecord;
import dev.portafilter.opensearch.OpenSearchIndexLayout;
import dev.portafilter.opensearch.OpenSearchStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;

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

    /** Given an index, explain also asks the cluster for the plan a search with the filter gets there. */
    @Test
    void showsTheOpenSearchPlanOfANamedIndex(@TempDir Path dir) throws Exception {
        Path schema = Files.writeString(dir.resolve("schema.json"), SCHEMA);
        String url = JarBackends.openSearchUrl();
        String index = "pf-explain-" + UUID.randomUUID().toString().substring(0, 8);
        try (OpenSearchStore store = OpenSearchStore.builder(OpenSearchIndexLayout.builder(index,
                Inputs.schema(schema), 3).build()).url(url).build()) {
            store.createIndex();
            try {
                store.upsert(List.of(
                        new VectorRecord("a", new float[]{1, 0, 0}, null, Metadata.of("customer", "CustomerA")),
                        new VectorRecord("b", new float[]{0, 1, 0}, null, Metadata.of("customer", "CustomerB"))));
                AuditAndCasesCommandTest.Run r = run("explain", "--schema", schema.toString(), "--filter",
                        "{\"customer\":\"CustomerA\"}", "--index", index, "--opensearch-url", url, "-k", "5");
                assertThat(r.exit()).as(r.err()).isZero();
                assertThat(r.out()).contains("plan on " + index + " (k = 5): EXACT (about 1 documents, 50.0% of the "
                        + "index; exact up to " + OpenSearchStore.DEFAULT_EXACT_MAX_ROWS + " documents): 1 documents match");
            } finally {
                store.deleteIndex();
            }
        }
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
