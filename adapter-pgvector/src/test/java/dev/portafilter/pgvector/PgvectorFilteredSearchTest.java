package dev.portafilter.pgvector;

import dev.portafilter.core.filter.Filter;
import dev.portafilter.core.filter.Filters;
import dev.portafilter.core.metadata.FieldType;
import dev.portafilter.core.metadata.Metadata;
import dev.portafilter.core.metadata.MetadataSchema;
import dev.portafilter.core.store.SearchHit;
import dev.portafilter.core.store.SearchRequest;
import dev.portafilter.core.store.VectorRecord;
import dev.portafilter.core.store.Vectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A selective tenant through the HNSW index: 20,000 rows, one tenant holding 1% of them. Without an iterative
 * scan the index hands ef_search candidates to the filter and about 1% of them survive; with it, k rows come back.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PgvectorFilteredSearchTest {
    private static final int ROWS = 20_000;
    private static final int DIMENSION = 48;
    private static final int K = 10;
    private static final String SMALL = "small-tenant";
    private static final MetadataSchema SCHEMA = MetadataSchema.builder()
            .required("customer", FieldType.STRING)
            .optional("publicationYear", FieldType.LONG)
            .build();

    private PgvectorTableLayout layout;
    private final List<VectorRecord> small = new ArrayList<>();
    private long loadMillis;

    @BeforeAll
    void load() {
        layout = PgvectorTableLayout.builder(PgvectorTestServer.SCRATCH_SCHEMA,
                PgvectorTestServer.uniqueTableName("filtered"), SCHEMA, DIMENSION).build();
        PgvectorSchemaManager.createTable(PgvectorTestServer.dataSource(), layout);
        SplittableRandom random = new SplittableRandom(42);
        List<VectorRecord> records = new ArrayList<>(ROWS);
        for (int i = 0; i < ROWS; i++) {
            String tenant = i % 100 == 0 ? SMALL : "big-" + (i % 7);
            VectorRecord r = new VectorRecord("r" + i, randomUnitVector(random), null,
                    Metadata.of("customer", tenant, "publicationYear", 2000 + i % 25));
            records.add(r);
            if (tenant.equals(SMALL)) {
                small.add(r);
            }
        }
        long start = System.nanoTime();
        try (PgvectorStore store = store(PgvectorStore.IterativeScan.RELAXED_ORDER)) {
            store.bulkLoad(records);
        }
        loadMillis = (System.nanoTime() - start) / 1_000_000;
    }

    @AfterAll
    void drop() {
        if (layout != null) {
            PgvectorSchemaManager.dropTable(PgvectorTestServer.dataSource(), layout);
        }
    }

    @Test
    void withTheTenantBtreeThePlannerAnswersAOnePercentTenantExactly() throws Exception {
        float[] query = randomUnitVector(new SplittableRandom(7));
        Filter tenant = Filters.eq("customer", SMALL);
        try (PgvectorStore store = store(PgvectorStore.IterativeScan.RELAXED_ORDER)) {
            String plan = String.join("\n", store.explainSearch(SearchRequest.of(query, K, tenant)));
            // the measured facts: at <= 1% the B-tree and an exact top-k sort are both exact and fastest
            assertThat(plan).contains("Bitmap Index Scan on " + tenantIndex()).doesNotContain(hnswIndex());
            List<SearchHit> hits = store.search(query, K, tenant);
            assertThat(ids(hits)).containsExactlyElementsOf(exactTopK(query));
        }
    }

    @Test
    void aOnePercentTenantGetsKResultsThroughTheHnswIndex() throws Exception {
        float[] query = randomUnitVector(new SplittableRandom(7));
        Filter tenant = Filters.eq("customer", SMALL);
        withoutTenantIndex(() -> {
            try (PgvectorStore store = store(PgvectorStore.IterativeScan.RELAXED_ORDER)) {
                List<String> plan = store.explainSearch(SearchRequest.of(query, K, tenant));
                System.out.println("[pgvector] bulk load of " + ROWS + " rows, HNSW built after: " + loadMillis
                        + " ms; a 1% tenant without its B-tree is planned as:\n  "
                        + String.join("\n  ", plan).replaceAll("'\\[[^]]*]'::vector", "'[...]'::vector"));
                assertThat(String.join("\n", plan)).contains("Index Scan using " + hnswIndex());

                List<SearchHit> hits = store.search(query, K, tenant);
                assertThat(hits).hasSize(K);
                assertThat(hits).allSatisfy(h -> assertThat(h.metadata().get("customer").orElseThrow().toJava())
                        .isEqualTo(SMALL));
                for (int i = 1; i < hits.size(); i++) {
                    assertThat(hits.get(i).score()).isLessThanOrEqualTo(hits.get(i - 1).score());
                }
                Set<String> found = new HashSet<>(ids(hits));
                found.retainAll(exactTopK(query));
                assertThat(found.size()).as("recall@10 against brute force").isGreaterThanOrEqualTo(8);
            }
        });
    }

    @Test
    void withoutIterativeScanTheSameQueryReturnsFewerThanK() throws Exception {
        float[] query = randomUnitVector(new SplittableRandom(7));
        Filter tenant = Filters.eq("customer", SMALL);
        withoutTenantIndex(() -> {
            try (PgvectorStore store = store(PgvectorStore.IterativeScan.OFF)) {
                assertThat(String.join("\n", store.explainSearch(SearchRequest.of(query, K, tenant))))
                        .contains("Index Scan using " + hnswIndex());
                assertThat(store.search(query, K, tenant)).hasSizeLessThan(K);
            }
        });
    }

    @Test
    void theBulkLoadRebuiltTheVectorIndexAndAnalyzedTheTable() throws Exception {
        String index = PgvectorTestServer.SCRATCH_SCHEMA + "." + PgvectorSchemaManager.vectorIndexName(layout);
        try (var c = PgvectorTestServer.dataSource().getConnection();
             var ps = c.prepareStatement("SELECT to_regclass(?) IS NOT NULL, (SELECT reltuples FROM pg_class "
                     + "WHERE oid = to_regclass(?)) FROM (SELECT 1) one")) {
            ps.setString(1, index);
            ps.setString(2, PgvectorTestServer.SCRATCH_SCHEMA + "." + layout.tableName());
            try (var rs = ps.executeQuery()) {
                rs.next();
                assertThat(rs.getBoolean(1)).as("HNSW index exists after the load").isTrue();
                assertThat(rs.getDouble(2)).as("planner statistics after the load").isEqualTo(ROWS);
            }
        }
        try (PgvectorStore store = store(PgvectorStore.IterativeScan.RELAXED_ORDER)) {
            assertThat(store.count()).isEqualTo(ROWS);
            assertThat(store.count(Filters.eq("customer", SMALL))).isEqualTo(small.size());
        }
    }

    private List<String> exactTopK(float[] query) {
        return small.stream()
                .sorted(Comparator.comparingDouble((VectorRecord r) -> -Vectors.cosine(query, r.vector())))
                .limit(K).map(VectorRecord::id).toList();
    }

    private static List<String> ids(List<SearchHit> hits) {
        return hits.stream().map(SearchHit::id).toList();
    }

    private String hnswIndex() {
        return PgvectorSchemaManager.vectorIndexName(layout);
    }

    private String tenantIndex() {
        return layout.tableName() + "_customer_idx";
    }

    /**
     * Runs the body while the tenant's B-tree is gone, so that the planner must walk the HNSW index, as it does
     * where it misjudges a tenant's size (or no B-tree exists); the index is rebuilt afterwards.
     */
    private void withoutTenantIndex(ThrowingRunnable body) throws Exception {
        PgvectorTestServer.execute("DROP INDEX " + PgvectorTestServer.SCRATCH_SCHEMA + "." + tenantIndex());
        try {
            body.run();
        } finally {
            PgvectorSchemaManager.createTable(PgvectorTestServer.dataSource(), layout);
        }
    }

    @FunctionalInterface
    private interface ThrowingRunnable {
        void run() throws Exception;
    }

    private PgvectorStore store(PgvectorStore.IterativeScan scan) {
        return PgvectorStore.builder(layout).dataSource(PgvectorTestServer.dataSource()).iterativeScan(scan).build();
    }

    private static float[] randomUnitVector(SplittableRandom random) {
        float[] v = new float[DIMENSION];
        double norm = 0;
        for (int i = 0; i < DIMENSION; i++) {
            v[i] = (float) random.nextGaussian();
            norm += v[i] * v[i];
        }
        for (int i = 0; i < DIMENSION; i++) {
            v[i] /= (float) Math.sqrt(norm);
        }
        return v;
    }
}
