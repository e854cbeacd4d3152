package dev.portafilter.pgvector;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.portafilter.conformance.Poll;
import dev.portafilter.conformance.ScenarioDataset;
import dev.portafilter.core.InvalidFilterException;
import dev.portafilter.core.InvalidRecordException;
import dev.portafilter.core.StoreException;
import dev.portafilter.core.WriteConflictException;
import dev.portafilter.core.filter.Filters;
import dev.portafilter.core.metadata.Metadata;
import dev.portafilter.core.metadata.StringValue;
import dev.portafilter.core.store.SearchHit;
import dev.portafilter.core.store.VectorRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** Transactions, local settings, the COPY path and typed errors, on a real server. */
class PgvectorStoreTest {
    private static final int DIM = ScenarioDataset.DIMENSION;
    private final List<PgvectorTableLayout> tables = new ArrayList<>();

    @AfterEach
    void dropTables() {
        tables.forEach(t -> PgvectorSchemaManager.dropTable(PgvectorTestServer.dataSource(), t));
    }

    @Test
    void searchSettingsAreLocalAndNeverReachTheNextBorrowerOfAPooledConnection() throws Exception {
        PgvectorTableLayout layout = newTable();
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(PgvectorTestServer.jdbcUrl());
        config.setMaximumPoolSize(1);
        String settings = "SELECT concat_ws(',', current_setting('hnsw.ef_search', true), current_setting("
                + "'hnsw.iterative_scan', true), current_setting('hnsw.max_scan_tuples', true), current_setting("
                + "'enable_sort'), current_setting('plan_cache_mode'))";
        // what each search transaction has set when it commits, read on the connection it searched on
        StatementLog.CommitProbe<String> inForce = (c, transaction) -> single(c, settings);
        float[] query = ScenarioDataset.vectorFor("q", DIM);
        try (HikariDataSource pool = new HikariDataSource(config)) {
            StatementLog log = new StatementLog(pool);
            String defaults;
            // thresholds of 0: every search walks the HNSW index, with all its settings
            UnaryOperator<PgvectorStore.Builder> hnswOptions = b -> b.dataSource(log.dataSource()).efSearch(123)
                    .iterativeScan(PgvectorStore.IterativeScan.STRICT_ORDER).maxScanTuples(777)
                    .exactMaxRows(0).exactMaxSelectivity(0);
            try (PgvectorStore hnsw = store(layout, hnswOptions);
                 PgvectorStore exact = store(layout, b -> b.dataSource(log.dataSource()))) {
                hnsw.upsert(ScenarioDataset.records());
                try (Connection c = pool.getConnection()) {
                    single(c, "SELECT '[1]'::vector"); // loads pgvector, which defines the hnsw.* settings
                    defaults = single(c, settings);
                }
                assertThat(defaults).as("pgvector's and PostgreSQL's defaults").isEqualTo("40,off,20000,on,auto");

                assertThat(log.beforeEachCommit(inForce, () -> assertThat(hnsw.search(query, 5)).hasSize(5)))
                        .containsExactly("123,strict_order,777,off,force_custom_plan");
                assertThat(log.beforeEachCommit(inForce, () -> assertThat(hnsw.search(query, 500))
                        .hasSize(ScenarioDataset.records().size())))
                        .as("ef_search is never below k; the HNSW plan found fewer than k rows, and the exact plan "
                                + "that ran again changed no index setting")
                        .containsExactly("500,strict_order,777,off,force_custom_plan", "40,off,20000,on,force_custom_plan");
                assertThat(log.beforeEachCommit(inForce, () -> assertThat(exact.search(query, 3)).hasSize(3)))
                        .as("the exact plan changes no index setting").containsExactly("40,off,20000,on,force_custom_plan");
            }
            // a search that fails inside the database, after its settings (the query has one dimension too many)
            PgvectorTableLayout wrongDimension = PgvectorTableLayout.builder(PgvectorTestServer.SCRATCH_SCHEMA,
                    layout.tableName(), ScenarioDataset.SCHEMA, DIM + 1).build();
            try (PgvectorStore failing = store(wrongDimension, hnswOptions)) {
                assertThatThrownBy(() -> failing.search(ScenarioDataset.vectorFor("q", DIM + 1), 5))
                        .isInstanceOf(StoreException.class).hasMessageContaining("dimensions");
            }
            // and so does a guarded upsert refused inside the database
            VectorRecord theirs = ScenarioDataset.byId().get("B-S001");
            try (PgvectorStore hnsw = store(layout, hnswOptions)) {
                assertThatThrownBy(() -> hnsw.upsert(List.of(theirs), Filters.eq("customer", "CustomerA")))
                        .isInstanceOf(WriteConflictException.class);
            }
            try (Connection c = pool.getConnection()) {
                assertThat(single(c, settings)).as("the same connection, borrowed next").isEqualTo(defaults);
            }
        }
    }

