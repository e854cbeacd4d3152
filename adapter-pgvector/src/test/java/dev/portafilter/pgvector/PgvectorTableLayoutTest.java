package dev.portafilter.pgvector;

import dev.portafilter.conformance.ScenarioDataset;
import dev.portafilter.core.InvalidSchemaException;
import dev.portafilter.core.InvalidStoreNameException;
import dev.portafilter.core.metadata.FieldType;
import dev.portafilter.core.metadata.MetadataSchema;
import dev.portafilter.pgvector.PgvectorTableLayout.ColumnType;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PgvectorTableLayoutTest {
    private static final MetadataSchema BEDROCK_SCHEMA = MetadataSchema.builder()
            .required("customer", FieldType.STRING)
            .optional("documentType", FieldType.STRING)
            .optional("focus", FieldType.STRING)
            .optional("publicationYear", FieldType.LONG)
            .optional("region", FieldType.STRING)
            .build();

    @Test
    void theDefaultLayoutHasOneTypedColumnPerField() {
        PgvectorTableLayout layout = PgvectorTableLayout.builder("rag", "chunks", ScenarioDataset.SCHEMA, 16).build();
        assertThat(PgvectorSchemaManager.createTableSql(layout)).isEqualTo("CREATE TABLE IF NOT EXISTS \"rag\".\"chunks\" ("
                + "\"id\" text PRIMARY KEY, \"text\" text, \"embedding\" vector(16) NOT NULL, "
                + "\"customer\" text NOT NULL, \"documentType\" text NOT NULL, \"focus\" text, "
                + "\"publicationYear\" bigint, \"region\" text, \"confidence\" double precision, \"reviewed\" boolean, "
                + "\"patientIds\" text[], \"tags\" text[])");
        assertThat(PgvectorSchemaManager.metadataIndexSql(layout)).contains(
                "CREATE INDEX IF NOT EXISTS \"chunks_customer_idx\" ON \"rag\".\"chunks\" (\"customer\")",
                "CREATE INDEX IF NOT EXISTS \"chunks_tags_idx\" ON \"rag\".\"chunks\" USING gin (\"tags\")");
        assertThat(PgvectorSchemaManager.vectorIndexSql(layout)).isEqualTo("CREATE INDEX IF NOT EXISTS "
                + "\"chunks_embedding_hnsw_idx\" ON \"rag\".\"chunks\" USING hnsw (\"embedding\" vector_cosine_ops)");
    }

    @Test
    void twoIndexesOfOneNameAreRefusedBeforeAnyStatement() {
        // the composite (customer, year) is chunks_customer_year_idx, and so is the GIN index of a column customer_year
        MetadataSchema schema = MetadataSchema.builder()
                .required("customer", FieldType.STRING)
                .optional("year", FieldType.LONG)
                .optional("customer_year", FieldType.STRING_LIST)
                .build();
        PgvectorTableLayout layout = PgvectorTableLayout.builder("rag", "chunks", schema, 4).tenantField("customer")
                .build();
        // no data source: the refusal comes before any SQL
        assertThatThrownBy(() -> PgvectorSchemaManager.createTable(null, layout))
                .isInstanceOf(InvalidSchemaException.class).hasMessageContaining("chunks_customer_year_idx")
                .extracting(e -> ((InvalidSchemaException) e).field()).isEqualTo("customer_year");
        PgvectorTableLayout perColumn = PgvectorTableLayout.builder("rag", "chunks", schema, 4).build();
        assertThat(PgvectorSchemaManager.metadataIndexSql(perColumn)).doesNotHaveDuplicates();
    }

    @Test
    void aTenantFieldLeadsEveryBtreeAndNoneLeavesOnlyTheGinIndexes() {
        PgvectorTableLayout led = PgvectorTableLayout.builder("rag", "chunks", ScenarioDataset.SCHEMA, 16)
                .tenantField("customer").build();
        assertThat(led.metadataIndexes()).isEqualTo(PgvectorTableLayout.MetadataIndexes.TENANT_LEADING);
        assertThat(PgvectorSchemaManager.metadataIndexSql(led)).contains(
                "CREATE INDEX IF NOT EXISTS \"chunks_customer_region_idx\" ON \"rag\".\"chunks\" (\"customer\", \"region\")",
                "CREATE INDEX IF NOT EXISTS \"chunks_tags_idx\" ON \"rag\".\"chunks\" USING gin (\"tags\")")
                .noneMatch(sql -> sql.contains("(\"customer\")") || sql.contains("(\"region\")"));
        PgvectorTableLayout none = PgvectorTableLayout.builder("rag", "chunks", ScenarioDataset.SCHEMA, 16)
                .metadataIndexes(PgvectorTableLayout.MetadataIndexes.NONE).build();
        assertThat(PgvectorSchemaManager.metadataIndexSql(none)).isNotEmpty().allMatch(sql -> sql.contains("USING gin"));
        assertThat(PgvectorTableLayout.builder("rag", "chunks", ScenarioDataset.SCHEMA, 16).build().metadataIndexes())
                .isEqualTo(PgvectorTableLayout.MetadataIndexes.PER_COLUMN);

        assertThatThrownBy(() -> PgvectorTableLayout.builder("s", "t", ScenarioDataset.SCHEMA, 4).tenantField("tags")
                .build()).isInstanceOf(InvalidSchemaException.class).hasMessageContaining("scalar")
                .extracting(e -> ((InvalidSchemaException) e).field()).isEqualTo("tags");
        assertThatThrownBy(() -> PgvectorTableLayout.builder("s", "t", ScenarioDataset.SCHEMA, 4).tenantField("colour")
                .build()).isInstanceOf(InvalidSchemaException.class);
        assertThatThrownBy(() -> PgvectorTableLayout.builder("s", "t", ScenarioDataset.SCHEMA, 4)
                .metadataIndexes(PgvectorTableLayout.MetadataIndexes.TENANT_LEADING).build())
                .hasMessageContaining("tenant field");
    }

    @Test
    void theBedrockPresetIsTheTableAKnowledgeBaseSyncsInto() {
        PgvectorTableLayout layout = PgvectorTableLayout.bedrockKnowledgeBase(BEDROCK_SCHEMA, 1024).build();
        assertThat(layout.qualifiedTable()).isEqualTo("\"bedrock_integration\".\"bedrock_kb\"");
        assertThat(layout.idType()).isEqualTo(PgvectorTableLayout.IdType.UUID);
        assertThat(PgvectorSchemaManager.createTableSql(layout)).isEqualTo(
                "CREATE TABLE IF NOT EXISTS \"bedrock_integration\".\"bedrock_kb\" (\"id\" uuid PRIMARY KEY, "
                        + "\"chunks\" text, \"embedding\" vector(1024) NOT NULL, \"metadata\" json, "
                        + "\"customer\" text NOT NULL, \"documentType\" text, \"focus\" text, "
                        + "\"publicationYear\" integer, \"region\" text)");
        PgvectorTableLayout renamed = PgvectorTableLayout.bedrockKnowledgeBase("kb", "docs", BEDROCK_SCHEMA, 8)
                .column("documentType", "documenttype", ColumnType.TEXT).build();
        assertThat(renamed.qualifiedTable()).isEqualTo("\"kb\".\"docs\"");
        assertThat(renamed.column("documentType").sqlName()).isEqualTo("\"documenttype\"");
    }

    @Test
    void layoutsThatWouldMisbehaveAreRefused() {
        MetadataSchema schema = ScenarioDataset.SCHEMA;
        assertThatThrownBy(() -> PgvectorTableLayout.builder("s", "x".repeat(64), schema, 4))
                .isInstanceOf(InvalidStoreNameException.class).hasMessageContaining("63-byte");
        assertThatThrownBy(() -> PgvectorTableLayout.builder("s", "t", schema, 4).column("region", "customer",
                ColumnType.TEXT).build()).isInstanceOf(InvalidSchemaException.class).hasMessageContaining("used twice");
        assertThatThrownBy(() -> PgvectorTableLayout.builder("s", "t", schema, 4).column("region", "id",
                ColumnType.TEXT).build()).isInstanceOf(InvalidSchemaException.class).hasMessageContaining("used twice");
        assertThatThrownBy(() -> PgvectorTableLayout.builder("s", "t", schema, 4).column("region", "region",
                ColumnType.BIGINT).build()).isInstanceOf(InvalidSchemaException.class)
                .hasMessageContaining("cannot live in a bigint column");
        assertThatThrownBy(() -> PgvectorTableLayout.builder("s", "t", schema, 4).column("colour", "colour",
                ColumnType.TEXT)).hasMessageContaining("not declared");
        assertThatThrownBy(() -> PgvectorTableLayout.builder("s", "t\0", schema, 4))
                .isInstanceOf(InvalidStoreNameException.class).hasMessageContaining("NUL");
    }

    @Test
    void schemaFieldsPostgresqlCannotHoldAsTheirOwnColumnAreNamed() {
        for (String field : new String[] {"id", "text", "embedding",
                "a_field_name_that_is_much_longer_than_sixty_three_bytes_allowed_x"}) {
            MetadataSchema schema = MetadataSchema.builder().optional(field, FieldType.STRING).build();
            assertThatThrownBy(() -> PgvectorTableLayout.builder("s", "t", schema, 4).build()).as(field)
                    .isInstanceOf(InvalidSchemaException.class).hasMessageContaining(field)
                    .extracting(e -> ((InvalidSchemaException) e).field()).isEqualTo(field);
        }
    }

    @Test
    void longIndexNamesAreShortenedInsteadOfTruncatedByPostgresql() {
        String table = "t".repeat(60);
        PgvectorTableLayout layout = PgvectorTableLayout.builder("s", table, ScenarioDataset.SCHEMA, 4).build();
        assertThat(PgvectorSchemaManager.metadataIndexSql(layout)).allSatisfy(sql ->
                assertThat(sql).containsPattern("\"pf_[0-9a-f]{24}_idx\""));
        assertThat(PgvectorSchemaManager.metadataIndexSql(layout)).doesNotHaveDuplicates();
    }
}
