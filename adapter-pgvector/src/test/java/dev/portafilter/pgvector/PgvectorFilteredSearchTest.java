package dev.portafilter.pgvector;

import dev.portafilter.core.filter.Filter;
import dev.portafilter.core.filter.Filters;
import dev.portafilter.core.metadata.FieldType;
import dev.portafilter.core.metadata.Metadata;
import dev.portafilter.core.metadata.MetadataSchema;
import dev.portafilter.core.store.SearchHit;
import dev.portafilter.core.store.VectorRecord;
import dev.portafilter.core.internal.Vectors;
import dev.portafilter.pgvector.PgvectorSearchPlan.Strategy;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The search plan on 20,000 rows with tenants holding 0.1%, 1%, 20% and 39% of them: which plan the store chooses
 * on each side of its thresholds, that PostgreSQL runs that plan (EXPLAIN), and that the results are complete.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PgvectorFilteredSearchTest {
    private static final int ROWS = 20_000;
    private static final int DIMENSION = 48;
    private static final int K = 10;
    private static final int QUERIES = 20;
    /** 20 rows: 0.1%. */
    private static final String TINY = "tiny";
    /** 200 rows: 1%. */
    private static final String SMALL = "small";
    /** 4,000 rows: 20%. */
    private static final String MEDIUM = "medium";
    /** 7,800 rows: 39%. */
    private static final String LARGE = "large";
    private static final MetadataSchema SCHEMA = MetadataSchema.builder()
            .required("customer", FieldType.STRING)
            .optional("publicationYear", FieldType.LONG)
            .optional("documentType", FieldType.STRING)
            .build();
    private static final List<String> DOCUMENT_TYPES = List.of("pdf", "html", "email", "ticket");

    private PgvectorTableLayout layout;
    /** The same rows in a table whose B-trees all lead with the tenant ({@code tenantField("customer")}). */
    private PgvectorTableLayout tenantLed;
    private final List<VectorRecord> records = new ArrayList<>(ROWS);
    /** Every store of this test sends its statements through it. */
    private StatementLog log;
    private final Map<String, List<VectorRecord>> byTenant = new HashMap<>();
    private final List<float[]> queries = new ArrayList<>();
    private long loadMillis;

    @BeforeAll
    void load() {
        log = new StatementLog(PgvectorTestServer.dataSource());
        layout = PgvectorTableLayout.builder(PgvectorTestServer.SCRATCH_SCHEMA,
                PgvectorTestServer.uniqueTableName("filtered"), SCHEMA, DIMENSION).build();
        tenantLed = PgvectorTableLayout.builder(PgvectorTestServer.SCRATCH_SCHEMA,
                PgvectorTestServer.uniqueTableName("led"), SCHEMA, DIMENSION).tenantField("customer").build();
        PgvectorSchemaManager.createTable(PgvectorTestServer.dataSource(), layout);
        PgvectorSchemaManager.createTable(PgvectorTestServer.dataSource(), tenantLed);
        SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < ROWS; i++) {
            VectorRecord r = new VectorRecord("r" + i, randomUnitVector(random), null,
                    Metadata.of("customer", tenantOf(i), "publicationYear", 2000 + i % 25,
                            "documentType", DOCUMENT_TYPES.get(i / 7 % DOCUMENT_TYPES.size())));
            records.add(r);
            byTenant.computeIfAbsent(tenantOf(i), t -> new ArrayList<>()).add(r);
        }
        for (int q = 0; q < QUERIES; q++) {
            queries.add(randomUnitVector(random));
        }
        long start = System.nanoTime();
        try (PgvectorStore store = store(UnaryOperator.identity())) {
            store.bulkLoad(records);
        }
        loadMillis = (System.nanoTime() - start) / 1_000_000;
        try (PgvectorStore store = PgvectorStore.builder(tenantLed).dataSource(log.dataSource()).build()) {
            store.bulkLoad(records);
        }
        assertThat(byTenant.get(TINY)).hasSize(20);
        assertThat(byTenant.get(SMALL)).hasSize(200);
        assertThat(byTenant.get(MEDIUM)).hasSize(4_000);
        assertThat(byTenant.get(LARGE)).hasSize(7_800);
    }

    private static String tenantOf(int i) {
        if (i % 1000 == 0) {
            return TINY;
        }
        if (i % 100 == 1) {
            return SMALL;
        }
        if (i % 5 == 2) {
            return MEDIUM;
        }
        return i % 2 == 1 ? LARGE : "other-" + i % 3;
    }

    @AfterAll
    void drop() {
        for (PgvectorTableLayout l : new PgvectorTableLayout[] {layout, tenantLed}) {
            if (l != null) {
                PgvectorSchemaManager.dropTable(PgvectorTestServer.dataSource(), l);
            }
        }
    }

    @Test
    void aTenantWithFewRowsIsSearchedExactlyThroughItsBtreeAndGetsTheTrueTopK() throws Exception {
        try (PgvectorStore store = store(UnaryOperator.identity())) {
            for (String tenant : List.of(TINY, SMALL)) {
                Filter filter = Filters.eq("customer", tenant);
                PgvectorSearchPlan plan = store.explainPlan(filter, K);
                assertThat(plan.strategy()).as(tenant + ": " + plan).isEqualTo(Strategy.EXACT);
                assertThat(plan.estimatedRows()).isBetween(byTenant.get(tenant).size() / 2L,
                        byTenant.get(tenant).size() * 2L);
                assertThat(plan.efSearch()).isZero();
                String explain = explain(store, filter);
                assertThat(explain).as(tenant).containsPattern("Index Scan (using|on) " + tenantIndex())
                        .contains("Sort").doesNotContain(hnswIndex());
                for (float[] query : queries) {
                    // the tiny tenant holds 0.1% of the rows, and still k of them come back, the true nearest
                    assertThat(ids(store.search(query, K, filter))).as(tenant)
                            .containsExactlyElementsOf(exactTopK(tenant, query));
                }
            }
        }
    }

    @Test
    void aTenantWithManyRowsWalksTheHnswIndexWithAnIterativeScan() throws Exception {
        Filter filter = Filters.eq("customer", LARGE);
        try (PgvectorStore store = store(UnaryOperator.identity())) {
            PgvectorSearchPlan plan = store.explainPlan(filter, K);
            assertThat(plan.strategy()).as(plan.toString()).isEqualTo(Strategy.HNSW_ITERATIVE);
            assertThat(plan.efSearch()).isEqualTo(200);
            assertThat(plan.estimatedSelectivity()).isBetween(0.3, 0.5);
            String explain = explain(store, filter);
            System.out.println("[pgvector] bulk load of " + ROWS + " rows, HNSW built after: " + loadMillis
                    + " ms; a 39% tenant is planned as " + plan + ":\n  " + explain.replace("\n", "\n  "));
            assertThat(explain).contains("Index Scan using " + hnswIndex()).doesNotContain("Sort");

            double recall = 0;
            for (float[] query : queries) {
                List<SearchHit> hits = store.search(query, K, filter);
                assertThat(hits).hasSize(K).allSatisfy(h -> assertThat(h.metadata().get("customer").orElseThrow()
                        .toJava()).isEqualTo(LARGE));
                for (int i = 1; i < hits.size(); i++) {
                    assertThat(hits.get(i).score()).isLessThanOrEqualTo(hits.get(i - 1).score());
                }
                Set<String> found = new HashSet<>(ids(hits));
                found.retainAll(exactTopK(LARGE, query));
                recall += found.size() / (double) K;
            }
            assertThat(recall / QUERIES).as("mean recall@10 against brute force").isGreaterThanOrEqualTo(0.9);
        }
    }

    @Test
    void thePlanFlipsAtTheRowThresholdAndPostgresqlRunsTheChosenOne() throws Exception {
        Filter filter = Filters.eq("customer", MEDIUM);
        try (PgvectorStore below = store(b -> b.exactMaxRows(5_000).exactMaxSelectivity(0));
             PgvectorStore above = store(b -> b.exactMaxRows(3_000).exactMaxSelectivity(0))) {
            assertExact(below, filter, MEDIUM);
            assertHnsw(above, filter);
        }
    }

    @Test
    void thePlanFlipsAtTheSelectivityThresholdAndPostgresqlRunsTheChosenOne() throws Exception {
        Filter filter = Filters.eq("customer", MEDIUM);
        try (PgvectorStore below = store(b -> b.exactMaxRows(0).exactMaxSelectivity(0.25));
             PgvectorStore above = store(b -> b.exactMaxRows(0).exactMaxSelectivity(0.15))) {
            assertExact(below, filter, MEDIUM);
            assertHnsw(above, filter);
        }
    }

    @Test
    void aSearchTheHnswIndexCannotFillRunsAgainExactly() throws Exception {
        Filter filter = Filters.eq("customer", TINY);
        float[] query = queries.get(0);
        // thresholds of 0 and no iterative scan: the HNSW plan hands ef_search candidates to the filter, and about
        // 0.1% of them are the tiny tenant's
        try (PgvectorStore store = store(b -> b.exactMaxRows(0).exactMaxSelectivity(0)
                .iterativeScan(PgvectorStore.IterativeScan.OFF))) {
            assertThat(store.explainPlan(filter, K).strategy()).isEqualTo(Strategy.HNSW_ITERATIVE);
            // each search statement run again where it ran, before its transaction commits: the rows it found
            List<List<String>> found = log.beforeEachCommit((c, transaction) -> {
                StatementLog.Prepared search = searchStatement(transaction);
                return search == null ? null : search.rerun(c, UnaryOperator.identity());
            }, () -> assertThat(ids(store.search(query, K, filter))).containsExactlyElementsOf(exactTopK(TINY, query)));
            assertThat(found).as("the HNSW plan, then the exact plan").hasSize(2);
            assertThat(found.get(0)).as("rows the HNSW plan finds").hasSizeLessThan(K);
            assertThat(found.get(1)).containsExactlyElementsOf(exactTopK(TINY, query));
        }
    }

    @Test
    void aTableWithATenantFieldLeadsEveryBtreeWithTheTenant() throws Exception {
        assertThat(indexes(layout)).containsExactlyInAnyOrder("btree (id)", "btree (customer)",
                "btree (\"publicationYear\")", "btree (\"documentType\")", "hnsw (embedding vector_cosine_ops)");
        // no index of its own on a field that selects much of the table, which a BitmapAnd would read in full
        assertThat(indexes(tenantLed)).containsExactlyInAnyOrder("btree (id)",
                "btree (customer, \"publicationYear\")", "btree (customer, \"documentType\")",
                "hnsw (embedding vector_cosine_ops)");
    }

    @Test
    void aTenantCombinedWithAnotherFieldIsSearchedExactlyFromOneTenantLedIndex() throws Exception {
        Filter small = Filters.eq("customer", SMALL);
        Map<Filter, String> indexFor = Map.of(
                Filters.and(small, Filters.gte("publicationYear", 2015)), "publicationYear",
                Filters.and(small, Filters.in("documentType", "pdf", "html")), "documentType",
                Filters.and(small, Filters.ne("documentType", "email")), "",
                small, "");
        try (PgvectorStore store = PgvectorStore.builder(tenantLed).dataSource(log.dataSource()).build()) {
            for (Map.Entry<Filter, String> e : indexFor.entrySet()) {
                Filter filter = e.getKey();
                assertThat(store.explainPlan(filter, K).strategy()).as(filter.toString()).isEqualTo(Strategy.EXACT);
                // the range or $in is an index condition of its composite (a camelCase name is quoted); $ne and the
                // tenant alone use any one
                String index = tenantLed.tableName() + "_customer_" + (e.getValue().isEmpty() ? "" : e.getValue());
                assertThat(explain(store, filter)).as(filter.toString())
                        .containsPattern("Index Scan (using|on) \"?" + index).doesNotContain("BitmapAnd")
                        .doesNotContain(PgvectorSchemaManager.vectorIndexName(tenantLed));
                for (float[] query : queries) {
                    assertThat(ids(store.search(query, K, filter))).as(filter.toString())
                            .containsExactlyElementsOf(exactTopK(filter, query));
                }
            }
        }
    }

    @Test
    void aFixedStrategyRunsItsPlanWhateverTheFilterMatches() throws Exception {
        try (PgvectorStore exactOnly = store(b -> b.fixedStrategy(Strategy.EXACT));
             PgvectorStore hnswOnly = store(b -> b.fixedStrategy(Strategy.HNSW_ITERATIVE))) {
            Filter large = Filters.eq("customer", LARGE);
            assertExact(exactOnly, large, LARGE);
            PgvectorSearchPlan plan = exactOnly.explainPlan(large, K);
            assertThat(plan.reason()).contains("fixedStrategy");
            assertThat(plan.estimatedSelectivity()).as("explainPlan still estimates").isBetween(0.3, 0.5);
            // 0.1% through the index: slow and approximate, which is why the adaptive store sorts it instead
            assertHnsw(hnswOnly, Filters.eq("customer", TINY));
        }
    }

    @Test
    void aRepeatedFilterReusesItsEstimateAndSendsItsSettingsWithTheSearch() throws Exception {
        StatementLog log = new StatementLog(PgvectorTestServer.dataSource());
        String estimate = "EXPLAIN (FORMAT JSON)";
        try (PgvectorStore cached = store(b -> b.dataSource(log.dataSource()));
             PgvectorStore uncached = store(b -> b.dataSource(log.dataSource()).estimateCacheTtl(Duration.ZERO));
             PgvectorStore fixed = store(b -> b.dataSource(log.dataSource()).fixedStrategy(Strategy.EXACT))) {
            for (String tenant : List.of(LARGE, LARGE, LARGE)) {
                assertThat(ids(cached.search(queries.get(2), K, Filters.eq("customer", tenant)))).hasSize(K);
            }
            assertThat(log.count(estimate)).as("one estimate for three searches with the same filter").isEqualTo(1);
            List<String> last = log.statements().subList(log.statements().size() - 1, log.statements().size());
            assertThat(last).singleElement().as("settings and search in one statement, one round trip")
                    .satisfies(sql -> assertThat(sql).startsWith("SELECT set_config(?, ?, true)")
                            .contains("ORDER BY 3 LIMIT ?"));
            cached.search(queries.get(2), K, Filters.eq("customer", SMALL));
            assertThat(log.count(estimate)).as("another filter is estimated").isEqualTo(2);

            uncached.search(queries.get(2), K, Filters.eq("customer", LARGE));
            uncached.search(queries.get(2), K, Filters.eq("customer", LARGE));
            assertThat(log.count(estimate)).as("a TTL of zero estimates every search").isEqualTo(4);

            assertThat(ids(fixed.search(queries.get(2), K, Filters.eq("customer", TINY))))
                    .containsExactlyElementsOf(exactTopK(TINY, queries.get(2)));
            assertThat(log.count(estimate)).as("a fixed strategy needs no estimate").isEqualTo(4);
        }
    }

    @Test
    void anEstimateIsKeptForItsTimeToLiveByThePlannersTicker() throws Exception {
        StatementLog log = new StatementLog(PgvectorTestServer.dataSource());
        AtomicLong nanos = new AtomicLong();
        SearchPlanner planner = new SearchPlanner(layout.qualifiedTable(), new SearchPlanner.Options(3_000, 0.01, 200,
                PgvectorStore.IterativeScan.RELAXED_ORDER, null, null, Duration.ofSeconds(10)), nanos::get);
        Jdbc jdbc = new Jdbc(log.dataSource(), PgvectorStore.DEFAULT_CALL_TIMEOUT);
        Optional<SqlFragment> large = Optional.of(new SqlFragment("customer = ?", List.of(LARGE)));
        Jdbc.SqlWork<PgvectorSearchPlan> plan = c -> planner.plan(c, LocalSettings.forSearch(null), large, K);
        String estimate = "EXPLAIN (FORMAT JSON)";

        assertThat(jdbc.transaction(LocalSettings.NONE, plan).strategy()).isEqualTo(Strategy.HNSW_ITERATIVE);
        nanos.addAndGet(Duration.ofSeconds(9).toNanos());
        jdbc.transaction(LocalSettings.NONE, plan);
        assertThat(log.count(estimate)).as("kept while its time to live lasts").isEqualTo(1);
        nanos.addAndGet(Duration.ofSeconds(2).toNanos());
        jdbc.transaction(LocalSettings.NONE, plan);
        assertThat(log.count(estimate)).as("an expired estimate is made again").isEqualTo(2);
        planner.forgetEstimates();
        jdbc.transaction(LocalSettings.NONE, plan);
        assertThat(log.count(estimate)).as("a forgotten one too").isEqualTo(3);
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
        try (PgvectorStore store = store(UnaryOperator.identity())) {
            assertThat(store.count()).isEqualTo(ROWS);
            assertThat(store.count(Filters.eq("customer", SMALL))).isEqualTo(200);
        }
    }

    private void assertExact(PgvectorStore store, Filter filter, String tenant) throws Exception {
        PgvectorSearchPlan plan = store.explainPlan(filter, K);
        assertThat(plan.strategy()).as(plan.toString()).isEqualTo(Strategy.EXACT);
        // 20% of the table: PostgreSQL's own choice would be the HNSW index
        assertThat(explain(store, filter)).contains("Sort").doesNotContain(hnswIndex());
        assertThat(ids(store.search(queries.get(1), K, filter))).containsExactlyElementsOf(exactTopK(tenant,
                queries.get(1)));
    }

    private void assertHnsw(PgvectorStore store, Filter filter) throws Exception {
        PgvectorSearchPlan plan = store.explainPlan(filter, K);
        assertThat(plan.strategy()).as(plan.toString()).isEqualTo(Strategy.HNSW_ITERATIVE);
        assertThat(explain(store, filter)).contains("Index Scan using " + hnswIndex()).doesNotContain("Sort");
        assertThat(store.search(queries.get(1), K, filter)).hasSize(K);
    }

    /**
     * The plan PostgreSQL runs for a search with this filter: its first search statement, run again with
     * {@code EXPLAIN} where it ran, before its transaction commits (with the same settings and values).
     */
    private String explain(PgvectorStore store, Filter filter) throws Exception {
        List<List<String>> plans = log.beforeEachCommit((c, transaction) -> {
            StatementLog.Prepared search = searchStatement(transaction);
            return search == null ? null : search.rerun(c, sql -> "EXPLAIN " + sql);
        }, () -> store.search(queries.get(0), K, filter));
        return String.join("\n", plans.get(0)).replaceAll("'\\[[^]]*]'::vector", "'[...]'::vector");
    }

    /** The search statement among a transaction's statements, or null. */
    private static StatementLog.Prepared searchStatement(List<StatementLog.Prepared> transaction) {
        return transaction.stream().filter(p -> p.sql().endsWith(" ORDER BY 3 LIMIT ?")).findFirst().orElse(null);
    }

    private List<String> exactTopK(String tenant, float[] query) {
        return exactTopK(Filters.eq("customer", tenant), query);
    }

    private List<String> exactTopK(Filter filter, float[] query) {
        return records.stream().filter(r -> filter.test(r.metadata()))
                .sorted(Comparator.comparingDouble((VectorRecord r) -> -Vectors.cosine(query, r.vector())))
                .limit(K).map(VectorRecord::id).toList();
    }

    private static List<String> ids(List<SearchHit> hits) {
        return hits.stream().map(SearchHit::id).toList();
    }

    /** The table's index definitions from {@code USING} on, without names. */
    private static List<String> indexes(PgvectorTableLayout table) throws Exception {
        List<String> out = new ArrayList<>();
        try (var c = PgvectorTestServer.dataSource().getConnection();
             var ps = c.prepareStatement("SELECT regexp_replace(indexdef, '^.* USING ', '') FROM pg_indexes "
                     + "WHERE schemaname = ? AND tablename = ?")) {
            ps.setString(1, table.schemaName());
            ps.setString(2, table.tableName());
            try (var rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }

    private String hnswIndex() {
        return PgvectorSchemaManager.vectorIndexName(layout);
    }

    private String tenantIndex() {
        return layout.tableName() + "_customer_idx";
    }

    private PgvectorStore store(UnaryOperator<PgvectorStore.Builder> options) {
        return options.apply(PgvectorStore.builder(layout).dataSource(log.dataSource())).build();
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