    @Test
    void aLargeWriteThroughCopyAnalyzesTheTableAndASmallOneLeavesItToAutovacuum() {
        PgvectorTableLayout layout = newTable();
        List<VectorRecord> records = new ArrayList<>();
        for (int i = 0; i < 101; i++) {
            records.add(new VectorRecord("N" + i, ScenarioDataset.vectorFor("N" + i, DIM), "note " + i,
                    Metadata.of("customer", "CustomerA", "documentType", "note")));
        }
        try (PgvectorStore store = store(layout, b -> b.copyThreshold(1))) {
            assertThat(reltuples(layout)).as("never analyzed").isEqualTo(-1);
            store.upsert(records.subList(0, 90));
            assertThat(reltuples(layout)).as("analyzed with the first load").isEqualTo(90);
            store.upsert(records.subList(90, 91));
            assertThat(reltuples(layout)).as("one record is under a tenth of the table").isEqualTo(90);
            store.bulkLoad(records.subList(91, 92));
            assertThat(reltuples(layout)).as("nor through bulkLoad").isEqualTo(90);
            store.upsert(records.subList(92, 101));
            assertThat(reltuples(layout)).as("a tenth of the table is analyzed").isEqualTo(101);
        }
    }

    @Test
    void theStoreForgetsItsRowEstimatesWhenItAnalyzesTheTable() {
        PgvectorTableLayout layout = newTable();
        StatementLog log = new StatementLog(PgvectorTestServer.dataSource());
        List<VectorRecord> records = new ArrayList<>();
        for (int i = 0; i < 101; i++) {
            records.add(new VectorRecord("N" + i, ScenarioDataset.vectorFor("N" + i, DIM), "note " + i,
                    Metadata.of("customer", "CustomerA", "documentType", "note")));
        }
        float[] query = ScenarioDataset.vectorFor("q", DIM);
        try (PgvectorStore store = store(layout, b -> b.dataSource(log.dataSource()).copyThreshold(1)
                .estimateCacheTtl(Duration.ofHours(1)))) {
            store.upsert(records.subList(0, 90));
            store.search(query, 3, Filters.eq("customer", "CustomerA"));
            store.search(query, 3, Filters.eq("customer", "CustomerA"));
            assertThat(log.count("EXPLAIN")).isEqualTo(1);
            store.upsert(records.subList(90, 91));
            store.search(query, 3, Filters.eq("customer", "CustomerA"));
            assertThat(log.count("EXPLAIN")).as("no ANALYZE, the estimate stands").isEqualTo(1);
            store.upsert(records.subList(91, 101));
            assertThat(reltuples(layout)).isEqualTo(101);
            store.search(query, 3, Filters.eq("customer", "CustomerA"));
            assertThat(log.count("EXPLAIN")).as("analyzed: estimated again").isEqualTo(2);
        }
    }

    @Test
    void aBatchThatFailsInsideTheDatabaseWritesNothingOnEveryWritePath() {
        PgvectorTableLayout layout = newTable();
        PgvectorTestServer.execute("ALTER TABLE " + layout.qualifiedTable() + " ADD CONSTRAINT no_boom CHECK (region <> 'boom')");
        List<VectorRecord> batch = new ArrayList<>(ScenarioDataset.records());
        batch.add(new VectorRecord("BOOM", ScenarioDataset.vectorFor("BOOM", DIM), "x",
                Metadata.of("customer", "CustomerA", "documentType", "note", "region", "boom")));
        List<String> ids = batch.stream().map(VectorRecord::id).toList();
        try (PgvectorStore values = store(layout, b -> b.batchSize(2));
             PgvectorStore copy = store(layout, b -> b.copyThreshold(1))) {
            assertThatThrownBy(() -> values.upsert(batch)).isInstanceOf(StoreException.class)
                    .satisfies(e -> assertThat(((StoreException) e).failedIds()).containsExactlyElementsOf(ids));
            assertThatThrownBy(() -> copy.upsert(batch)).isInstanceOf(StoreException.class);
            long indexBefore = vectorIndexOid(layout);
            assertThatThrownBy(() -> copy.bulkLoad(batch)).isInstanceOf(StoreException.class);
            assertThat(values.count()).isZero();
            assertThat(vectorIndexOid(layout)).as("the dropped HNSW index came back with the rollback")
                    .isEqualTo(indexBefore);
        }
    }

