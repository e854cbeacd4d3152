package dev.portafilter.opensearch;

import dev.portafilter.conformance.ScenarioDataset;
import dev.portafilter.conformance.faults.FaultyProxy;
import dev.portafilter.core.InvalidRecordException;
import dev.portafilter.core.StoreException;
import dev.portafilter.core.StoreTimeoutException;
import dev.portafilter.core.metadata.FieldType;
import dev.portafilter.core.metadata.Metadata;
import dev.portafilter.core.metadata.MetadataSchema;
import dev.portafilter.core.metadata.StringValue;
import dev.portafilter.core.store.SearchHit;
import dev.portafilter.core.store.VectorRecord;
import dev.portafilter.core.store.VectorStore;
import dev.portafilter.core.tenant.TenantScope;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.opensearch.client.opensearch._types.Refresh;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/** {@link OpenSearchStore#bulkLoad} and the refresh of a multi-batch upsert, against the real server. */
class OpenSearchBulkLoadTest {
    private static final MetadataSchema TENANTS = MetadataSchema.builder()
            .required("customer", FieldType.STRING)
            .optional("region", FieldType.STRING)
            .build();
    private static final String A = ScenarioDataset.CUSTOMER_A;
    private static final String B = ScenarioDataset.CUSTOMER_B;

    /**
     * Records loaded in many small requests, two in flight, through a store that never asks a refresh of its
     * writes, are all searchable and counted when the call returns; on a plain and on a routed index.
     */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void loadedRecordsAreSearchableWhenItReturns(boolean routed) {
        withScenarioIndex(routed, b -> b.refresh(Refresh.False).bulkLoadBytes(4_000), store -> {
            store.bulkLoad(ScenarioDataset.records());
            assertThat(store.count()).isEqualTo(ScenarioDataset.records().size());
            VectorRecord one = ScenarioDataset.byId().get("B-S001");
            SearchHit hit = store.search(one.vector(), 1).get(0);
            assertThat(hit.id()).isEqualTo("B-S001");
            assertThat(hit.text()).isEqualTo(one.text());
            assertThat(hit.metadata()).isEqualTo(one.metadata());
            VectorStore a = TenantScope.of(store, ScenarioDataset.TENANT_FIELD).forTenant(A);
            assertThat(a.search(ScenarioDataset.vectorFor("q", ScenarioDataset.DIMENSION), 100))
                    .extracting(SearchHit::id).containsExactlyInAnyOrderElementsOf(ScenarioDataset.idsOf(A));
        });
    }

    /**
     * The cross-tenant id guard without a look-up: a load that carries another tenant's id, stamped with its own
     * tenant, is refused for that id alone, and the other tenant's record stays exactly as it was; the rest loads.
     * On a layout routed by tenant, where the create would land on another shard, the look-up refuses it.
     */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void anIdHeldByAnotherTenantIsRefusedAndNeverOverwritten(boolean routed) {
        withScenarioIndex(routed, b -> b, store -> {
            List<VectorRecord> theirs = ScenarioDataset.records().stream()
                    .filter(r -> ScenarioDataset.idsOf(B).contains(r.id())).toList();
            store.bulkLoad(theirs);
            VectorRecord original = ScenarioDataset.byId().get("B-S001");
            VectorRecord hijack = new VectorRecord("B-S001", ScenarioDataset.vectorFor("evil", ScenarioDataset.DIMENSION),
                    "written by A", original.metadata().with(ScenarioDataset.TENANT_FIELD, new StringValue(A)));
            VectorRecord mine = new VectorRecord("A-NEW", ScenarioDataset.vectorFor("A-NEW", ScenarioDataset.DIMENSION),
                    "new", Metadata.of(ScenarioDataset.TENANT_FIELD, A, "documentType", "note"));

            assertThatThrownBy(() -> store.bulkLoad(List.of(hijack, mine)))
                    .isInstanceOfSatisfying(StoreException.class, e -> assertThat(e.failedIds()).containsExactly("B-S001"))
                    .hasMessageContaining("B-S001").hasMessageContaining("exist already");

            TenantScope scope = TenantScope.of(store, ScenarioDataset.TENANT_FIELD);
            SearchHit kept = scope.forTenant(B).search(original.vector(), 1).get(0);
            assertThat(kept.id()).isEqualTo("B-S001");
            assertThat(kept.text()).isEqualTo(original.text());
            assertThat(kept.metadata()).isEqualTo(original.metadata());
            assertThat(scope.forTenant(A).search(mine.vector(), 10)).extracting(SearchHit::id).containsExactly("A-NEW");
            assertThat(store.count()).isEqualTo(theirs.size() + 1);
        });
    }

