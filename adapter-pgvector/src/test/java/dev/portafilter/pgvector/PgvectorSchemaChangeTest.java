package dev.portafilter.pgvector;

import dev.portafilter.core.InvalidSchemaException;
import dev.portafilter.core.filter.Filter;
import dev.portafilter.core.filter.Filters;
import dev.portafilter.core.metadata.FieldSpec;
import dev.portafilter.core.metadata.FieldType;
import dev.portafilter.core.metadata.Metadata;
import dev.portafilter.core.metadata.MetadataSchema;
import dev.portafilter.core.store.SearchHit;
import dev.portafilter.core.store.VectorRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A live table's schema grows: a field is added, or an undeclared one promoted to a typed, indexed column. */
class PgvectorSchemaChangeTest {
    private static final int DIMENSION = 8;
    private static final MetadataSchema SCHEMA = MetadataSchema.builder()
            .required("customer", FieldType.STRING)
            .allowUndeclared()
            .build();

    private final List<PgvectorTableLayout> created = new ArrayList<>();

    @AfterEach
    void drop() {
        created.forEach(l -> PgvectorSchemaManager.dropTable(PgvectorTestServer.dataSource(), l));
    }

    @Test
    void aPromotedFieldKeepsEveryAnswerWhileItsColumnIsFilledAndIndexed() throws Exception {
        PgvectorTableLayout before = table();
        List<VectorRecord> records = records(3_000);
        try (PgvectorStore old = store(before)) {
            old.bulkLoad(records);
            Filter team = Filters.eq("team", "t7");
            List<String> expected = records.stream().filter(r -> team.test(r.metadata())).map(VectorRecord::id)
                    .sorted().toList();
            // searches on the old layout run all through the promotion and must answer exactly, every time
            AtomicBoolean promoting = new AtomicBoolean(true);
            AtomicInteger searches = new AtomicInteger();
            ExecutorService reader = Executors.newSingleThreadExecutor();
            Future<?> reading = reader.submit(() -> {
                while (promoting.get() || searches.get() == 0) {
                    assertThat(ids(old.search(query(), 1_000, team))).isEqualTo(expected);
                    searches.incrementAndGet();
                }
            });
            PgvectorTableLayout after = PgvectorSchemaManager.promoteField(PgvectorTestServer.dataSource(), before,
                    new FieldSpec("team", FieldType.STRING, false), 97);
            promoting.set(false);
            reading.get(60, TimeUnit.SECONDS);
            reader.shutdown();
            assertThat(searches.get()).isPositive();

            assertThat(after.metadataSchema().field("team")).isPresent();
            assertThat(columnHolds(after, "team", "t7")).isEqualTo(expected.size());
            assertThat(indexExists(after.tableName() + "_team_idx")).isTrue();
            try (PgvectorStore promoted = store(after)) {
                assertThat(PgvectorFilterTranslator.toSql(after, team).sql()).contains("\"team\" = ?");
                assertThat(ids(promoted.search(query(), 1_000, team))).isEqualTo(expected);
                // undeclared neighbours are untouched, and records read back the same
                Filter size = Filters.gte("size", 5);
                assertThat(ids(promoted.search(query(), 5_000, size))).isEqualTo(records.stream()
                        .filter(r -> size.test(r.metadata())).map(VectorRecord::id).sorted().toList());
                SearchHit hit = promoted.search(records.get(11).vector(), 1).get(0);
                assertThat(hit.metadata()).isEqualTo(records.get(11).metadata());
            }
            // a second call after switching finds nothing left to fill, and returns the same layout
            assertThat(PgvectorSchemaManager.promoteField(PgvectorTestServer.dataSource(), before,
                    new FieldSpec("team", FieldType.STRING, false), 97).metadataSchema())
                    .isEqualTo(after.metadataSchema());
        }
    }

    @Test
    void aPromotionThatDoesNotFitTheValuesChangesNothing() throws SQLException {
        PgvectorTableLayout before = table();
        try (PgvectorStore store = store(before)) {
            store.upsert(List.of(record("a", Metadata.of("customer", "c", "n", 2)),
                    record("b", Metadata.of("customer", "c", "n", 2.5)),
                    record("c", Metadata.of("customer", "c"))));
            assertThatThrownBy(() -> PgvectorSchemaManager.promoteField(PgvectorTestServer.dataSource(), before,
                    new FieldSpec("n", FieldType.LONG, false), 10))
                    .isInstanceOfSatisfying(InvalidSchemaException.class, e -> {
                        assertThat(e.field()).isEqualTo("n");
                        assertThat(e.getMessage()).contains("record 'b'").contains("not a LONG");
                    });
            assertThatThrownBy(() -> PgvectorSchemaManager.promoteField(PgvectorTestServer.dataSource(), before,
                    new FieldSpec("n", FieldType.DOUBLE, true), 10))
                    .isInstanceOf(InvalidSchemaException.class).hasMessageContaining("record 'c'");
            assertThat(columns(before)).doesNotContain("n");
            // as a DOUBLE it fits: 2 and 2.5 are both numbers
            PgvectorTableLayout after = PgvectorSchemaManager.promoteField(PgvectorTestServer.dataSource(), before,
                    new FieldSpec("n", FieldType.DOUBLE, false), 10);
            try (PgvectorStore promoted = store(after)) {
                assertThat(ids(promoted.search(query(), 10, Filters.gt("n", 2)))).containsExactly("b");
            }
        }
    }