    @Test
    void aCopyOfNewIdsGoesStraightIntoTheTableAndOneWithAnExistingIdReplacesThroughStaging() {
        PgvectorTableLayout layout = newTable();
        StatementLog log = new StatementLog(PgvectorTestServer.dataSource());
        List<VectorRecord> all = ScenarioDataset.records();
        try (PgvectorStore store = store(layout, b -> b.dataSource(log.dataSource()).copyThreshold(1))) {
            store.upsert(all.subList(0, 6));
            store.bulkLoad(all.subList(6, 9));
            assertThat(log.count("portafilter_staging")).as("new ids: no staging table").isZero();
            assertThat(store.count()).isEqualTo(9);

            VectorRecord old = all.get(2);
            List<VectorRecord> mixed = new ArrayList<>(all.subList(9, all.size()));
            mixed.add(new VectorRecord(old.id(), old.vector(), "replaced", old.metadata()));
            store.upsert(mixed);
            assertThat(log.count("portafilter_staging")).as("an existing id: through staging").isEqualTo(1);
            assertThat(store.count()).isEqualTo(all.size());
            assertThat(store.search(old.vector(), 1).get(0).text()).isEqualTo("replaced");
        }
    }

    @Test
    void theCopyPathReplacesByIdAndHonoursTheGuard() {
        PgvectorTableLayout layout = newTable();
        try (PgvectorStore store = store(layout, b -> b.copyThreshold(1))) {
            store.upsert(ScenarioDataset.records());
            VectorRecord old = ScenarioDataset.byId().get("B-S002");
            store.upsert(List.of(new VectorRecord(old.id(), old.vector(), "replaced", old.metadata())));
            assertThat(store.count()).isEqualTo(ScenarioDataset.records().size());
            assertThat(store.search(old.vector(), 1).get(0).text()).isEqualTo("replaced");

            VectorRecord theirs = ScenarioDataset.byId().get("B-S001");
            VectorRecord fresh = new VectorRecord("A-NEW", ScenarioDataset.vectorFor("A-NEW", DIM), "new",
                    Metadata.of("customer", "CustomerA", "documentType", "note"));
            assertThatThrownBy(() -> store.upsert(List.of(fresh, theirs), Filters.eq("customer", "CustomerA")))
                    .isInstanceOf(WriteConflictException.class).hasMessageContaining("B-S001")
                    .satisfies(e -> assertThat(((WriteConflictException) e).conflictingIds()).containsExactly("B-S001"));
            assertThat(store.count(Filters.eq("documentType", "note"))).isEqualTo(2);
            VectorRecord own = ScenarioDataset.byId().get("A-C001");
            store.upsert(List.of(new VectorRecord(own.id(), own.vector(), "mine", own.metadata()), fresh),
                    Filters.eq("customer", "CustomerA"));
            assertThat(store.search(own.vector(), 1).get(0).text()).isEqualTo("mine");
            assertThat(store.count()).isEqualTo(ScenarioDataset.records().size() + 1);
        }
    }

