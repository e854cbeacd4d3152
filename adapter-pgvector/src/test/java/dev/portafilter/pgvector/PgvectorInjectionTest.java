package dev.portafilter.pgvector;

import dev.portafilter.conformance.ScenarioDataset;
import dev.portafilter.core.InvalidFilterException;
import dev.portafilter.core.InvalidRecordException;
import dev.portafilter.core.PortafilterException;
import dev.portafilter.core.UnsupportedFilterException;
import dev.portafilter.core.filter.Filter;
import dev.portafilter.core.filter.FilterJson;
import dev.portafilter.core.filter.Filters;
import dev.portafilter.core.filter.ReferenceEvaluator;
import dev.portafilter.core.metadata.FieldType;
import dev.portafilter.core.metadata.Metadata;
import dev.portafilter.core.metadata.MetadataSchema;
import dev.portafilter.core.store.SearchHit;
import dev.portafilter.core.store.VectorRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Hostile values and field names never change a query's meaning and never reach SQL text: each is stored as
 * data, matched exactly, and the table is still there afterwards.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PgvectorInjectionTest {
    private PgvectorTableLayout layout;
    private PgvectorStore store;
    private final List<VectorRecord> data = new ArrayList<>(ScenarioDataset.records());

    private List<String> hostileValues() {
        return List.of(
                "'; DROP TABLE " + layout.qualifiedTable() + "; --",
                "x'); DELETE FROM " + layout.tableName() + "; --",
                "' OR '1'='1",
                "\" OR \"1\"=\"1",
                "\\",
                "\\'; SELECT pg_sleep(10); --",
                "''",
                "$$; DROP TABLE t; $$",
                "E'\\x27'",
                "%' OR region LIKE '%",
                "\u2019 OR 1=1 --",
                "line\nbreak\r\t",
                "{\"$ne\": \"US\"}",
                "ARRAY['US']::text[]",
                "\uD83D\uDE00 emoji");
    }

    @BeforeAll
    void load() {
        layout = PgvectorTableLayout.builder(PgvectorTestServer.SCRATCH_SCHEMA,
                PgvectorTestServer.uniqueTableName("injection"), ScenarioDataset.SCHEMA, ScenarioDataset.DIMENSION).build();
        PgvectorSchemaManager.createTable(PgvectorTestServer.dataSource(), layout);
        store = PgvectorStore.builder(layout).dataSource(PgvectorTestServer.dataSource()).build();
        List<String> values = hostileValues();
        for (int i = 0; i < values.size(); i++) {
            String id = "H" + i + values.get(i);
            data.add(new VectorRecord(id, ScenarioDataset.vectorFor(id, ScenarioDataset.DIMENSION), values.get(i),
                    Metadata.of("customer", values.get(i), "documentType", "note", "region", values.get(i),
                            "tags", List.of(values.get(i), "plain"))));
        }
        store.upsert(data);
    }

    @AfterAll
    void drop() {
        PgvectorSchemaManager.dropTable(PgvectorTestServer.dataSource(), layout);
    }

    @TestFactory
    Stream<DynamicTest> hostileValuesAreMatchedAsPlainData() {
        return hostileValues().stream().flatMap(value -> Stream.of(
                Filters.eq("region", value), Filters.ne("region", value), Filters.in("customer", value, "CustomerA"),
                Filters.nin("customer", value, "CustomerB"), Filters.eq("tags", value), Filters.not(Filters.in("tags", value)),
                Filters.or(Filters.eq("focus", value), Filters.eq("region", value))
        ).map(filter -> DynamicTest.dynamicTest(FilterJson.write(filter), () -> {
            SqlFragment sql = PgvectorFilterTranslator.toSql(layout, filter);
            assertThat(sql.sql()).doesNotContain(value);
            assertThat(sql.params().toString()).contains(value);
            Set<String> expected = data.stream().filter(r -> ReferenceEvaluator.matches(filter, r.metadata()))
                    .map(VectorRecord::id).collect(Collectors.toSet());
            List<SearchHit> hits = store.search(ScenarioDataset.vectorFor("q", ScenarioDataset.DIMENSION), 1000, filter);
            assertThat(hits).extracting(SearchHit::id).containsExactlyInAnyOrderElementsOf(expected);
            assertThat(store.count(filter)).isEqualTo(expected.size());
            assertThat(tableExists()).isTrue();
        })));
    }

    @Test
    void aDeleteWithAHostileValueDeletesExactlyTheRecordHoldingIt() {
        String value = hostileValues().get(0);
        VectorRecord holder = data.stream().filter(r -> value.equals(r.text())).findFirst().orElseThrow();
        assertThat(store.deleteWhere(Filters.eq("region", value))).isEqualTo(1);
        assertThat(tableExists()).isTrue();
        assertThat(store.count()).isEqualTo(data.size() - 1);
        store.upsert(List.of(holder));
        assertThat(store.delete(List.of(holder.id(), "' OR '1'='1"), Filters.eq("tags", value)))
                .isEqualTo(1);
        store.upsert(List.of(holder));
        assertThat(store.count()).isEqualTo(data.size());
    }

    @Test
    void nulIsATypedErrorNotADriverException() {
        Filter nul = Filters.eq("region", "US\0'; DROP TABLE t; --");
        float[] q = ScenarioDataset.vectorFor("q", ScenarioDataset.DIMENSION);
        assertThatThrownBy(() -> store.search(q, 5, nul)).isInstanceOf(UnsupportedFilterException.class)
                .hasMessageContaining("NUL");
        assertThatThrownBy(() -> store.count(nul)).isInstanceOf(UnsupportedFilterException.class);
        assertThatThrownBy(() -> store.deleteWhere(Filters.not(nul))).isInstanceOf(UnsupportedFilterException.class);
        assertThatThrownBy(() -> store.upsert(List.of(new VectorRecord("N", q, "x",
                Metadata.of("customer", "A\0", "documentType", "note"))))).isInstanceOf(InvalidRecordException.class);
        assertThat(store.count()).isEqualTo(data.size());
    }

    @Test
    void undeclaredHostileFieldNamesAreRefusedBeforeAnySql() {
        for (String field : List.of("region\" OR 1=1 --", "region'; DROP TABLE t; --", "\"region\"", "REGION",
                "region\0", "tags[1]", "region) OR (1=1")) {
            assertThatThrownBy(() -> store.count(Filters.eq(field, "US"))).as(field)
                    .isInstanceOf(InvalidFilterException.class);
            assertThatThrownBy(() -> PgvectorFilterTranslator.toSql(layout, Filters.exists(field))).as(field)
                    .isInstanceOf(InvalidFilterException.class);
        }
        assertThat(tableExists()).isTrue();
    }

    @Test
    void declaredHostileFieldNamesAreQuotedIdentifiersThatKeepTheirMeaning() {
        List<String> fields = List.of("a\"b", "x'); DROP TABLE t; --", "select", "Robert\"); DROP TABLE students;--");
        MetadataSchema.Builder schema = MetadataSchema.builder().required("customer", FieldType.STRING);
        fields.forEach(f -> schema.optional(f, FieldType.STRING));
        PgvectorTableLayout weird = PgvectorTableLayout.builder(PgvectorTestServer.SCRATCH_SCHEMA,
                PgvectorTestServer.uniqueTableName("weird"), schema.build(), 4).build();
        PgvectorSchemaManager.createTable(PgvectorTestServer.dataSource(), weird);
        try (PgvectorStore s = PgvectorStore.builder(weird).dataSource(PgvectorTestServer.dataSource()).build()) {
            s.upsert(List.of(
                    new VectorRecord("1", new float[] {1, 0, 0, 0}, null, Metadata.of("customer", "A", fields.get(0), "v",
                            fields.get(1), "w")),
                    new VectorRecord("2", new float[] {0, 1, 0, 0}, null, Metadata.of("customer", "B", fields.get(3), "v"))));
            for (String f : fields) {
                List<String> expected = f.equals(fields.get(0)) ? List.of("1") : f.equals(fields.get(3)) ? List.of("2") : List.of();
                assertThat(s.search(new float[] {1, 1, 0, 0}, 10, Filters.eq(f, "v"))).as(f)
                        .extracting(SearchHit::id).containsExactlyElementsOf(expected);
            }
            assertThat(s.count(Filters.exists(fields.get(1)))).isEqualTo(1);
            assertThat(s.search(new float[] {1, 0, 0, 0}, 1).get(0).metadata())
                    .isEqualTo(Metadata.of("customer", "A", fields.get(0), "v", fields.get(1), "w"));
            assertThat(s.count()).isEqualTo(2);
        } finally {
            PgvectorSchemaManager.dropTable(PgvectorTestServer.dataSource(), weird);
        }
        assertThat(tableExists()).isTrue();
    }

    private boolean tableExists() {
        try (Connection c = PgvectorTestServer.dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
            ps.setString(1, layout.qualifiedTable());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        } catch (SQLException e) {
            throw new PortafilterException("cannot check the table", e);
        }
    }
}