    /**
     * A failed item stops the load: the exception names exactly the records not loaded (the failed one and those
     * not sent), those loaded stay and are searchable, and the same load repeated with the record corrected
     * converges, accepting the records that exist identically.
     */
    @Test
    void aFailureNamesExactlyTheRecordsNotLoadedAndARetryConverges() {
        String index = TestServer.scratchIndex("bulk-partial");
        OpenSearchIndexLayout layout = OpenSearchIndexLayout.builder(index, TENANTS, 4).build();
        // the index maps region as boolean, the store's schema says string: that item fails on the server
        MetadataSchema booleanRegion = MetadataSchema.builder().required("customer", FieldType.STRING)
                .optional("region", FieldType.BOOLEAN).build();
        // built before the index exists, the store takes the mapping its layout plans; one record per request, one
        // in flight: the failure is met before anything later is sent
        try (OpenSearchStore store = TestServer.storeByUrl(layout).bulkLoadBytes(1).bulkLoadRequests(1).build();
             OpenSearchStore creator = OpenSearchStore.builder(OpenSearchIndexLayout.builder(index, booleanRegion, 4)
                     .build()).client(TestServer.client()).build()) {
            creator.createIndex();
            try {
                loadPartlyThenRetry(store);
            } finally {
                creator.deleteIndex();
            }
        }
    }

    /** The load, its retry and a changed record, on an index where a record with a region fails on the server. */
    private static void loadPartlyThenRetry(OpenSearchStore store) {
        List<VectorRecord> batch = new ArrayList<>(List.of(
                record("ok1", Metadata.of("customer", A)),
                record("bad", Metadata.of("customer", A, "region", "US")),
                record("later1", Metadata.of("customer", A)),
                record("later2", Metadata.of("customer", A))));
        assertThatThrownBy(() -> store.bulkLoad(batch))
                .isInstanceOfSatisfying(StoreException.class, e -> assertThat(e.failedIds())
                        .containsExactly("bad", "later1", "later2"))
                .hasMessageContaining("bad").hasMessageContaining("3 of 4");
        assertThat(store.search(ScenarioDataset.vectorFor("q", 4), 10)).extracting(SearchHit::id)
                .containsExactly("ok1");

        batch.set(1, record("bad", Metadata.of("customer", A)));
        store.bulkLoad(batch);
        store.bulkLoad(batch);
        assertThat(store.search(ScenarioDataset.vectorFor("q", 4), 10)).extracting(SearchHit::id)
                .containsExactlyInAnyOrder("ok1", "bad", "later1", "later2");
        assertThat(store.count()).isEqualTo(4);

        VectorRecord changed = new VectorRecord("ok1", ScenarioDataset.vectorFor("ok1", 4), "other text",
                Metadata.of("customer", A));
        assertThatThrownBy(() -> store.bulkLoad(List.of(changed)))
                .isInstanceOfSatisfying(StoreException.class, e -> assertThat(e.failedIds())
                        .containsExactly("ok1"));
        assertThat(store.search(changed.vector(), 1).get(0).text()).isEqualTo("text of ok1");
    }

    /** Every record is checked before the first request: a bad one anywhere in the load writes nothing. */
    @Test
    void badRecordsAreRefusedBeforeAnythingIsWritten() {
        withScenarioIndex(false, b -> b.bulkLoadBytes(1), store -> {
            List<VectorRecord> fine = ScenarioDataset.records();
            VectorRecord wrongDimension = new VectorRecord("short", new float[] {1, 0}, null,
                    Metadata.of(ScenarioDataset.TENANT_FIELD, A, "documentType", "note"));
            VectorRecord noTenant = new VectorRecord("untenanted",
                    ScenarioDataset.vectorFor("u", ScenarioDataset.DIMENSION), null, Metadata.of("documentType", "note"));
            VectorRecord longId = new VectorRecord("x".repeat(DocumentCodec.MAX_ID_BYTES + 1),
                    ScenarioDataset.vectorFor("l", ScenarioDataset.DIMENSION), null,
                    Metadata.of(ScenarioDataset.TENANT_FIELD, A, "documentType", "note"));
            for (VectorRecord bad : List.of(wrongDimension, noTenant, longId)) {
                List<VectorRecord> load = new ArrayList<>(fine);
                load.add(bad);
                assertThatThrownBy(() -> store.bulkLoad(load)).isInstanceOf(InvalidRecordException.class)
                        .hasMessageContaining(bad.id().substring(0, Math.min(10, bad.id().length())));
            }
            assertThat(store.count()).isZero();
        });
    }

