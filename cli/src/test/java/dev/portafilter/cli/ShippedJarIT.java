package dev.portafilter.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portafilter.core.filter.Filters;
import dev.portafilter.core.metadata.FieldType;
import dev.portafilter.core.metadata.Metadata;
import dev.portafilter.core.metadata.MetadataSchema;
import dev.portafilter.core.store.VectorRecord;
import dev.portafilter.opensearch.OpenSearchIndexLayout;
import dev.portafilter.opensearch.OpenSearchStore;
import dev.portafilter.pinecone.PineconeIndexes;
import io.pinecone.clients.Index;
import io.pinecone.proto.NamespaceSummary;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code audit}, {@code cases}, {@code ingest} and {@code explain} through the shipped jar, as a user runs it, on the
 * embedded store, pgvector, OpenSearch and the local Pinecone server; checked like the in-process tests.
 */
class ShippedJarIT {
    /** The conformance data's dimension, which audit and cases use. */
    private static final int AUDIT_DIMENSION = 16;
    /** all-MiniLM-L6-v2's, which ingest uses. */
    private static final int MODEL_DIMENSION = 384;
    private static final JarBackends BACKENDS = new JarBackends();
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;

    @AfterAll
    static void stopLocalServers() {
        BACKENDS.close();
    }

    @TestFactory
    Stream<DynamicContainer> everyCommandOnEveryBackend() {
        return JarBackends.ALL.stream().map(backend -> DynamicContainer.dynamicContainer(backend, Stream.of(
                DynamicTest.dynamicTest("audit", () -> audit(backend)),
                DynamicTest.dynamicTest("cases", () -> cases(backend)),
                DynamicTest.dynamicTest("ingest", () -> ingest(backend)))));
    }

    private static void audit(String backend) throws Exception {
        Path reports = dir.resolve("audit-" + backend);
        ShippedJar.Run r = run(backend, AUDIT_DIMENSION, "audit", "--report-dir", reports.toString());
        assertThat(r.exit()).as(r.describe()).isEqualTo(ExitCodes.OK);
        assertThat(r.out()).as(r.describe()).contains("TenantIsolationContract")
                .contains("PASSED: no leak, every result equals the reference semantics.");
        JsonNode report = JSON.readTree(reports.resolve("report.json").toFile());
        assertThat(report.get("backend").asText()).isEqualTo(backend);
        assertThat(report.get("passed").asBoolean()).isTrue();
        assertThat(report.get("totals").get("passed").asInt()).isGreaterThan(150);
        assertThat(report.get("totals").get("failed").asInt()).isZero();
        assertThat(Files.readString(reports.resolve("report.html"))).startsWith("<!DOCTYPE html>").contains("PASSED")
                .contains(backend);
        try (Stream<Path> xml = Files.list(reports.resolve("junit"))) {
            assertThat(xml.filter(p -> p.toString().endsWith(".xml")).count()).isPositive();
        }
    }

    private static void cases(String backend) throws Exception {
        Path file = Files.writeString(dir.resolve("cases-" + backend + ".json"), AuditAndCasesCommandTest.CASES);
        Path out = dir.resolve("cases-" + backend + "-out/results.json");
        ShippedJar.Run r = run(backend, AUDIT_DIMENSION, "cases", file.toString(), "--json", out.toString());
        assertThat(r.exit()).as(r.describe()).isEqualTo(ExitCodes.FAILED);
        assertThat(r.out()).as(r.describe()).contains("PASS  ne keeps missing").contains("FAIL  deliberately wrong")
                .contains("missing: [r2]  unexpected: [r1]").contains("2 cases on " + backend + ": 1 passed, 1 failed");
        JsonNode json = JSON.readTree(out.toFile());
        assertThat(json.get("backend").asText()).isEqualTo(backend);
        assertThat(json.get("cases").get(0).get("passed").asBoolean()).isTrue();
        assertThat(json.get("cases").get(1).get("missing").get(0).asText()).isEqualTo("r2");
        assertThat(json.get("cases").get(1).get("unexpected").get(0).asText()).isEqualTo("r1");
    }

