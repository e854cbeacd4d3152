package dev.portafilter.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.portafilter.cli.inspect.PineconeInspector;
import dev.portafilter.core.metadata.FieldType;
import dev.portafilter.core.metadata.Metadata;
import dev.portafilter.core.metadata.MetadataSchema;
import dev.portafilter.core.store.VectorRecord;
import dev.portafilter.localservers.pinecone.LocalPineconeServer;
import dev.portafilter.pinecone.PineconeIndexes;
import dev.portafilter.pinecone.PineconeStore;
import io.pinecone.clients.Index;
import io.pinecone.unsigned_indices_model.VectorWithUnsignedIndices;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openapitools.db_control.client.model.IndexModel;
import org.openapitools.db_control.client.model.IndexModelSpec;
import org.openapitools.db_control.client.model.PodSpec;
import org.openapitools.db_control.client.model.PodSpecMetadataConfig;
import org.openapitools.db_control.client.model.ServerlessSpec;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

import static dev.portafilter.cli.InspectCommandTest.findings;
import static dev.portafilter.cli.InspectCommandTest.shape;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code inspect --backend pinecone} on the project's local Pinecone server, through the real client: an index
 * written one namespace per tenant with misplaced records, records without a tenant and look-alike tenants; one with
 * every tenant in one namespace; and a well-configured one. Every finding on the former, none on the latter, and
 * nothing written (only describe_index_stats, list, fetch and query reach the server; its contents are unchanged).
 */
class InspectPineconeTest {
    static final int DIMENSION = 16;
    static final MetadataSchema SCHEMA = MetadataSchema.builder().required("customer", FieldType.STRING)
            .optional("title", FieldType.STRING).build();
    private static final Set<String> READS = Set.of("describeIndexStats", "list", "fetch", "query");

    private static final Deployment bad = new Deployment();
    private static final Deployment shared = new Deployment();
    private static final Deployment good = new Deployment();

    @TempDir
    Path dir;

    /** One local server and the client on it. */
    static final class Deployment {
        LocalPineconeServer server;
        Index index;

        void start() {
            server = LocalPineconeServer.start(DIMENSION);
            index = PineconeIndexes.open("local", server.host(), Duration.ofSeconds(10));
        }

        /** Every record's namespace, id and metadata: what a read-only inspection leaves as it was. */
        Map<String, String> state() {
            Map<String, String> out = new TreeMap<>();
            server.contents().forEach((namespace, ids) -> ids.forEach(id -> out.put(namespace + "/" + id,
                    server.metadata(namespace, id).toString())));
            return out;
        }

        void close() {
            if (index != null) {
                index.close();
            }
            if (server != null) {
                server.close();
            }
        }
    }

