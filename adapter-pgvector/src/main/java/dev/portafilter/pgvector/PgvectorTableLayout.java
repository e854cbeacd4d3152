package dev.portafilter.pgvector;

import dev.portafilter.core.InvalidSchemaException;
import dev.portafilter.core.InvalidStoreNameException;
import dev.portafilter.core.metadata.FieldSpec;
import dev.portafilter.core.metadata.FieldType;
import dev.portafilter.core.metadata.MetadataSchema;

import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Where a store's records live in PostgreSQL: a schema-qualified table with an id, a text and an embedding
 * column, an optional JSON copy of the metadata, one typed column per declared metadata field and, when the schema
 * allows undeclared fields, one {@code jsonb} document of them per record. It is the
 * only source of identifiers that reach SQL, and every identifier is quoted. A schema field PostgreSQL cannot hold
 * as a column of its own (longer than 63 bytes, NUL, the name of the id, text or embedding column) is an
 * {@link InvalidSchemaException} naming it, an invalid schema or table name an {@link InvalidStoreNameException}.
 *
 * <pre>{@code
 * PgvectorTableLayout layout = PgvectorTableLayout.builder("rag", "chunks", schema, 1024).build();
 * PgvectorTableLayout bedrock = PgvectorTableLayout.bedrockKnowledgeBase(schema, 1024).build();
 * }</pre>
 */
public final class PgvectorTableLayout {
    /** PostgreSQL silently truncates longer identifiers, which could make two columns one. */
    private static final int MAX_IDENTIFIER_BYTES = 63;

    /** The SQL type of a metadata column. */
    public enum ColumnType {
        TEXT("text"),
        BIGINT("bigint"),
        /** 32-bit; values of a LONG field outside its range are rejected before writing. */
        INTEGER("integer"),
        DOUBLE_PRECISION("double precision"),
        BOOLEAN("boolean"),
        TEXT_ARRAY("text[]");

        private final String sql;

        ColumnType(String sql) {
            this.sql = sql;
        }

        public String sql() {
            return sql;
        }

        /** The column type a field gets unless the layout says otherwise. */
        public static ColumnType defaultFor(FieldType type) {
            return switch (type) {
                case STRING -> TEXT;
                case LONG -> BIGINT;
                case DOUBLE -> DOUBLE_PRECISION;
                case BOOLEAN -> BOOLEAN;
                case STRING_LIST -> TEXT_ARRAY;
            };
        }

        boolean holds(FieldType type) {
            return this == defaultFor(type) || (this == INTEGER && type == FieldType.LONG);
        }

        boolean isScalar() {
            return this != TEXT_ARRAY;
        }
    }

    /** The SQL type of the document column: {@code jsonb}, or {@code json} in tables other tools created. */
    public enum DocumentType {
        JSONB("jsonb"),
        /** Read as {@code (column::jsonb)}: a GIN index serves it only as an index on that expression. */
        JSON("json");

        private final String sql;

        DocumentType(String sql) {
            this.sql = sql;
        }

        public String sql() {
            return sql;
        }
    }

    /** The SQL type of the id column. */
    public enum IdType {
        TEXT("text"),
        /** Ids must then be UUIDs in canonical lowercase form, so that they read back exactly as written. */
        UUID("uuid");

        private final String sql;

        IdType(String sql) {
            this.sql = sql;
        }

        public String sql() {
            return sql;
        }
    }

    /** The column that holds one metadata field. */
    public record MetadataColumn(FieldSpec field, String name, ColumnType type) {
        public MetadataColumn {
            Objects.requireNonNull(field, "field");
            String problem = identifierProblem(name);
            if (problem != null) {
                throw new InvalidSchemaException(field.name(), "not a valid PostgreSQL column name: " + problem);
            }
            Objects.requireNonNull(type, "type");
            if (!type.holds(field.type())) {
                throw new InvalidSchemaException(field.name(), "a " + field.type() + " field cannot live in a "
                        + type.sql() + " column");
            }
        }

        /** The quoted identifier, ready for SQL. */
        public String sqlName() {
            return quote(name);
        }
    }