    @Test
    void aRecordInsertedConcurrentlyAfterTheGuardCheckIsStillNotReplaced() throws Exception {
        PgvectorTableLayout layout = newTable();
        VectorRecord theirs = ScenarioDataset.byId().get("B-S001");
        VectorRecord mine = new VectorRecord(theirs.id(), theirs.vector(), "mine",
                Metadata.of("customer", "CustomerA", "documentType", "note"));
        try (PgvectorStore store = store(layout, UnaryOperator.identity());
             Connection other = PgvectorTestServer.dataSource().getConnection()) {
            // another writer has inserted B-S001 but not committed: the guard check cannot see it yet
            other.setAutoCommit(false);
            try (PreparedStatement ps = other.prepareStatement("INSERT INTO " + layout.qualifiedTable()
                    + " (id, text, embedding, customer, \"documentType\") VALUES (?, 'theirs', ?::vector, 'CustomerB', 'x')")) {
                ps.setString(1, theirs.id());
                ps.setString(2, Arrays.toString(theirs.vector()));
                ps.executeUpdate();
            }
            CompletableFuture<Void> upsert = CompletableFuture.runAsync(() ->
                    store.upsert(List.of(mine), Filters.eq("customer", "CustomerA")));
            assertThat(Poll.until(Duration.ofSeconds(30), () -> anUpsertWaitsForALockOn(layout)))
                    .as("the upsert waits for the uncommitted insert").isTrue();
            other.commit();
            assertThatThrownBy(() -> upsert.get(30, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(WriteConflictException.class);
            assertThat(store.search(theirs.vector(), 1).get(0).text()).isEqualTo("theirs");
        }
    }

    private static boolean anUpsertWaitsForALockOn(PgvectorTableLayout layout) {
        try (Connection c = PgvectorTestServer.dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM pg_stat_activity "
                     + "WHERE wait_event_type = 'Lock' AND query LIKE 'INSERT INTO ' || ? || '%'")) {
            ps.setString(1, layout.qualifiedTable());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1) > 0;
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void bulkLoadRebuildsTheVectorIndexOnlyForAnEmptyTable() {
        PgvectorTableLayout layout = newTable();
        try (PgvectorStore store = store(layout, UnaryOperator.identity())) {
            long created = vectorIndexOid(layout);
            store.bulkLoad(ScenarioDataset.records().subList(0, 4));
            long rebuilt = vectorIndexOid(layout);
            assertThat(rebuilt).isNotZero().isNotEqualTo(created);
            VectorRecord first = ScenarioDataset.records().get(0);
            List<VectorRecord> rest = new ArrayList<>(ScenarioDataset.records().subList(1, ScenarioDataset.records().size()));
            rest.add(new VectorRecord(first.id(), first.vector(), "reloaded", first.metadata()));
            store.bulkLoad(rest);
            assertThat(vectorIndexOid(layout)).isEqualTo(rebuilt);
            assertThat(store.count()).isEqualTo(ScenarioDataset.records().size());
            assertThat(store.search(first.vector(), 1).get(0).text()).isEqualTo("reloaded");
        }
    }

    @Test
    void whatPostgresqlCannotHoldIsATypedErrorBeforeAnySqlRuns() {
        // the table does not exist: any SQL would fail with a StoreException instead
        PgvectorTableLayout missing = PgvectorTableLayout.builder(PgvectorTestServer.SCRATCH_SCHEMA,
                PgvectorTestServer.uniqueTableName("absent"), ScenarioDataset.SCHEMA, DIM).build();
        try (PgvectorStore store = store(missing, UnaryOperator.identity())) {
            float[] v = ScenarioDataset.vectorFor("x", DIM);
            Metadata ok = Metadata.of("customer", "CustomerA", "documentType", "note");
            assertThatThrownBy(() -> store.upsert(List.of(new VectorRecord("a\0b", v, "t", ok))))
                    .isInstanceOf(InvalidRecordException.class).hasMessageContaining("NUL");
            assertThatThrownBy(() -> store.upsert(List.of(new VectorRecord("x", v, "te\0xt", ok))))
                    .isInstanceOf(InvalidRecordException.class).hasMessageContaining("NUL");
            assertThatThrownBy(() -> store.upsert(List.of(new VectorRecord("x", v, "t", ok.with("region",
                    new StringValue("U\0S"))))))
                    .isInstanceOf(InvalidRecordException.class)
                    .satisfies(e -> assertThat(((InvalidRecordException) e).field()).isEqualTo("region"));
            assertThatThrownBy(() -> store.upsert(List.of(new VectorRecord("x", v, "t", Metadata.of("customer", "A",
                    "documentType", "note", "tags", List.of("ok", "\0"))))))
                    .isInstanceOf(InvalidRecordException.class).hasMessageContaining("tags");
            assertThatThrownBy(() -> store.upsert(List.of(new VectorRecord("x", v, "t", Metadata.of("customer", "A",
                    "documentType", "\uDC00")))))
                    .isInstanceOf(InvalidRecordException.class).hasMessageContaining("surrogate");
            assertThatThrownBy(() -> store.delete(List.of("ok", "a\0b"))).isInstanceOf(InvalidRecordException.class);
            assertThatThrownBy(() -> store.search(v, 3, Filters.eq("colour", "red")))
                    .isInstanceOf(InvalidFilterException.class);
            assertThatThrownBy(() -> store.count(Filters.eq("region", "\0"))).isInstanceOf(InvalidFilterException.class);
            // nothing to do is done without SQL
            store.upsert(List.of());
            assertThat(store.delete(List.of())).isZero();
            // and a backend failure is a StoreException, not a driver exception
            assertThatThrownBy(store::count).isInstanceOf(StoreException.class).hasMessageContaining("does not exist");
        }
    }

    @Test
    void scoresAreCosineSimilarityOverTheWholeRange() {
        PgvectorTableLayout layout = newTable();
        try (PgvectorStore store = store(layout, UnaryOperator.identity())) {
            float[] x = new float[DIM];
            x[0] = 3;
            float[] minusX = new float[DIM];
            minusX[0] = -1;
            float[] y = new float[DIM];
            y[1] = 0.5f;
            Metadata m = Metadata.of("customer", "CustomerA", "documentType", "note");
            store.upsert(List.of(new VectorRecord("minus-x", minusX, null, m), new VectorRecord("y", y, null, m),
                    new VectorRecord("x", x, null, m)));
            List<SearchHit> hits = store.search(x, 3);
            assertThat(hits).extracting(SearchHit::id).containsExactly("x", "y", "minus-x");
            assertThat(hits.get(0).score()).isCloseTo(1.0, within(1e-6));
            assertThat(hits.get(1).score()).isCloseTo(0.0, within(1e-6));
            assertThat(hits.get(2).score()).isCloseTo(-1.0, within(1e-6));
            assertThat(hits.get(0).text()).isNull();
        }
    }

    @Test
    void aStoreBuiltFromAJdbcUrlOwnsAndClosesItsPool() {
        PgvectorTableLayout layout = newTable();
        PgvectorStore store = PgvectorStore.builder(layout).jdbcUrl(PgvectorTestServer.jdbcUrl()).build();
        store.upsert(ScenarioDataset.records());
        assertThat(store.count(Filters.eq("customer", "CustomerB"))).isEqualTo(ScenarioDataset.idsOf("CustomerB").size());
        store.close();
        assertThatThrownBy(store::count).isInstanceOf(StoreException.class);
        // the data stays
        try (PgvectorStore other = store(layout, UnaryOperator.identity())) {
            assertThat(other.count()).isEqualTo(ScenarioDataset.records().size());
        }
    }

    private PgvectorTableLayout newTable() {
        PgvectorTableLayout layout = PgvectorTableLayout.builder(PgvectorTestServer.SCRATCH_SCHEMA,
                PgvectorTestServer.uniqueTableName("store"), ScenarioDataset.SCHEMA, DIM).build();
        PgvectorSchemaManager.createTable(PgvectorTestServer.dataSource(), layout);
        tables.add(layout);
        return layout;
    }

    private static PgvectorStore store(PgvectorTableLayout layout, UnaryOperator<PgvectorStore.Builder> options) {
        return options.apply(PgvectorStore.builder(layout).dataSource(PgvectorTestServer.dataSource())).build();
    }

    private static double reltuples(PgvectorTableLayout layout) {
        try (Connection c = PgvectorTestServer.dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT reltuples FROM pg_class WHERE oid = to_regclass(?)")) {
            ps.setString(1, layout.qualifiedTable());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getDouble(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static long vectorIndexOid(PgvectorTableLayout layout) {
        try (Connection c = PgvectorTestServer.dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT coalesce(to_regclass(?)::oid, 0)::bigint")) {
            ps.setString(1, PgvectorTestServer.SCRATCH_SCHEMA + "." + PgvectorSchemaManager.vectorIndexName(layout));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String single(Connection c, String sql) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getString(1);
        }
    }
}
