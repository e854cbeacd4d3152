package dev.portafilter.pgvector;

import dev.portafilter.core.filter.Filter;
import dev.portafilter.core.filter.Filters;
import dev.portafilter.core.metadata.FieldType;
import dev.portafilter.core.metadata.Metadata;
import dev.portafilter.core.metadata.MetadataSchema;
import dev.portafilter.core.store.SearchHit;
import dev.portafilter.core.store.VectorRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Undeclared fields live in a jsonb document with a GIN index: a selective equality on one is served by that index
 * (EXPLAIN shows a bitmap scan on it), with the key and value bound as parameters, never in the SQL text.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PgvectorUndeclaredIndexTest {
    private static final int ROWS = 20_000;
    /** Rows as wide as real ones: on a table of narrow rows a sequential scan is cheap enough to win. */
    private static final int DIMENSION = 384;
    private static final MetadataSchema SCHEMA = MetadataSchema.builder()
            .required("customer", FieldType.STRING)
            .allowUndeclared()
            .build();

    private PgvectorTableLayout layout;
    private PgvectorStore store;

    @BeforeAll
    void load() throws SQLException {
        layout = PgvectorTableLayout.builder(PgvectorTestServer.SCRATCH_SCHEMA,
                PgvectorTestServer.uniqueTableName("undeclared"), SCHEMA, DIMENSION).build();
        PgvectorSchemaManager.createTable(PgvectorTestServer.dataSource(), layout);
        store = PgvectorStore.builder(layout).dataSource(PgvectorTestServer.dataSource()).build();
        Random random = new Random(7);
        List<VectorRecord> records = new ArrayList<>(ROWS);
        for (int i = 0; i < ROWS; i++) {
            float[] v = new float[DIMENSION];
            for (int d = 0; d < DIMENSION; d++) {
                v[d] = (float) random.nextGaussian();
            }
            // "team": 200 values of 0.5% each, written as strings; "team.size" a number beside it
            records.add(new VectorRecord("r" + i, v, null, Metadata.of("customer", "c" + (i % 2),
                    "team", "t" + (i % 200), "team.size", i % 7)));
        }
        store.bulkLoad(records);
        try (Connection c = PgvectorTestServer.dataSource().getConnection(); Statement s = c.createStatement()) {
            s.execute("ANALYZE " + layout.qualifiedTable());
        }
    }

    @AfterAll
    void drop() {
        PgvectorSchemaManager.dropTable(PgvectorTestServer.dataSource(), layout);
        store.close();
    }

    @Test
    void aSelectiveEqualityOnAnUndeclaredFieldUsesTheGinIndex() throws SQLException {
        Filter filter = Filters.eq("team", "t42");
        SqlFragment where = PgvectorFilterTranslator.toSql(layout, filter);
        assertThat(where.sql()).doesNotContain("team").doesNotContain("t42");
        String plan = explain("SELECT " + PgvectorTableLayout.quote(layout.idColumn()) + " FROM "
                + layout.qualifiedTable() + " WHERE " + where.sql(), where.params());
        assertThat(plan).contains("Bitmap Index Scan on " + layout.tableName() + "_metadata_document_idx");

        float[] query = new float[DIMENSION];
        query[0] = 1;
        List<SearchHit> hits = store.search(query, 1_000, filter);
        assertThat(hits).hasSize(ROWS / 200).allSatisfy(h -> assertThat(h.metadata().get("team").orElseThrow()
                .toJava()).isEqualTo("t42"));
        assertThat(store.count(Filters.and(filter, Filters.gte("team.size", 3)))).isEqualTo(
                java.util.stream.IntStream.range(0, ROWS).filter(i -> i % 200 == 42 && i % 7 >= 3).count());
    }

    private static String explain(String sql, List<Object> params) throws SQLException {
        try (Connection c = PgvectorTestServer.dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("EXPLAIN " + sql)) {
            Jdbc.bind(c, ps, 1, params);
            StringBuilder plan = new StringBuilder();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    plan.append(rs.getString(1)).append('\n');
                }
            }
            return plan.toString();
        }
    }
}