    /** Ingests the two-document corpus, then reads the records back from the backend itself. */
    private static void ingest(String backend) throws Exception {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        String into = switch (backend) {
            case "pgvector" -> "portafilter_scratch.ingest_" + suffix;
            case "opensearch" -> "portafilter-ingest-" + suffix;
            default -> "ingest-" + suffix;
        };
        ShippedJar.Run r = run(backend, MODEL_DIMENSION, "ingest", TestResources.path("corpus").toString(), "--schema",
                TestResources.path("corpus-schema.json").toString(), "--into", into);
        try {
            assertThat(r.exit()).as(r.describe()).isEqualTo(ExitCodes.OK);
            assertThat(r.out()).as(r.describe())
                    .contains("2 documents found, 2 written as 2 records into " + into + " on " + backend);
            switch (backend) {
                case "pgvector" -> checkPgvector(into);
                case "opensearch" -> checkOpenSearch(into);
                case "pinecone" -> checkPinecone(into);
                default -> { } // the embedded store lives as long as the command: its output is all there is
            }
        } finally {
            switch (backend) {
                case "pgvector" -> sql("DROP TABLE IF EXISTS " + into);
                case "opensearch" -> send("DELETE", "/" + into);
                default -> { } // the local Pinecone server is discarded after the tests
            }
        }
    }

    private static void checkPgvector(String table) throws Exception {
        try (Connection c = DriverManager.getConnection(JarBackends.pgvectorUrl()); Statement s = c.createStatement();
             ResultSet rows = s.executeQuery("SELECT id, customer, \"publicationYear\", \"patientIds\" FROM " + table
                     + " ORDER BY customer")) {
            assertThat(rows.next()).isTrue();
            assertThat(rows.getString(1)).isEqualTo("customerA/C003.txt#0");
            assertThat(rows.getString(2)).isEqualTo("CustomerA");
            assertThat(rows.getLong(3)).isEqualTo(2023);
            assertThat((String[]) rows.getArray(4).getArray()).containsExactly("P003");
            assertThat(rows.next()).isTrue();
            assertThat(rows.getString(2)).isEqualTo("CustomerB");
            assertThat(rows.getLong(3)).isEqualTo(2024);
            assertThat(rows.next()).isFalse();
        }
        // and the plan a search gets on the table just written
        ShippedJar.Run r = ShippedJar.run(Map.of(), null, List.of("explain", "--schema",
                TestResources.path("corpus-schema.json").toString(), "--filter", "{\"customer\":\"CustomerA\"}",
                "--table", table, "--pgvector-url", JarBackends.pgvectorUrl(), "-k", "5"));
        assertThat(r.exit()).as(r.describe()).isEqualTo(ExitCodes.OK);
        assertThat(r.out()).as(r.describe()).contains("WHERE \"customer\" = ?")
                .contains("plan on " + table + " (k = 5): EXACT (about ");
    }

    private static void checkOpenSearch(String index) throws Exception {
        http("POST", "/" + index + "/_refresh");
        JsonNode hits = JSON.readTree(http("GET", "/" + index + "/_search?sort=customer:asc")).path("hits");
        assertThat(hits.path("total").path("value").asInt()).as(hits.toString()).isEqualTo(2);
        JsonNode a = hits.path("hits").get(0);
        assertThat(a.path("_id").asText()).isEqualTo("customerA/C003.txt#0");
        assertThat(a.path("_source").path("customer").asText()).isEqualTo("CustomerA");
        assertThat(a.path("_source").path("publicationYear").asLong()).isEqualTo(2023);
        assertThat(hits.path("hits").get(1).path("_source").path("customer").asText()).isEqualTo("CustomerB");
    }

