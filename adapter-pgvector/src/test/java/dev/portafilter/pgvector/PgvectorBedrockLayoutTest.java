package dev.portafilter.pgvector;

import dev.portafilter.core.InvalidRecordException;
import dev.portafilter.core.filter.Filters;
import dev.portafilter.core.metadata.FieldType;
import dev.portafilter.core.metadata.LongValue;
import dev.portafilter.core.metadata.Metadata;
import dev.portafilter.core.metadata.MetadataSchema;
import dev.portafilter.core.store.SearchHit;
import dev.portafilter.core.store.VectorRecord;
import dev.portafilter.core.tenant.TenantScope;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The Bedrock preset over a table made with AWS's DDL for an Aurora knowledge base (not with the schema
 * manager), holding a row written the way Bedrock's sync writes it.
 */
class PgvectorBedrockLayoutTest {
    private static final MetadataSchema SCHEMA = MetadataSchema.builder()
            .required("customer", FieldType.STRING)
            .optional("documentType", FieldType.STRING)
            .optional("focus", FieldType.STRING)
            .optional("publicationYear", FieldType.LONG)
            .optional("region", FieldType.STRING)
            .build();
    private static final String SYNCED_ID = "0b5f0c4e-3d52-4f1e-9b7a-2f6f0d1c9e11";

    private PgvectorTableLayout layout;
    private PgvectorStore store;

    @BeforeEach
    void createTheKnowledgeBaseTable() {
        layout = PgvectorTableLayout.bedrockKnowledgeBase(PgvectorTestServer.SCRATCH_SCHEMA,
                PgvectorTestServer.uniqueTableName("bedrock_kb"), SCHEMA, 4).build();
        String table = layout.qualifiedTable();
        PgvectorTestServer.execute(
                "CREATE TABLE " + table + " (id uuid PRIMARY KEY, embedding vector(4), chunks text, metadata json, "
                        + "customer text, \"documentType\" text, focus text, \"publicationYear\" int, region text)",
                "CREATE INDEX ON " + table + " USING hnsw (embedding vector_cosine_ops)",
                "CREATE INDEX ON " + table + " USING gin (to_tsvector('simple', chunks))",
                // as a knowledge base sync writes a chunk: attributes in their columns and in the metadata json
                "INSERT INTO " + table + " VALUES ('" + SYNCED_ID + "', '[1,0,0,0]', 'synced chunk', "
                        + "'{\"x-amz-bedrock-kb-source-uri\":\"s3://bucket/a.pdf\",\"customer\":\"CustomerA\"}', "
                        + "'CustomerA', 'case-report', 'cardiology', 2023, NULL)");
        store = PgvectorStore.builder(layout).dataSource(PgvectorTestServer.dataSource()).build();
    }

    @AfterEach
    void drop() {
        PgvectorSchemaManager.dropTable(PgvectorTestServer.dataSource(), layout);
    }

    @Test
    void readsWhatTheKnowledgeBaseSyncedAndFiltersOnItsColumns() {
        List<SearchHit> hits = store.search(new float[] {1, 0, 0, 0}, 5, Filters.and(Filters.eq("customer", "CustomerA"),
                Filters.gte("publicationYear", 2022.5), Filters.ne("region", "US")));
        assertThat(hits).extracting(SearchHit::id).containsExactly(SYNCED_ID);
        assertThat(hits.get(0).text()).isEqualTo("synced chunk");
        assertThat(hits.get(0).metadata()).isEqualTo(Metadata.of("customer", "CustomerA", "documentType", "case-report",
                "focus", "cardiology", "publicationYear", 2023));
        assertThat(hits.get(0).score()).isEqualTo(1.0);
    }

    @Test
    void writesUuidRecordsIntoTheSameTable() throws SQLException {
        String id = UUID.randomUUID().toString();
        TenantScope.of(store, "customer").forTenant("CustomerB").upsert(List.of(new VectorRecord(id,
                new float[] {0, 1, 0, 0}, "written by Portafilter", Metadata.of("documentType", "note",
                "publicationYear", 2024))));
        assertThat(store.count()).isEqualTo(2);
        assertThat(store.search(new float[] {0, 1, 0, 0}, 1, Filters.eq("customer", "CustomerB")))
                .extracting(SearchHit::id).containsExactly(id);
        assertThat(store.delete(List.of(id), Filters.eq("customer", "CustomerA"))).isZero();
        try (Connection c = PgvectorTestServer.dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT metadata->>'customer', metadata->>'publicationYear' FROM "
                     + layout.qualifiedTable() + " WHERE id = '" + id + "'")) {
            rs.next();
            assertThat(rs.getString(1)).isEqualTo("CustomerB");
            assertThat(rs.getString(2)).isEqualTo("2024");
        }
    }

    @Test
    void theBinaryCopyPathWritesUuidIntegerAndJsonColumns() {
        try (PgvectorStore copying = PgvectorStore.builder(layout).dataSource(PgvectorTestServer.dataSource())
                .copyThreshold(1).build()) {
            List<VectorRecord> records = List.of(
                    new VectorRecord(UUID.randomUUID().toString(), new float[] {0, 0, 1, 0}, "copied",
                            Metadata.of("customer", "CustomerB", "publicationYear", -2_147_483_648L)),
                    new VectorRecord(UUID.randomUUID().toString(), new float[] {0, 0, 0, 1}, null,
                            Metadata.of("customer", "CustomerB", "region", "UK")));
            copying.upsert(records);
            assertThat(copying.count(Filters.eq("customer", "CustomerB"))).isEqualTo(2);
            SearchHit hit = copying.search(new float[] {0, 0, 1, 0}, 1).get(0);
            assertThat(hit.id()).isEqualTo(records.get(0).id());
            assertThat(hit.metadata()).isEqualTo(records.get(0).metadata());
            assertThat(copying.count(Filters.lt("publicationYear", -2_147_483_647.5))).isEqualTo(1);
        }
    }

    @Test
    void idsThatAreNotCanonicalUuidsAndYearsBeyondIntegerAreTypedErrors() {
        Metadata m = Metadata.of("customer", "CustomerA");
        float[] v = {0, 0, 1, 0};
        for (String id : List.of("doc-1", "0B5F0C4E-3D52-4F1E-9B7A-2F6F0D1C9E11", "1-2-3-4-5", "")) {
            assertThatThrownBy(() -> store.upsert(List.of(new VectorRecord(id, v, null, m))))
                    .as(id).isInstanceOf(InvalidRecordException.class);
        }
        assertThatThrownBy(() -> store.delete(List.of("doc-1"))).isInstanceOf(InvalidRecordException.class)
                .hasMessageContaining("UUID");
        assertThatThrownBy(() -> store.upsert(List.of(new VectorRecord(UUID.randomUUID().toString(), v, null,
                m.with("publicationYear", new LongValue(5_000_000_000L))))))
                .isInstanceOf(InvalidRecordException.class).hasMessageContaining("32-bit");
        assertThat(store.count()).isEqualTo(1);
    }
}