    @Test
    void anAddedFieldIsWrittenAndFilteredAtOnceAndRefusesWhatWouldLoseData() throws SQLException {
        PgvectorTableLayout before = table();
        try (PgvectorStore store = store(before)) {
            store.upsert(List.of(record("a", Metadata.of("customer", "c", "held", "x"))));
            assertThatThrownBy(() -> PgvectorSchemaManager.addField(PgvectorTestServer.dataSource(), before,
                    new FieldSpec("held", FieldType.STRING, false)))
                    .isInstanceOf(InvalidSchemaException.class).hasMessageContaining("promote");
            assertThatThrownBy(() -> PgvectorSchemaManager.addField(PgvectorTestServer.dataSource(), before,
                    new FieldSpec("year", FieldType.LONG, true)))
                    .isInstanceOf(InvalidSchemaException.class).hasMessageContaining("empty table");
            assertThat(columns(before)).doesNotContain("held", "year");
            PgvectorTableLayout after = PgvectorSchemaManager.addField(PgvectorTestServer.dataSource(), before,
                    new FieldSpec("year", FieldType.LONG, false));
            assertThat(indexExists(after.tableName() + "_year_idx")).isTrue();
            try (PgvectorStore grown = store(after)) {
                grown.upsert(List.of(record("b", Metadata.of("customer", "c", "year", 2024))));
                assertThat(ids(grown.search(query(), 10, Filters.eq("year", 2024)))).containsExactly("b");
                assertThat(ids(grown.search(query(), 10, Filters.missing("year")))).containsExactly("a");
                assertThatThrownBy(() -> grown.upsert(List.of(record("c", Metadata.of("customer", "c", "year", "x")))))
                        .hasMessageContaining("year");
            }
        }
    }

    @Test
    void aFieldAddedToATenantLedTableGetsAnIndexLedByTheTenant() throws SQLException {
        PgvectorTableLayout before = table(b -> b.tenantField("customer"));
        assertThat(indexExists(before.tableName() + "_customer_idx")).as("the tenant alone, while no other column "
                + "leads with it").isTrue();
        PgvectorTableLayout after = PgvectorSchemaManager.addField(PgvectorTestServer.dataSource(), before,
                new FieldSpec("year", FieldType.LONG, false));
        assertThat(after.tenantField()).contains("customer");
        assertThat(indexExists(after.tableName() + "_customer_year_idx")).isTrue();
        assertThat(indexExists(after.tableName() + "_year_idx")).isFalse();
        try (PgvectorStore grown = store(after)) {
            grown.upsert(List.of(record("a", Metadata.of("customer", "c", "year", 2024)),
                    record("b", Metadata.of("customer", "d", "year", 2024))));
            assertThat(ids(grown.search(query(), 10, Filters.and(Filters.eq("customer", "c"),
                    Filters.eq("year", 2024))))).containsExactly("a");
        }
    }

    private PgvectorTableLayout table() {
        return table(UnaryOperator.identity());
    }

    private PgvectorTableLayout table(UnaryOperator<PgvectorTableLayout.Builder> options) {
        PgvectorTableLayout layout = options.apply(PgvectorTableLayout.builder(PgvectorTestServer.SCRATCH_SCHEMA,
                PgvectorTestServer.uniqueTableName("grow"), SCHEMA, DIMENSION)).build();
        PgvectorSchemaManager.createTable(PgvectorTestServer.dataSource(), layout);
        created.add(layout);
        return layout;
    }

    private static PgvectorStore store(PgvectorTableLayout layout) {
        return PgvectorStore.builder(layout).dataSource(PgvectorTestServer.dataSource()).build();
    }

    private static List<VectorRecord> records(int n) {
        List<VectorRecord> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(record("r" + i, Metadata.of("customer", "c" + (i % 3), "team", "t" + (i % 50), "size", i % 9)));
        }
        return out;
    }

    private static VectorRecord record(String id, Metadata metadata) {
        float[] v = new float[DIMENSION];
        for (int d = 0; d < DIMENSION; d++) {
            v[d] = (float) Math.sin(id.hashCode() * 31.0 + d);
        }
        return new VectorRecord(id, v, null, metadata);
    }

    private static float[] query() {
        float[] q = new float[DIMENSION];
        q[0] = 1;
        return q;
    }

    private static List<String> ids(List<SearchHit> hits) {
        return hits.stream().map(SearchHit::id).sorted().toList();
    }

    private static long columnHolds(PgvectorTableLayout layout, String column, String value) throws SQLException {
        try (Connection c = PgvectorTestServer.dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM " + layout.qualifiedTable() + " WHERE "
                     + PgvectorTableLayout.quote(column) + " = '" + value + "'")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static List<String> columns(PgvectorTableLayout layout) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = PgvectorTestServer.dataSource().getConnection();
             ResultSet rs = c.getMetaData().getColumns(null, layout.schemaName(), layout.tableName(), null)) {
            while (rs.next()) {
                out.add(rs.getString("COLUMN_NAME"));
            }
        }
        return out;
    }

    private static boolean indexExists(String name) throws SQLException {
        try (Connection c = PgvectorTestServer.dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_indexes WHERE indexname = '" + name + "'")) {
            rs.next();
            return rs.getLong(1) == 1;
        }
    }
}