    @BeforeAll
    static void build() {
        Random random = new Random(5);
        bad.start();
        PineconeStore perTenant = PineconeStore.builder(bad.index, SCHEMA, DIMENSION).namespacePerTenant("customer",
                "docs").build();
        perTenant.upsert(records(random, tenants(true, 40)));
        // written around the store: five of tenant_01's records in tenant_00's namespace, eight without a tenant
        List<VectorWithUnsignedIndices> stray = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            stray.add(raw("stray-" + i, random, "tenant_01"));
        }
        bad.index.upsert(stray, PineconeStore.tenantNamespace("docs", "tenant_00"));
        List<VectorWithUnsignedIndices> orphans = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            orphans.add(raw("orphan-" + i, random, null));
        }
        bad.index.upsert(orphans, PineconeStore.tenantNamespace("docs", "tenant_02"));

        shared.start();
        PineconeStore.builder(shared.index, SCHEMA, DIMENSION).namespace("shared").build()
                .upsert(records(random, tenants(false, 40)));

        good.start();
        PineconeStore.builder(good.index, SCHEMA, DIMENSION).namespacePerTenant("customer", "docs").build()
                .upsert(records(random, tenants(false, 40)));
    }

    @AfterAll
    static void stop() {
        for (Deployment d : List.of(bad, shared, good)) {
            d.close();
        }
    }

    /** tenant → records: tenant_00 to tenant_05 and tiny (12); with look-alikes of acme in the misconfigured one. */
    static Map<String, Integer> tenants(boolean lookAlikes, int perTenant) {
        Map<String, Integer> tenants = new LinkedHashMap<>();
        for (int t = 0; t < 6; t++) {
            tenants.put(String.format("tenant_%02d", t), perTenant);
        }
        tenants.put("tiny", 12);
        if (lookAlikes) {
            tenants.put("acme", perTenant);
            tenants.put("ACME", 10);
            tenants.put("\u0430cme", 10); // Cyrillic a
        }
        return tenants;
    }

    static List<VectorRecord> records(Random random, Map<String, Integer> tenants) {
        List<VectorRecord> out = new ArrayList<>();
        tenants.forEach((tenant, n) -> {
            for (int i = 0; i < n; i++) {
                out.add(new VectorRecord(Integer.toHexString(tenant.hashCode()) + "-" + i, vector(random),
                        "text " + i, Metadata.of("customer", tenant, "title", "title " + i)));
            }
        });
        return out;
    }

    static VectorWithUnsignedIndices raw(String id, Random random, String tenant) {
        Struct.Builder metadata = Struct.newBuilder().putFields("title", Value.newBuilder().setStringValue(id).build());
        if (tenant != null) {
            metadata.putFields("customer", Value.newBuilder().setStringValue(tenant).build());
        }
        List<Float> values = new ArrayList<>();
        for (float f : vector(random)) {
            values.add(f);
        }
        return new VectorWithUnsignedIndices(id, values, metadata.build(), null);
    }

    private static float[] vector(Random random) {
        float[] v = new float[DIMENSION];
        for (int i = 0; i < DIMENSION; i++) {
            v[i] = (float) random.nextGaussian();
        }
        return v;
    }

    private JsonNode inspect(Deployment d, int expectedExit, String... more) throws Exception {
        Map<String, String> before = d.state();
        d.server.clearCalls();
        List<String> args = new ArrayList<>(List.of("--backend", "pinecone", "--pinecone-api-key", "local",
                "--pinecone-index-host", d.server.host()));
        args.addAll(List.of(more));
        JsonNode report = InspectCommandTest.inspect(dir, expectedExit, args.toArray(String[]::new));
        assertThat(d.state()).as("read-only: every record as it was").isEqualTo(before);
        assertThat(d.server.calls()).as("read-only: reads only").isNotEmpty()
                .allSatisfy(c -> assertThat(READS).contains(c.method()));
        return report;
    }

    @Test
    void misplacedRecordsRecordsWithoutATenantAndLookAlikesAreFoundAndMeasured() throws Exception {
        JsonNode report = inspect(bad, ExitCodes.FAILED);
        assertThat(report.get("target").asText()).contains("one per tenant under the prefix docs");
        Map<String, JsonNode> f = findings(report);
        assertThat(f).containsOnlyKeys("namespace-tenant-mismatch", "records-without-tenant", "tenant-values-collide");
        assertThat(f.get("namespace-tenant-mismatch").get("evidence").asText()).startsWith("5 records")
                .contains("namespace 'docs.tenant_5F00' holds 5 records of 'tenant_01'")
                .contains("Measured: namespace-only:");
        assertThat(f.get("records-without-tenant").get("evidence").asText()).startsWith("8 of 325 records");
        assertThat(f.get("tenant-values-collide").get("evidence").asText()).contains("'acme'", "'ACME'",
                "'\\u{430}cme'");
        assertThat(report.get("data").get("recordsPerTenant").get("tenant_01").asInt()).isEqualTo(45);

        JsonNode namespaceOnly = shape(report, "namespace-only");
        assertThat(namespaceOnly.get("foreignRows").asLong()).as("the namespace is no wall").isPositive();
        assertThat(namespaceOnly.get("foreignExamples").toString()).contains("tenant_01", "(none)");
        assertThat(shape(report, "no-namespace").get("shortSearches").asInt()).as("the namespace forgotten")
                .isEqualTo(report.get("measured").get("tenants").size() * 10);
        JsonNode library = shape(report, "tenant-scope");
        assertThat(library.get("foreignRows").asLong()).isZero();
        assertThat(library.get("shortSearches").asInt()).isZero();
    }

    @Test
    void tenantsInOneNamespaceAreAConfigurationFindingWithMeasuredForeignRows() throws Exception {
        JsonNode report = inspect(shared, ExitCodes.OK);
        Map<String, JsonNode> f = findings(report);
        assertThat(f).containsOnlyKeys("tenants-share-namespace");
        assertThat(f.get("tenants-share-namespace").get("severity").asText()).isEqualTo("MEDIUM");
        assertThat(f.get("tenants-share-namespace").get("evidence").asText()).contains("'shared' (7 tenants)")
                .contains("Measured: no-filter:");
        assertThat(shape(report, "no-filter").get("foreignRows").asLong()).isPositive();
        for (String exact : List.of("tenant-scope", "metadata-eq")) {
            assertThat(shape(report, exact).get("foreignRows").asLong()).as(exact).isZero();
            assertThat(shape(report, exact).get("shortSearches").asInt()).as(exact).isZero();
        }
    }

    @Test
    void aWellConfiguredIndexHasNoFinding() throws Exception {
        JsonNode report = inspect(good, ExitCodes.OK, "--namespace-prefix", "docs");
        assertThat(report.get("findings")).as(report.get("findings").toPrettyString()).isEmpty();
        assertThat(report.get("data").get("records").asInt()).isEqualTo(6 * 40 + 12);
        JsonNode library = shape(report, "tenant-scope");
        assertThat(library.get("searches").asInt()).isEqualTo(7 * 10);
        assertThat(library.get("foreignRows").asLong()).isZero();
        assertThat(library.get("shortSearches").asInt()).isZero();
        assertThat(shape(report, "namespace-only").get("foreignRows").asLong()).isZero();
    }

    @Test
    void aPodIndexThatDoesNotIndexTheTenantCannotFilterOnIt() {
        // describe_index is a control-plane call, which the local server does not serve: the model as the client
        // reads it from the control plane's JSON
        Function<List<String>, IndexModel> pod = indexed -> new IndexModel().name("docs").spec(new IndexModelSpec()
                .pod(new PodSpec().metadataConfig(indexed == null ? null : new PodSpecMetadataConfig().indexed(indexed))));
        assertThat(PineconeInspector.metadataIndexing(pod.apply(List.of("title")), "customer"))
                .hasValueSatisfying(f -> assertThat(f.id() + " " + f.severity() + " " + f.evidence())
                        .startsWith("tenant-not-indexed HIGH").contains("[title]"));
        assertThat(PineconeInspector.metadataIndexing(pod.apply(List.of("title", "customer")), "customer")).isEmpty();
        assertThat(PineconeInspector.metadataIndexing(pod.apply(null), "customer")).as("every key indexed").isEmpty();
        assertThat(PineconeInspector.metadataIndexing(new IndexModel().name("docs").spec(new IndexModelSpec()
                .serverless(new ServerlessSpec())), "customer")).as("serverless").isEmpty();
    }

    @Test
    void aPrefixWithoutRecordsIsBadInputAndADeadServerIsUnreachable() {
        assertThat(AuditAndCasesCommandTest.run("inspect", "--report-dir", dir.toString(), "--backend", "pinecone",
                "--pinecone-api-key", "local", "--pinecone-index-host", good.server.host(), "--namespace-prefix",
                "nope").exit()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(AuditAndCasesCommandTest.run("inspect", "--report-dir", dir.toString(), "--backend", "pinecone",
                "--pinecone-api-key", "local", "--pinecone-index-host", "http://127.0.0.1:1").exit())
                .isEqualTo(ExitCodes.BACKEND_UNAVAILABLE);
    }
}