    /**
     * Which B-tree indexes {@link PgvectorSchemaManager} creates on the scalar metadata columns of a table it creates
     * (a {@code text[]} column always gets its GIN index). It never changes the indexes of an existing table.
     */
    public enum MetadataIndexes {
        /**
         * One B-tree per scalar column: the default without a {@linkplain Builder#tenantField tenant field}. A filter
         * on one field is then served by its index; a conjunction of a selective field with a field that selects much
         * of the table may be planned as a {@code BitmapAnd} of both indexes, which reads the second index's many
         * entries to narrow rows the first has already found (docs/search-strategy.md).
         */
        PER_COLUMN,
        /**
         * {@code (tenant, column)} for every other scalar column, or {@code (tenant)} when there is none: the default
         * with a tenant field. Every tenant filter, alone or in a conjunction, reads one index and only its own
         * entries; a filter without the tenant gets no index.
         */
        TENANT_LEADING,
        /** No B-tree: the application creates the indexes it needs. */
        NONE
    }

    /** Where undeclared fields live unless the builder names another column. */
    public static final String DEFAULT_DOCUMENT_COLUMN = "metadata_document";

    private final String schemaName;
    private final String tableName;
    private final String idColumn;
    private final IdType idType;
    private final String textColumn;
    private final String embeddingColumn;
    private final String metadataJsonColumn;
    private final String documentColumn;
    private final DocumentType documentType;
    private final boolean declaredInDocument;
    private final boolean numbersAsText;
    private final int dimension;
    private final MetadataSchema metadataSchema;
    private final Map<String, MetadataColumn> columns;
    private final String tenantField;
    private final MetadataIndexes metadataIndexes;

    private PgvectorTableLayout(Builder b) {
        this.schemaName = b.schemaName;
        this.tableName = b.tableName;
        this.idColumn = b.idColumn;
        this.idType = b.idType;
        this.textColumn = b.textColumn;
        this.embeddingColumn = b.embeddingColumn;
        this.metadataJsonColumn = b.metadataJsonColumn;
        this.declaredInDocument = b.declaredInDocument;
        this.numbersAsText = b.numbersAsText;
        if (numbersAsText && (!declaredInDocument || b.metadataSchema.allowsUndeclared())) {
            throw new InvalidSchemaException("*", "numbers written as text need every field declared, and in the "
                    + "document: an undeclared \"2023\" could be a string or a number");
        }
        boolean needsDocument = b.metadataSchema.allowsUndeclared() || declaredInDocument;
        this.documentColumn = needsDocument ? b.documentColumn == null ? DEFAULT_DOCUMENT_COLUMN : b.documentColumn : null;
        this.documentType = b.documentType;
        if (b.documentColumn != null && documentColumn == null) {
            throw new InvalidSchemaException(b.documentColumn, "a document column holds undeclared fields, and the "
                    + "schema allows none (MetadataSchema.Builder.allowUndeclared)");
        }
        this.dimension = b.dimension;
        this.metadataSchema = b.metadataSchema;
        Map<String, MetadataColumn> cols = new LinkedHashMap<>();
        for (FieldSpec spec : declaredInDocument ? List.<FieldSpec>of() : b.metadataSchema.fields()) {
            ColumnOverride o = b.overrides.getOrDefault(spec.name(),
                    new ColumnOverride(spec.name(), ColumnType.defaultFor(spec.type())));
            cols.put(spec.name(), new MetadataColumn(spec, o.name(), o.type()));
        }
        this.columns = Collections.unmodifiableMap(cols);
        this.tenantField = b.tenantField;
        if (tenantField != null && (!cols.containsKey(tenantField) || !cols.get(tenantField).type().isScalar())) {
            throw new InvalidSchemaException(tenantField, "a tenant field must be a declared field in a scalar column "
                    + "of its own");
        }
        this.metadataIndexes = b.metadataIndexes != null ? b.metadataIndexes
                : tenantField != null ? MetadataIndexes.TENANT_LEADING : MetadataIndexes.PER_COLUMN;
        if (metadataIndexes == MetadataIndexes.TENANT_LEADING && tenantField == null) {
            throw new IllegalArgumentException("TENANT_LEADING indexes need a tenant field (Builder.tenantField)");
        }
    }

    /** A layout with columns {@code id text}, {@code text text}, {@code embedding vector(n)} and one per field. */
    public static Builder builder(String schemaName, String tableName, MetadataSchema metadataSchema, int dimension) {
        return new Builder(schemaName, tableName, metadataSchema, dimension);
    }