    /** One namespace per tenant, {@code <into>.<tenant>}, with its document. */
    private static void checkPinecone(String prefix) {
        Index index = PineconeIndexes.open(JarBackends.PINECONE_API_KEY, BACKENDS.pineconeHost(MODEL_DIMENSION),
                Duration.ofSeconds(30));
        try {
            Map<String, NamespaceSummary> namespaces = index.describeIndexStats().getNamespacesMap();
            assertThat(namespaces).as(namespaces.toString()).containsKeys(prefix + ".CustomerA", prefix + ".CustomerB");
            assertThat(namespaces.get(prefix + ".CustomerA").getVectorCount()).isEqualTo(1);
            assertThat(namespaces.get(prefix + ".CustomerB").getVectorCount()).isEqualTo(1);
        } finally {
            index.close();
        }
    }

    @Test
    void explainShowsEveryBackendsTranslationWithBoundParameters() throws Exception {
        Path schema = Files.writeString(dir.resolve("explain-schema.json"), """
                {"customer": {"type": "STRING", "required": true}, "region": {"type": "STRING"},
                 "publicationYear": {"type": "LONG"}}
                """);
        ShippedJar.Run r = ShippedJar.run("explain", "--schema", schema.toString(), "--filter",
                "{\"region\":{\"$ne\":\"' OR 1=1 --\"}}");
        assertThat(r.exit()).as(r.describe()).isEqualTo(ExitCodes.OK);
        assertThat(r.out()).contains("WHERE \"region\" IS DISTINCT FROM ?").contains("parameters: [' OR 1=1 --]")
                .contains("\"must_not\"").contains("{\"region\":{\"$exists\":false}}");

        ShippedJar.Run pinecone = ShippedJar.run("explain", "--schema", schema.toString(), "--filter",
                "{\"publicationYear\":9007199254740993}");
        assertThat(pinecone.exit()).as(pinecone.describe()).isEqualTo(ExitCodes.FAILED);
        assertThat(pinecone.out()).contains("pinecone\n  cannot express it: $.publicationYear.$eq");
    }

    /** A table as a user's looks, with undeclared fields in its document: promoted and grown through the jar. */
    @Test
    void schemaPromoteAndAddChangeALiveTableOrRefuseWithTheRecord() throws Exception {
        String table = "portafilter_scratch.grow_" + UUID.randomUUID().toString().substring(0, 8);
        sql("CREATE TABLE " + table + " (id text PRIMARY KEY, text text, embedding vector(3) NOT NULL, "
                + "customer text NOT NULL, metadata_document jsonb NOT NULL DEFAULT '{}')");
        try {
            sql("INSERT INTO " + table + " VALUES ('a', null, '[1,0,0]', 'A', '{\"team\": \"red\", \"n\": 2}'), "
                    + "('b', null, '[0,1,0]', 'A', '{\"team\": \"blue\", \"n\": \"two\"}'), "
                    + "('c', null, '[0,0,1]', 'B', '{}')");
            Path schema = Files.writeString(dir.resolve("grow-schema.json"),
                    "{\"customer\": {\"type\": \"STRING\", \"required\": true}}");
            List<String> base = List.of("--jdbc-url", JarBackends.pgvectorUrl(), "--table", table, "--schema",
                    schema.toString());

            ShippedJar.Run promote = schema("promote", base, "--field", "team", "--type", "STRING");
            assertThat(promote.exit()).as(promote.describe()).isEqualTo(ExitCodes.OK);
            assertThat(promote.out()).contains("promoted 'team' (STRING)").contains("\"team\" : {");
            try (Connection c = DriverManager.getConnection(JarBackends.pgvectorUrl()); Statement s = c.createStatement();
                 ResultSet rows = s.executeQuery("SELECT id, team FROM " + table + " ORDER BY id")) {
                assertThat(rows.next()).isTrue();
                assertThat(rows.getString(2)).isEqualTo("red");
                assertThat(rows.next()).isTrue();
                assertThat(rows.getString(2)).isEqualTo("blue");
                assertThat(rows.next()).isTrue();
                assertThat(rows.getString(2)).isNull();
            }

            ShippedJar.Run misfit = schema("promote", base, "--field", "n", "--type", "LONG");
            assertThat(misfit.exit()).as(misfit.describe()).isEqualTo(ExitCodes.BAD_INPUT);
            assertThat(misfit.err()).contains("--field n").contains("record 'b'").contains("not a LONG");

            ShippedJar.Run required = schema("add", base, "--field", "year", "--type", "LONG", "--required");
            assertThat(required.exit()).as(required.describe()).isEqualTo(ExitCodes.BAD_INPUT);
            assertThat(required.err()).contains("empty table");
        } finally {
            sql("DROP TABLE IF EXISTS " + table);
        }
    }

