package dev.portafilter.pinecone;

import com.google.protobuf.Struct;
import dev.portafilter.conformance.ScenarioDataset;
import dev.portafilter.core.InvalidRecordException;
import dev.portafilter.core.InvalidSchemaException;
import dev.portafilter.core.StoreException;
import dev.portafilter.core.TenantIsolationException;
import dev.portafilter.core.UnsupportedCapabilityException;
import dev.portafilter.core.UnsupportedFilterException;
import dev.portafilter.core.filter.Filters;
import dev.portafilter.core.metadata.FieldType;
import dev.portafilter.core.metadata.Metadata;
import dev.portafilter.core.metadata.MetadataSchema;
import dev.portafilter.core.store.SearchHit;
import dev.portafilter.core.store.VectorRecord;
import dev.portafilter.core.store.VectorStore;
import dev.portafilter.core.tenant.TenantScope;
import dev.portafilter.localservers.pinecone.LocalPineconeServer;
import io.pinecone.clients.Index;
import io.pinecone.proto.QueryRequest;
import io.pinecone.proto.UpsertRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What is particular to Pinecone: namespaces, limits checked before sending, batching, fan-out and paging. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PineconeStoreTest {
    private static final int DIM = ScenarioDataset.DIMENSION;
    private final LocalPineconeServer server = LocalPineconeServer.start(DIM);
    private final Index index = LocalFixture.connect(server, Duration.ofSeconds(10));
    private int stores;

    @AfterAll
    void stop() {
        index.close();
        server.close();
    }

    @BeforeEach
    void forgetCalls() {
        server.clearCalls();
    }

    private String prefix() {
        return "s" + (++stores);
    }

    private PineconeStore store(String prefix) {
        return PineconeStore.builder(index, ScenarioDataset.SCHEMA, DIM)
                .namespacePerTenant(ScenarioDataset.TENANT_FIELD, prefix)
                .retryPolicy(new RetryPolicy(2, Duration.ZERO, Duration.ZERO))
                .build();
    }

    private static VectorRecord record(String id, String customer, Object... more) {
        List<Object> metadata = new ArrayList<>(List.of("customer", customer, "documentType", "note"));
        metadata.addAll(List.of(more));
        return new VectorRecord(id, ScenarioDataset.vectorFor(id, DIM), "text of " + id, Metadata.of(metadata.toArray()));
    }

    @Test
    void writesEachRecordToItsTenantsNamespace() {
        String p = prefix();
        store(p).upsert(ScenarioDataset.records());
        Map<String, List<String>> contents = server.contents();
        assertThat(contents.get(p + ".CustomerA")).containsExactlyInAnyOrderElementsOf(ScenarioDataset.idsOf("CustomerA"));
        assertThat(contents.get(p + ".CustomerB")).containsExactlyInAnyOrderElementsOf(ScenarioDataset.idsOf("CustomerB"));
        Struct stored = server.metadata(p + ".CustomerA", "A-C001");
        assertThat(stored.getFieldsOrThrow("_text").getStringValue()).startsWith("Case report C001");
        assertThat(stored.getFieldsOrThrow("publicationYear").getNumberValue()).isEqualTo(2021.0);
        assertThat(stored.getFieldsOrThrow("patientIds").getListValue().getValues(0).getStringValue()).isEqualTo("P001");
    }

    @Test
    void encodesTenantIdsIntoAsciiNamespaceNames() {
        String p = prefix();
        PineconeStore store = store(p);
        store.upsert(List.of(record("x1", "Acme Corp/ü"), record("x2", "Acme_Corp"), record("x3", "a.b")));
        assertThat(server.contents()).containsKeys(p + ".Acme_20Corp_2F_C3_BC", p + ".Acme_5FCorp", p + ".a_2Eb");
        VectorStore view = TenantScope.of(store, "customer").forTenant("Acme Corp/ü");
        assertThat(view.search(ScenarioDataset.vectorFor("q", DIM), 10)).extracting(SearchHit::id).containsExactly("x1");
    }

    @Test
    void aTenantIdTooLongForANamespaceIsATypedErrorBeforeAnyRequest() {
        PineconeStore store = store(prefix());
        server.clearCalls();
        String tenant = "t".repeat(600);
        assertThatThrownBy(() -> store.upsert(List.of(record("ok", "CustomerA"), record("long", tenant))))
                .isInstanceOf(InvalidRecordException.class).hasMessageContaining("long").hasMessageContaining("512");
        assertThatThrownBy(() -> store.partitionForTenant("customer", tenant))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("512");
        assertThat(server.calls()).isEmpty();
    }

    @Test
    void aTenantPartitionNamesOnlyItsOwnNamespace() {
        String p = prefix();
        PineconeStore store = store(p);
        store.upsert(ScenarioDataset.records());
        VectorStore a = TenantScope.of(store, "customer").forTenant("CustomerA");
        server.clearCalls();
        a.search(ScenarioDataset.vectorFor("q", DIM), 100);
        a.search(ScenarioDataset.vectorFor("q", DIM), 500, Filters.eq("region", "US"));
        a.upsert(List.of(record("A-NEW", "CustomerA")));
        a.delete(List.of("A-NEW", "B-S001"));
        a.deleteWhere(Filters.eq("documentType", "nothing"));
        assertThat(server.calls()).isNotEmpty()
                .allSatisfy(c -> assertThat(c.namespace()).isEqualTo(p + ".CustomerA"))
                .noneSatisfy(c -> assertThat(c.method()).isEqualTo("describeIndexStats"));
        // every query still carries the tenant filter
        assertThat(server.calls("query")).allSatisfy(c -> assertThat(StructJson.write(((QueryRequest) c.request()).getFilter()))
                .contains("{\"customer\":{\"$eq\":\"CustomerA\"}}"));
    }

    @Test
    void aPartitionRefusesRecordsOfAnotherTenantAndCannotBeNarrowedElsewhere() {
        PineconeStore store = store(prefix());
        VectorStore partition = store.partitionForTenant("customer", "CustomerA");
        assertThat(partition).isNotSameAs(store);
        assertThat(partition.partitionForTenant("customer", "CustomerA")).isSameAs(partition);
        assertThatThrownBy(() -> partition.partitionForTenant("customer", "CustomerB"))
                .isInstanceOf(TenantIsolationException.class);
        server.clearCalls();
        assertThatThrownBy(() -> partition.upsert(List.of(record("B-1", "CustomerB"))))
                .isInstanceOf(TenantIsolationException.class).hasMessageContaining("nothing was written");
        assertThat(server.calls("upsert")).isEmpty();
        // a field that is not the tenant field has no partition: the store itself, filters still apply
        assertThat(store.partitionForTenant("region", "US")).isSameAs(store);
    }

    @Test
    void anUnscopedUpsertMovesARecordThatChangesTenant() {
        String p = prefix();
        PineconeStore store = store(p);
        store.upsert(List.of(record("m1", "CustomerA"), record("m2", "CustomerA")));
        store.upsert(List.of(record("m1", "CustomerB")));
        assertThat(server.contents().get(p + ".CustomerA")).containsExactly("m2");
        assertThat(server.contents().get(p + ".CustomerB")).containsExactly("m1");
        assertThat(store.search(ScenarioDataset.vectorFor("m1", DIM), 10)).extracting(SearchHit::id)
                .containsExactlyInAnyOrder("m1", "m2");
    }

    @Test
    void theTextKeyIsReservedAndConfigurable() {
        MetadataSchema clash = MetadataSchema.builder().required("customer", FieldType.STRING)
                .optional("_text", FieldType.STRING).build();
        assertThatThrownBy(() -> PineconeStore.builder(index, clash, DIM).build())
                .isInstanceOf(InvalidSchemaException.class).hasMessageContaining("_text")
                .extracting(e -> ((InvalidSchemaException) e).field()).isEqualTo("_text");
        MetadataSchema schema = MetadataSchema.builder().required("customer", FieldType.STRING).build();
        String p = prefix();
        PineconeStore store = PineconeStore.builder(index, schema, DIM).namespace(p).textKey("chunk").build();
        store.upsert(List.of(new VectorRecord("t1", ScenarioDataset.vectorFor("t1", DIM), "hello",
                Metadata.of("customer", "CustomerA"))));
        assertThat(server.metadata(p, "t1").getFieldsOrThrow("chunk").getStringValue()).isEqualTo("hello");
        SearchHit hit = store.search(ScenarioDataset.vectorFor("t1", DIM), 1).get(0);
        assertThat(hit.text()).isEqualTo("hello");
        assertThat(hit.metadata()).isEqualTo(Metadata.of("customer", "CustomerA"));
    }

    @Test
    void recordsPineconeCannotStoreFailBeforeAnyRequest() {
        PineconeStore store = store(prefix());
        server.clearCalls();
        VectorRecord big = new VectorRecord("big", ScenarioDataset.vectorFor("big", DIM), "x".repeat(41_000),
                Metadata.of("customer", "CustomerA", "documentType", "note"));
        assertThatThrownBy(() -> store.upsert(List.of(record("fine", "CustomerA"), big)))
                .isInstanceOf(InvalidRecordException.class).hasMessageContaining("big").hasMessageContaining("40960");
        assertThatThrownBy(() -> store.upsert(List.of(record("huge-year", "CustomerA",
                "publicationYear", 9_007_199_254_740_993L))))
                .isInstanceOf(InvalidRecordException.class).hasMessageContaining("publicationYear")
                .hasMessageContaining("64-bit float");
        assertThatThrownBy(() -> store.upsert(List.of(record("caf\u00e9", "CustomerA"))))
                .isInstanceOf(InvalidRecordException.class).hasMessageContaining("ASCII");
        assertThatThrownBy(() -> store.upsert(List.of(record("x".repeat(513), "CustomerA"))))
                .isInstanceOf(InvalidRecordException.class).hasMessageContaining("512");
        assertThat(server.calls()).isEmpty();
    }

    @Test
    void filtersPineconeCannotExpressFailBeforeAnyRequest() {
        PineconeStore store = store(prefix());
        store.upsert(ScenarioDataset.records());
        server.clearCalls();
        var huge = Filters.gt("publicationYear", 9_007_199_254_740_993L);
        float[] q = ScenarioDataset.vectorFor("q", DIM);
        assertThatThrownBy(() -> store.search(q, 5, huge)).isInstanceOf(UnsupportedFilterException.class);
        assertThatThrownBy(() -> store.deleteWhere(huge)).isInstanceOf(UnsupportedFilterException.class);
        assertThatThrownBy(() -> store.search(q, 10_001)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("10000");
        assertThat(server.calls()).isEmpty();
    }

    @Test
    void splitsUpsertsWithinPineconesRecordAndSizeLimits() {
        PineconeStore store = store(prefix());
        List<VectorRecord> many = IntStream.range(0, 2_500).mapToObj(i -> record("n" + i, "CustomerA")).toList();
        server.clearCalls();
        store.upsert(many);
        assertThat(server.calls("upsert")).extracting(c -> ((UpsertRequest) c.request()).getVectorsCount())
                .containsExactly(1000, 1000, 500);

        String text = "y".repeat(38_000);
        List<VectorRecord> heavy = IntStream.range(0, 120).mapToObj(i -> new VectorRecord("h" + i,
                ScenarioDataset.vectorFor("h" + i, DIM), text,
                Metadata.of("customer", "CustomerB", "documentType", "note"))).toList();
        server.clearCalls();
        store.upsert(heavy);
        List<LocalPineconeServer.Call> upserts = server.calls("upsert");
        assertThat(upserts).hasSizeGreaterThanOrEqualTo(3)
                .allSatisfy(c -> assertThat(c.request().getSerializedSize()).isLessThanOrEqualTo(2_000_000));
        assertThat(upserts.stream().mapToInt(c -> ((UpsertRequest) c.request()).getVectorsCount()).sum()).isEqualTo(120);
        assertThat(store.search(ScenarioDataset.vectorFor("q", DIM), 1_000, Filters.eq("customer", "CustomerB")))
                .hasSize(120);
    }

    @Test
    void largeTopKFetchesMetadataForTheFinalHitsOnly() {
        PineconeStore store = store(prefix());
        store.upsert(ScenarioDataset.records());
        server.clearCalls();
        List<SearchHit> hits = store.search(ScenarioDataset.vectorFor("q", DIM), 1_000);
        assertThat(server.calls("query")).allSatisfy(c -> assertThat(((QueryRequest) c.request()).getIncludeMetadata())
                .isFalse());
        assertThat(server.calls("fetch")).isNotEmpty();
        assertThat(hits).hasSize(ScenarioDataset.records().size()).allSatisfy(h -> {
            VectorRecord r = ScenarioDataset.byId().get(h.id());
            assertThat(h.text()).isEqualTo(r.text());
            assertThat(h.metadata()).isEqualTo(ScenarioDataset.SCHEMA.validateRecord(r.id(), r.metadata()));
        });
    }

    @Test
    void countsNoFilteredRecordsAndDeletesBeyond10000() {
        PineconeStore store = store(prefix());
        List<VectorRecord> many = IntStream.range(0, 10_001).mapToObj(i -> record("c" + i, "CustomerA")).toList();
        store.upsert(many);
        store.upsert(List.of(record("other", "CustomerB")));
        assertThat(store.count()).isEqualTo(10_002);
        // 1 record of CustomerB could be counted, 10,001 of CustomerA could not: Pinecone claims no filtered count
        assertThatThrownBy(() -> store.count(Filters.eq("customer", "CustomerB")))
                .isInstanceOf(UnsupportedCapabilityException.class).hasMessageContaining("10000");
        assertThat(store.deleteWhere(Filters.eq("customer", "CustomerA"))).isEqualTo(10_001);
        assertThat(store.count()).isEqualTo(1);
    }

    @Test
    void deleteCountsOnlyRecordsThatExistedAndMatched() {
        PineconeStore store = store(prefix());
        store.upsert(ScenarioDataset.records());
        assertThat(store.delete(List.of("A-C001", "A-C001", "B-S001", "missing", "caf\u00e9"),
                Filters.exists("confidence"))).isEqualTo(2);
        assertThat(store.delete(List.of("A-HIPAA"), Filters.exists("confidence"))).isZero();
        assertThat(store.count()).isEqualTo(ScenarioDataset.records().size() - 2);
    }

    @Test
    void refusesAnIndexOfAnotherDimension() {
        assertThatThrownBy(() -> PineconeStore.builder(index, ScenarioDataset.SCHEMA, 8).build())
                .isInstanceOf(StoreException.class).hasMessageContaining("dimension 16");
    }

    @Test
    void explainsTheFilterItSends() {
        PineconeStore store = store(prefix());
        assertThat(store.translator().toJson(Filters.not(Filters.gt("publicationYear", 2022))))
                .isEqualTo("{\"$or\":[{\"publicationYear\":{\"$lte\":2022}},{\"publicationYear\":{\"$exists\":false}}]}");
    }
}