    /**
     * The table an Amazon Bedrock knowledge base syncs into on Aurora PostgreSQL, as AWS's setup guide creates it:
     * {@code bedrock_integration.bedrock_kb (id uuid PRIMARY KEY, embedding vector(n), chunks text, metadata json)}
     * plus one column per filterable metadata attribute, named like the attribute, with 32-bit {@code integer}
     * columns for LONG fields (as in AWS's examples). Ids must then be UUIDs. Where the schema allows undeclared
     * attributes, they live in the {@code jsonb} column Bedrock's field mapping calls {@code customMetadataField}
     * ({@code custom_metadata} in the guide). Override single columns on the returned builder, e.g. where the DDL left
     * a camelCase attribute unquoted and PostgreSQL folded it to lower case.
     */
    public static Builder bedrockKnowledgeBase(MetadataSchema metadataSchema, int dimension) {
        return bedrockKnowledgeBase("bedrock_integration", "bedrock_kb", metadataSchema, dimension);
    }

    /** The Bedrock knowledge-base layout in a table of another name (the knowledge base names its table). */
    public static Builder bedrockKnowledgeBase(String schemaName, String tableName, MetadataSchema metadataSchema,
                                               int dimension) {
        Builder b = builder(schemaName, tableName, metadataSchema, dimension)
                .idColumn("id", IdType.UUID)
                .textColumn("chunks")
                .embeddingColumn("embedding")
                .metadataJsonColumn("metadata");
        if (metadataSchema.allowsUndeclared()) {
            b.documentColumn("custom_metadata", DocumentType.JSONB);
        }
        for (FieldSpec spec : metadataSchema.fields()) {
            if (spec.type() == FieldType.LONG) {
                b.column(spec.name(), spec.name(), ColumnType.INTEGER);
            }
        }
        return b;
    }

    /**
     * The table Spring AI 1.1's {@code PgVectorStore} creates: {@code public.vector_store (id uuid, content text,
     * metadata json, embedding vector(n))}, every metadata field in the {@code json} column. Opened as it is; its
     * GIN index on {@code (metadata::jsonb)} exists only once {@link PgvectorSchemaManager#createDocumentIndex}
     * is called.
     */
    public static Builder springAi(String schemaName, String tableName, MetadataSchema metadataSchema, int dimension) {
        return builder(schemaName, tableName, metadataSchema, dimension)
                .idColumn("id", IdType.UUID)
                .textColumn("content")
                .embeddingColumn("embedding")
                .documentColumn("metadata", DocumentType.JSON)
                .declaredFieldsInDocument();
    }

    /**
     * The table LangChain4j 1.11's {@code PgVectorEmbeddingStore} creates by default: {@code (embedding_id uuid,
     * embedding vector(n), text text, metadata json)}, every metadata field in the {@code json} column (pass
     * {@link DocumentType#JSONB} where the store was configured with {@code COMBINED_JSONB}), numbers written as
     * JSON strings as LangChain4j writes them.
     */
    public static Builder langChain4j(String schemaName, String tableName, MetadataSchema metadataSchema, int dimension,
                                      DocumentType metadataType) {
        return builder(schemaName, tableName, metadataSchema, dimension)
                .idColumn("embedding_id", IdType.UUID)
                .textColumn("text")
                .embeddingColumn("embedding")
                .documentColumn("metadata", metadataType)
                .declaredFieldsInDocument()
                .numbersAsText();
    }

    public String schemaName() {
        return schemaName;
    }

    /** The field every search of a tenant filters on, if the builder named one. */
    public Optional<String> tenantField() {
        return Optional.ofNullable(tenantField);
    }

    /** Which B-tree indexes the schema manager creates on the metadata columns. */
    public MetadataIndexes metadataIndexes() {
        return metadataIndexes;
    }

    public String tableName() {
        return tableName;
    }

    /** {@code "schema"."table"}, quoted. */
    public String qualifiedTable() {
        return quote(schemaName) + "." + quote(tableName);
    }

    public String idColumn() {
        return idColumn;
    }

    public IdType idType() {
        return idType;
    }

    public String textColumn() {
        return textColumn;
    }

    public String embeddingColumn() {
        return embeddingColumn;
    }

    /** The {@code json} column that also receives the metadata as one object, if the table has one. */
    public Optional<String> metadataJsonColumn() {
        return Optional.ofNullable(metadataJsonColumn);
    }

    /**
     * The {@code jsonb} column holding each record's undeclared fields, present when the schema allows them. A filter
     * on such a field reads it with a GIN index: {@code @>} for equality, {@code ?} for presence.
     */
    public Optional<String> documentColumn() {
        return Optional.ofNullable(documentColumn);
    }

    /** The SQL type of the document column. */
    public DocumentType documentType() {
        return documentType;
    }