    /**
     * A server that stops answering ends a bulk load at the load's own timeout, not the call timeout, with a
     * {@link StoreTimeoutException} naming every record; once healed, the same load converges.
     */
    @Test
    void aStalledConnectionEndsABulkLoadAtItsOwnTimeoutNamingEveryRecord() {
        OpenSearchIndexLayout layout = OpenSearchIndexLayout.builder(TestServer.scratchIndex("bulk-stall"), TENANTS, 4)
                .build();
        URI server = URI.create(TestServer.url());
        try (OpenSearchStore direct = TestServer.storeByUrl(layout).build();
             FaultyProxy proxy = FaultyProxy.to(server.getHost(), server.getPort())) {
            direct.createIndex();
            try {
                OpenSearchStore.Builder viaProxy = TestServer.storeByUrl(layout).callTimeout(Duration.ofMillis(300))
                        .bulkLoadTimeout(Duration.ofMillis(700));
                viaProxy.url(server.getScheme() + "://" + proxy.host() + ":" + proxy.port());
                try (OpenSearchStore store = viaProxy.build()) {
                    List<VectorRecord> load = List.of(record("n0", Metadata.of("customer", A)),
                            record("n1", Metadata.of("customer", A)));
                    proxy.fault(new FaultyProxy.Fault.Drop());
                    assertTimeoutPreemptively(Duration.ofSeconds(20), () -> assertThatThrownBy(() -> store.bulkLoad(load))
                            .isInstanceOfSatisfying(StoreTimeoutException.class, e -> {
                                assertThat(e.timeout()).isEqualTo(Duration.ofMillis(700));
                                assertThat(e.failedIds()).containsExactlyInAnyOrder("n0", "n1");
                            }));

                    proxy.fault(FaultyProxy.NONE);
                    store.bulkLoad(load);
                    assertThat(store.count()).as("healed: the load converges").isEqualTo(2);
                }
            } finally {
                direct.deleteIndex();
            }
        }
    }

    /**
     * An upsert of several batches waits for no refresh per batch but refreshes once at its end: with the default
     * {@link Refresh#WaitFor}, every record of the call is counted and found when it returns, on three shards too.
     */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void anUpsertOfSeveralBatchesIsVisibleWhenItReturns(boolean routed) {
        withScenarioIndex(routed, b -> b.batchSize(2), store -> {
            store.upsert(ScenarioDataset.records());
            assertThat(store.count()).isEqualTo(ScenarioDataset.records().size());
            for (String tenant : List.of(A, B)) {
                assertThat(TenantScope.of(store, ScenarioDataset.TENANT_FIELD).forTenant(tenant)
                        .search(ScenarioDataset.vectorFor("q", ScenarioDataset.DIMENSION), 100))
                        .extracting(SearchHit::id).containsExactlyInAnyOrderElementsOf(ScenarioDataset.idsOf(tenant));
            }
        });
    }

    /** A new index of the scenario's schema (routed by tenant over three shards, or plain), deleted afterwards. */
    private static void withScenarioIndex(boolean routed, UnaryOperator<OpenSearchStore.Builder> options,
                                          Consumer<OpenSearchStore> body) {
        OpenSearchIndexLayout.Builder layout = OpenSearchIndexLayout.builder(TestServer.scratchIndex("bulk"),
                ScenarioDataset.SCHEMA, ScenarioDataset.DIMENSION);
        if (routed) {
            layout.routeByTenant(ScenarioDataset.TENANT_FIELD).shards(3, 0);
        }
        try (OpenSearchStore store = options.apply(TestServer.storeByUrl(layout.build())).build()) {
            store.createIndex();
            try {
                body.accept(store);
            } finally {
                store.deleteIndex();
            }
        }
    }

    private static VectorRecord record(String id, Metadata metadata) {
        return new VectorRecord(id, ScenarioDataset.vectorFor(id, 4), "text of " + id, metadata);
    }
}