    /** An index the CLI's layout created, grown through the jar: the new field is mapped and filterable at once. */
    @Test
    void schemaAddMapsANewFieldOnALiveIndexOrRefusesARequiredOne() throws Exception {
        String index = "pf-grow-" + UUID.randomUUID().toString().substring(0, 8);
        String url = JarBackends.openSearchUrl();
        MetadataSchema tenants = MetadataSchema.builder().required("customer", FieldType.STRING).build();
        try (OpenSearchStore store = OpenSearchStore.builder(OpenSearchIndexLayout.builder(index, tenants, 3).build())
                .url(url).build()) {
            store.createIndex();
            try {
                store.upsert(List.of(new VectorRecord("a", new float[] {1, 0, 0}, null, Metadata.of("customer", "A"))));
                Path schema = Files.writeString(dir.resolve("grow-index-schema.json"),
                        "{\"customer\": {\"type\": \"STRING\", \"required\": true}}");
                List<String> base = List.of("--opensearch-url", url, "--index", index, "--schema", schema.toString());

                ShippedJar.Run add = schema("add", base, "--field", "year", "--type", "LONG");
                assertThat(add.exit()).as(add.describe()).isEqualTo(ExitCodes.OK);
                assertThat(add.out()).contains("added 'year' (LONG) to the mapping of index " + index)
                        .contains("\"year\" : {");
                MetadataSchema grown = MetadataSchema.builder().required("customer", FieldType.STRING)
                        .optional("year", FieldType.LONG).build();
                try (OpenSearchStore after = OpenSearchStore.builder(OpenSearchIndexLayout.builder(index, grown, 3)
                        .build()).url(url).build()) {
                    after.upsert(List.of(new VectorRecord("b", new float[] {0, 1, 0}, null,
                            Metadata.of("customer", "A", "year", 2024))));
                    assertThat(after.count(Filters.eq("year", 2024))).isEqualTo(1);
                    assertThat(after.count(Filters.missing("year"))).isEqualTo(1);
                }

                ShippedJar.Run required = schema("add", base, "--field", "region", "--type", "STRING", "--required");
                assertThat(required.exit()).as(required.describe()).isEqualTo(ExitCodes.BAD_INPUT);
                assertThat(required.err()).contains("--field region").contains("required field");
            } finally {
                store.deleteIndex();
            }
        }
    }

    private static ShippedJar.Run schema(String subcommand, List<String> base, String... rest) {
        List<String> args = new ArrayList<>(List.of("schema", subcommand));
        args.addAll(base);
        args.addAll(List.of(rest));
        return ShippedJar.run(Map.of(), null, args);
    }

    private static ShippedJar.Run run(String backend, int dimension, String command, String... rest) {
        JarBackends.Target target = BACKENDS.target(backend, dimension);
        List<String> args = new ArrayList<>(List.of(command));
        args.addAll(target.options());
        args.addAll(List.of(rest));
        return ShippedJar.run(target.environment(), null, args);
    }

    private static void sql(String statement) throws Exception {
        try (Connection c = DriverManager.getConnection(JarBackends.pgvectorUrl()); Statement s = c.createStatement()) {
            s.execute(statement);
        }
    }

    /** The body of a successful OpenSearch request. */
    private static String http(String method, String path) throws Exception {
        HttpResponse<String> response = send(method, path);
        assertThat(response.statusCode()).as(method + " " + path + ": " + response.body()).isLessThan(300);
        return response.body();
    }

    private static HttpResponse<String> send(String method, String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(JarBackends.openSearchUrl().replaceAll("/+$", "") + path))
                .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }
}