    /** The document as {@code jsonb} in SQL, its column prefixed with {@code qualifier} (a table alias, or empty). */
    String documentSql(String qualifier) {
        String column = qualifier + quote(documentColumn);
        return documentType == DocumentType.JSONB ? column : "(" + column + "::jsonb)";
    }

    /** Whether declared fields live in the document rather than in columns of their own. */
    public boolean declaredFieldsInDocument() {
        return declaredInDocument;
    }

    /** Whether the document holds declared numbers as JSON strings ({@code "2023"}), as LangChain4j writes them. */
    public boolean numbersAsText() {
        return numbersAsText;
    }

    /** Whether a field has a column of its own; one that has none lives in the document. */
    public boolean hasColumn(String field) {
        return columns.containsKey(field);
    }

    public int dimension() {
        return dimension;
    }

    public MetadataSchema metadataSchema() {
        return metadataSchema;
    }

    /** Metadata columns in the schema's field order. */
    public Collection<MetadataColumn> columns() {
        return columns.values();
    }

    /** The column of a declared field. */
    public MetadataColumn column(String field) {
        MetadataColumn c = columns.get(field);
        if (c == null) {
            throw new IllegalArgumentException("field '" + field + "' is not declared in the layout's schema");
        }
        return c;
    }

    /**
     * This layout with one more declared field, in a column of its default type named like the field: what a schema
     * change ({@link PgvectorSchemaManager#addField}, {@link PgvectorSchemaManager#promoteField}) leaves behind.
     */
    public PgvectorTableLayout withField(FieldSpec spec) {
        Builder b = new Builder(schemaName, tableName, metadataSchema.withField(spec), dimension)
                .idColumn(idColumn, idType)
                .textColumn(textColumn)
                .embeddingColumn(embeddingColumn);
        if (metadataJsonColumn != null) {
            b.metadataJsonColumn(metadataJsonColumn);
        }
        if (documentColumn != null) {
            b.documentColumn(documentColumn, documentType);
        }
        if (declaredInDocument) {
            b.declaredFieldsInDocument();
        }
        if (numbersAsText) {
            b.numbersAsText();
        }
        columns.values().forEach(c -> b.column(c.field().name(), c.name(), c.type()));
        if (tenantField != null) {
            b.tenantField(tenantField);
        }
        return b.metadataIndexes(metadataIndexes).build();
    }

    /** A PostgreSQL quoted identifier: double quotes, inner double quotes doubled. */
    public static String quote(String identifier) {
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }

    @Override
    public String toString() {
        return "PgvectorTableLayout[" + qualifiedTable() + ", dimension " + dimension + ", columns "
                + columns.values().stream().map(c -> c.sqlName() + " " + c.type().sql()).toList() + "]";
    }

    private static String checkIdentifier(String name, String what) {
        String problem = identifierProblem(name);
        if (problem != null) {
            throw new IllegalArgumentException(what + ": " + problem);
        }
        return name;
    }

    /** A schema or table name, which users choose: an {@link InvalidStoreNameException} when PostgreSQL cannot take it. */
    private static String checkStoreName(String name, String what) {
        String problem = identifierProblem(name);
        if (problem != null) {
            throw new InvalidStoreNameException(name == null ? "" : name, "not a valid PostgreSQL " + what + " name: "
                    + problem);
        }
        return name;
    }

    /** Why PostgreSQL cannot take this as an identifier, or null when it can. */
    private static String identifierProblem(String name) {
        if (name == null || name.isEmpty()) {
            return "an identifier cannot be empty";
        }
        if (name.indexOf('\0') >= 0) {
            return "an identifier cannot contain NUL";
        }
        if (name.getBytes(StandardCharsets.UTF_8).length > MAX_IDENTIFIER_BYTES) {
            return "'" + name + "' is longer than PostgreSQL's " + MAX_IDENTIFIER_BYTES + "-byte identifier limit";
        }
        return null;
    }

    private record ColumnOverride(String name, ColumnType type) {
    }

    public static final class Builder {
        private final String schemaName;
        private final String tableName;
        private final MetadataSchema metadataSchema;
        private final int dimension;
        private final Map<String, ColumnOverride> overrides = new LinkedHashMap<>();
        private String idColumn = "id";
        private IdType idType = IdType.TEXT;
        private String textColumn = "text";
        private String embeddingColumn = "embedding";
        private String metadataJsonColumn;
        private String documentColumn;
        private DocumentType documentType = DocumentType.JSONB;
        private boolean declaredInDocument;
        private boolean numbersAsText;
        private String tenantField;
        private MetadataIndexes metadataIndexes;

        private Builder(String schemaName, String tableName, MetadataSchema metadataSchema, int dimension) {
            this.schemaName = checkStoreName(schemaName, "schema");
            this.tableName = checkStoreName(tableName, "table");
            this.metadataSchema = Objects.requireNonNull(metadataSchema, "metadataSchema");
            if (dimension < 1 || dimension > 16_000) {
                throw new IllegalArgumentException("a pgvector vector has 1 to 16,000 dimensions, not " + dimension);
            }
            this.dimension = dimension;
        }

        public Builder idColumn(String name, IdType type) {
            this.idColumn = checkIdentifier(name, "id column");
            this.idType = Objects.requireNonNull(type, "type");
            return this;
        }

        public Builder textColumn(String name) {
            this.textColumn = checkIdentifier(name, "text column");
            return this;
        }

        public Builder embeddingColumn(String name) {
            this.embeddingColumn = checkIdentifier(name, "embedding column");
            return this;
        }

        /** Also write the metadata as one {@code json} object into this column (reads use the typed columns). */
        public Builder metadataJsonColumn(String name) {
            this.metadataJsonColumn = checkIdentifier(name, "metadata json column");
            return this;
        }

        /**
         * The {@code jsonb} column for undeclared fields (default {@value PgvectorTableLayout#DEFAULT_DOCUMENT_COLUMN}); only for a
         * schema that allows them.
         */
        public Builder documentColumn(String name) {
            return documentColumn(name, DocumentType.JSONB);
        }

        /** The document column, of a type a table created by another tool may have. */
        public Builder documentColumn(String name, DocumentType type) {
            this.documentColumn = checkIdentifier(name, "document column");
            this.documentType = Objects.requireNonNull(type, "type");
            return this;
        }

        /**
         * Declared fields too live in the document, not in columns of their own: tables that keep all metadata in
         * one JSON column (Spring AI's, LangChain4j's). Filters on them stay typed by the schema.
         */
        public Builder declaredFieldsInDocument() {
            this.declaredInDocument = true;
            return this;
        }

        /**
         * The document holds declared LONG and DOUBLE values as JSON strings of their digits ({@code "2023"}), as
         * LangChain4j's {@code PgVectorEmbeddingStore} writes them: Portafilter reads, compares (numerically, never as
         * text) and writes them so. Needs {@link #declaredFieldsInDocument()} and a schema of declared fields only.
         */
        public Builder numbersAsText() {
            this.numbersAsText = true;
            return this;
        }

        /** Puts a declared field in a column of another name or type. */
        public Builder column(String field, String columnName, ColumnType type) {
            if (metadataSchema.field(field).isEmpty()) {
                throw new IllegalArgumentException("field '" + field + "' is not declared in the schema");
            }
            overrides.put(field, new ColumnOverride(columnName, Objects.requireNonNull(type, "type")));
            return this;
        }

        /**
         * The field that every search of a tenant filters on with {@code $eq} (a declared field in a scalar column):
         * the schema manager then leads every metadata B-tree with it ({@link MetadataIndexes#TENANT_LEADING}), so
         * that a tenant filter combined with another field reads one composite index instead of combining the
         * tenant's index with the other field's.
         */
        public Builder tenantField(String field) {
            this.tenantField = Objects.requireNonNull(field, "field");
            return this;
        }

        /**
         * Which B-tree indexes the schema manager creates: by default {@link MetadataIndexes#TENANT_LEADING} with a
         * {@linkplain #tenantField tenant field}, {@link MetadataIndexes#PER_COLUMN} without.
         */
        public Builder metadataIndexes(MetadataIndexes indexes) {
            this.metadataIndexes = Objects.requireNonNull(indexes, "indexes");
            return this;
        }

        public PgvectorTableLayout build() {
            PgvectorTableLayout layout = new PgvectorTableLayout(this);
            Set<String> names = new HashSet<>();
            for (String fixed : new String[] {idColumn, textColumn, embeddingColumn, metadataJsonColumn,
                    layout.documentColumn}) {
                if (fixed != null && !names.add(fixed)) {
                    throw new IllegalArgumentException("column '" + fixed + "' is used twice in the layout");
                }
            }
            for (MetadataColumn c : layout.columns()) {
                if (!names.add(c.name())) {
                    throw new InvalidSchemaException(c.field().name(), "its column '" + c.name()
                            + "' is used twice in the table (the id, text and embedding columns are '" + idColumn
                            + "', '" + textColumn + "' and '" + embeddingColumn + "')");
                }
            }
            return layout;
        }
    }
}
