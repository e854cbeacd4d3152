package dev.portafilter.pgvector;

import dev.portafilter.core.InvalidSchemaException;
import dev.portafilter.core.StoreException;
import dev.portafilter.core.metadata.FieldSpec;
import dev.portafilter.core.metadata.FieldType;
import dev.portafilter.pgvector.PgvectorTableLayout.ColumnType;
import dev.portafilter.pgvector.PgvectorTableLayout.MetadataIndexes;
import dev.portafilter.pgvector.PgvectorTableLayout.MetadataColumn;

import javax.sql.DataSource;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * DDL for a layout: the table, its indexes and an optional row-level-security policy. Every statement is
 * idempotent ({@code IF NOT EXISTS}), and each call runs in one transaction.
 *
 * <p>Indexes: HNSW with cosine distance on the embedding; B-trees on the scalar metadata columns as the layout's
 * {@link MetadataIndexes} say: with a {@linkplain PgvectorTableLayout.Builder#tenantField tenant field}
 * {@code (tenant, column)} for every other scalar column, so that a selective tenant, alone or combined with
 * another field, is answered exactly from one index; without one a B-tree per column. The planner's statistics are
 * the columns' own, whichever indexes exist. GIN on {@code text[]} columns for {@code @>} and {@code &&}.
 * pgvector's HNSW indexes {@code vector} columns of up to 2,000 dimensions; iterative index scans need pgvector 0.8
 * or later.
 */
public final class PgvectorSchemaManager {
    /** The setting that the row-level-security policy compares the tenant column with. */
    public static final String TENANT_SETTING = "portafilter.tenant";
    static final String TENANT_POLICY = "portafilter_tenant_isolation";
    private static final int MAX_IDENTIFIER_BYTES = 63;

    private PgvectorSchemaManager() {
    }

    /** Creates the schema, the table, the metadata indexes and the HNSW index. */
    public static void createTable(DataSource dataSource, PgvectorTableLayout layout) {
        requireDistinctIndexNames(layout);
        List<String> ddl = new ArrayList<>();
        ddl.add("CREATE EXTENSION IF NOT EXISTS vector");
        ddl.add("CREATE SCHEMA IF NOT EXISTS " + PgvectorTableLayout.quote(layout.schemaName()));
        ddl.add(createTableSql(layout));
        ddl.addAll(metadataIndexSql(layout));
        ddl.add(vectorIndexSql(layout));
        execute(dataSource, ddl);
    }

    /**
     * Creates the HNSW index if it is missing: after a bulk load into a table created without it, building it
     * once is about ten times faster than maintaining it row by row.
     */
    public static void createVectorIndex(DataSource dataSource, PgvectorTableLayout layout) {
        execute(dataSource, List.of(vectorIndexSql(layout)));
    }

    /** Drops the HNSW index, e.g. before a large load into an existing table. */
    public static void dropVectorIndex(DataSource dataSource, PgvectorTableLayout layout) {
        execute(dataSource, List.of(dropVectorIndexSql(layout)));
    }

    /**
     * Turns on row-level security: a row is visible and writable only while the setting
     * {@value #TENANT_SETTING} equals its tenant column. {@code FORCE} makes the policy bind the table owner too;
     * superusers and roles with BYPASSRLS still bypass it, so the application must connect as an ordinary role.
     * Without the setting no row is visible. Use it with {@link PgvectorStore.Builder#rowLevelSecurity(String)}.
     */
    public static void enableRowLevelSecurity(DataSource dataSource, PgvectorTableLayout layout, String tenantField) {
        MetadataColumn tenant = layout.column(tenantField);
        if (tenant.type() != ColumnType.TEXT || tenant.field().type() != FieldType.STRING) {
            throw new IllegalArgumentException("the tenant field '" + tenantField + "' must be a STRING in a text column");
        }
        String table = layout.qualifiedTable();
        String policy = PgvectorTableLayout.quote(TENANT_POLICY);
        execute(dataSource, List.of(
                "ALTER TABLE " + table + " ENABLE ROW LEVEL SECURITY",
                "ALTER TABLE " + table + " FORCE ROW LEVEL SECURITY",
                "DROP POLICY IF EXISTS " + policy + " ON " + table,
                // NULLIF: after a transaction the setting reverts to '' rather than vanishing; '' is no tenant
                "CREATE POLICY " + policy + " ON " + table + " USING (" + tenant.sqlName()
                        + " = NULLIF(current_setting('" + TENANT_SETTING + "', true), ''))"));
    }

    /**
     * Declares a new field on a live table: adds its column (NULL in the rows already there) and its index (as the
     * layout's {@link MetadataIndexes} say), built {@code CONCURRENTLY} so that writes go on meanwhile, and returns
     * the layout that reads and writes it. A required field can be added only to an empty table; a field that rows
     * already hold as an undeclared field must be promoted ({@link #promoteField}) so that their values are kept. Each refusal is an
     * {@link InvalidSchemaException} naming the field, and changes nothing. Stores on the old layout keep working
     * (they do not see the field); build new ones on the returned layout.
     */
    public static PgvectorTableLayout addField(DataSource dataSource, PgvectorTableLayout layout, FieldSpec spec) {
        requireColumns(layout, spec);
        PgvectorTableLayout grown = layout.withField(spec);
        requireDistinctIndexNames(grown);
        MetadataColumn column = grown.column(spec.name());
        String table = layout.qualifiedTable();
        if (spec.required() && firstId(dataSource, "SELECT " + id(layout) + " FROM " + table + " LIMIT 1") != null) {
            throw new InvalidSchemaException(spec.name(), "a required field can be added only to an empty table: add "
                    + "it as optional, or promote it once every record holds it");
        }
        if (layout.documentColumn().isPresent()) {
            String holder = firstId(dataSource, "SELECT " + id(layout) + " FROM " + table + " WHERE "
                    + document(layout) + " ?? ? LIMIT 1", spec.name());
            if (holder != null) {
                throw new InvalidSchemaException(spec.name(), "record '" + holder + "' already holds it as an "
                        + "undeclared field: promote it (promoteField) to keep the values");
            }
        }
        execute(dataSource, List.of("ALTER TABLE " + table + " ADD COLUMN IF NOT EXISTS " + column.sqlName() + " "
                + column.type().sql() + (spec.required() ? " NOT NULL" : "")));
        indexSql(grown, column, true).ifPresent(index -> executeOutsideTransaction(dataSource, index.sql()));
        return grown;
    }

    /**
     * Turns an undeclared field into a declared one with a typed column, without a reload and without a pause in
     * the answers:
     * <ol>
     *   <li>every value the documents hold for it is checked against the type (and, for a required field, that every
     *   row holds one); a mismatch is an {@link InvalidSchemaException} naming a record, and nothing changes;</li>
     *   <li>the column is added (NULL everywhere), then filled from the documents {@code batchSize} rows at a time,
     *   each batch its own transaction, so writers and searches are never blocked for long;</li>
     *   <li>its index (as the layout's {@link MetadataIndexes} say) is built {@code CONCURRENTLY}.</li>
     * </ol>
     * The documents keep the values, so stores on the old layout answer exactly as before throughout. Switch the
     * stores to the returned layout, then call this again with the old layout: it fills in what old stores wrote in
     * between (every step is idempotent) and returns the same layout.
     */
    public static PgvectorTableLayout promoteField(DataSource dataSource, PgvectorTableLayout layout, FieldSpec spec,
                                                   int batchSize) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be positive, was " + batchSize);
        }
        if (layout.documentColumn().isEmpty()) {
            throw new InvalidSchemaException(spec.name(), "the layout has no document of undeclared fields to "
                    + "promote it from; use addField");
        }
        requireColumns(layout, spec);
        PgvectorTableLayout grown = layout.withField(spec);
        requireDistinctIndexNames(grown);
        MetadataColumn column = grown.column(spec.name());
        String table = layout.qualifiedTable();
        String doc = document(layout);
        String key = spec.name();
        String misfit = firstId(dataSource, "SELECT " + id(layout) + " FROM " + table + ", LATERAL (SELECT " + doc
                + " -> ?::text AS v) x WHERE v IS NOT NULL AND " + misfitSql(spec.type()) + " LIMIT 1", key);
        if (misfit != null) {
            throw new InvalidSchemaException(key, "record '" + misfit + "' holds a value that is not a " + spec.type()
                    + "; nothing was changed");
        }
        if (spec.required()) {
            String without = firstId(dataSource, "SELECT " + id(layout) + " FROM " + table + " WHERE NOT (" + doc
                    + " ?? ?) LIMIT 1", key);
            if (without != null) {
                throw new InvalidSchemaException(key, "record '" + without + "' does not hold it, and a required "
                        + "field must be on every record; nothing was changed");
            }
        }
        execute(dataSource, List.of("ALTER TABLE " + table + " ADD COLUMN IF NOT EXISTS " + column.sqlName() + " "
                + column.type().sql()));
        String fill = "UPDATE " + table + " t SET " + column.sqlName() + " = " + valueSql(spec.type()) + " FROM "
                + "(SELECT " + id(layout) + " AS id, " + doc + " -> ?::text AS v FROM " + table + " WHERE " + doc
                + " ?? ? AND " + column.sqlName() + " IS NULL LIMIT ?) x WHERE t." + id(layout) + " = x.id";
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(fill)) {
            c.setAutoCommit(true);
            int updated;
            do {
                ps.setString(1, key);
                ps.setString(2, key);
                ps.setInt(3, batchSize);
                updated = ps.executeUpdate();
            } while (updated > 0);
        } catch (SQLException e) {
            throw new StoreException("promoting '" + key + "' failed while filling its column: " + e.getMessage(), e);
        }
        if (spec.required()) {
            execute(dataSource, List.of("ALTER TABLE " + table + " ALTER COLUMN " + column.sqlName() + " SET NOT NULL"));
        }
        indexSql(grown, column, true).ifPresent(index -> executeOutsideTransaction(dataSource, index.sql()));
        return grown;
    }

    /** Schema changes add columns: a table whose declared fields all live in its JSON column has none to add. */
    private static void requireColumns(PgvectorTableLayout layout, FieldSpec spec) {
        if (layout.declaredFieldsInDocument()) {
            throw new InvalidSchemaException(spec.name(), "every field of " + layout.qualifiedTable() + " lives in its "
                    + "JSON column, so declaring one changes only the schema: no column is added");
        }
    }

    /** True where {@code v}, a document's value for the field, does not fit the type. */
    private static String misfitSql(FieldType type) {
        return switch (type) {
            case STRING -> "jsonb_typeof(v) <> 'string'";
            case BOOLEAN -> "jsonb_typeof(v) <> 'boolean'";
            case DOUBLE -> "jsonb_typeof(v) <> 'number'";
            // an integral number within bigint; the CASE keeps the casts away from other kinds
            case LONG -> "CASE WHEN jsonb_typeof(v) = 'number' THEN v::numeric % 1 <> 0 OR v::numeric NOT BETWEEN "
                    + Long.MIN_VALUE + " AND " + Long.MAX_VALUE + " ELSE true END";
            case STRING_LIST -> "CASE WHEN jsonb_typeof(v) = 'array' "
                    + "THEN jsonb_path_exists(v, '$[*] ? (@.type() != \"string\")') ELSE true END";
        };
    }

    /** {@code v}, a document's value for the field, as the column's type. */
    private static String valueSql(FieldType type) {
        return switch (type) {
            case STRING -> "v #>> '{}'";
            case LONG -> "v::numeric::bigint";
            case DOUBLE -> "v::numeric::double precision";
            case BOOLEAN -> "v::boolean";
            case STRING_LIST -> "ARRAY(SELECT jsonb_array_elements_text(v))";
        };
    }

    /** The first column of the first row, or null when there is none. */
    private static String firstId(DataSource dataSource, String sql, String... params) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setString(i + 1, params[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        } catch (SQLException e) {
            throw new StoreException("pgvector schema check failed: " + e.getMessage(), e);
        }
    }

    private static String id(PgvectorTableLayout layout) {
        return PgvectorTableLayout.quote(layout.idColumn());
    }

    private static String document(PgvectorTableLayout layout) {
        return layout.documentSql("");
    }

    /** {@code CREATE INDEX CONCURRENTLY} cannot run inside a transaction block. */
    private static void executeOutsideTransaction(DataSource dataSource, String sql) {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            c.setAutoCommit(true);
            s.execute(sql);
        } catch (SQLException e) {
            throw new StoreException("pgvector DDL failed: " + e.getMessage(), e);
        }
    }

    /** Drops the table and its indexes and policies. */
    public static void dropTable(DataSource dataSource, PgvectorTableLayout layout) {
        execute(dataSource, List.of("DROP TABLE IF EXISTS " + layout.qualifiedTable()));
    }

    static String createTableSql(PgvectorTableLayout layout) {
        List<String> columns = new ArrayList<>();
        columns.add(PgvectorTableLayout.quote(layout.idColumn()) + " " + layout.idType().sql() + " PRIMARY KEY");
        columns.add(PgvectorTableLayout.quote(layout.textColumn()) + " text");
        columns.add(PgvectorTableLayout.quote(layout.embeddingColumn()) + " vector(" + layout.dimension() + ") NOT NULL");
        layout.metadataJsonColumn().ifPresent(c -> columns.add(PgvectorTableLayout.quote(c) + " json"));
        for (MetadataColumn c : layout.columns()) {
            columns.add(c.sqlName() + " " + c.type().sql() + (c.field().required() ? " NOT NULL" : ""));
        }
        layout.documentColumn().ifPresent(c -> columns.add(PgvectorTableLayout.quote(c) + " "
                + layout.documentType().sql() + " NOT NULL DEFAULT '{}'"));
        return "CREATE TABLE IF NOT EXISTS " + layout.qualifiedTable() + " (" + String.join(", ", columns) + ")";
    }

    static List<String> metadataIndexSql(PgvectorTableLayout layout) {
        List<String> out = new ArrayList<>();
        for (MetadataColumn c : layout.columns()) {
            indexSql(layout, c, false).ifPresent(index -> out.add(index.sql()));
        }
        layout.documentColumn().ifPresent(c -> out.add(documentIndexSql(layout, false)));
        return out;
    }

    /**
     * Builds the GIN index that serves filters on the document column ({@code jsonb_ops}: {@code @?} for equality,
     * {@code ?} for presence), {@code CONCURRENTLY}, if it is missing: on the column, or on {@code (column::jsonb)}
     * for a {@code json} column. Portafilter's own tables get it with the table; a table another tool created gets it
     * only through this explicit call.
     */
    public static void createDocumentIndex(DataSource dataSource, PgvectorTableLayout layout) {
        if (layout.documentColumn().isEmpty()) {
            throw new IllegalArgumentException("the layout has no document column");
        }
        executeOutsideTransaction(dataSource, documentIndexSql(layout, true));
    }

    /** Whether a GIN index on the document column (or on its {@code ::jsonb} cast) exists. */
    static boolean hasDocumentIndex(DataSource dataSource, PgvectorTableLayout layout) {
        return firstId(dataSource, "SELECT indexname FROM pg_indexes WHERE schemaname = ? AND tablename = ? "
                        + "AND indexdef LIKE '%USING gin%' AND position(? IN indexdef) > 0 LIMIT 1",
                layout.schemaName(), layout.tableName(), layout.documentColumn().orElseThrow()) != null;
    }

    private static String documentIndexSql(PgvectorTableLayout layout, boolean concurrently) {
        return "CREATE INDEX " + (concurrently ? "CONCURRENTLY " : "") + "IF NOT EXISTS "
                + PgvectorTableLayout.quote(indexName(layout, layout.documentColumn().orElseThrow()))
                + " ON " + layout.qualifiedTable() + " USING gin (" + layout.documentSql("") + ")";
    }

    /** A metadata column's index: its name (unique within the table's schema) and its DDL. */
    private record Index(String name, String sql) {
    }

    /**
     * A metadata column's index, as the layout's {@link MetadataIndexes} say: GIN for {@code text[]}; for a scalar a
     * B-tree of its own ({@code PER_COLUMN}), or led by the tenant column ({@code TENANT_LEADING}: none of the tenant's
     * own while another scalar column's index leads with it), or none ({@code NONE}).
     */
    private static Optional<Index> indexSql(PgvectorTableLayout layout, MetadataColumn c, boolean concurrently) {
        String create = "CREATE INDEX " + (concurrently ? "CONCURRENTLY " : "") + "IF NOT EXISTS ";
        String ownName = indexName(layout, c.name());
        String own = create + PgvectorTableLayout.quote(ownName) + " ON " + layout.qualifiedTable();
        if (!c.type().isScalar()) {
            return Optional.of(new Index(ownName, own + " USING gin (" + c.sqlName() + ")"));
        }
        return switch (layout.metadataIndexes()) {
            case NONE -> Optional.empty();
            case PER_COLUMN -> Optional.of(new Index(ownName, own + " (" + c.sqlName() + ")"));
            case TENANT_LEADING -> {
                MetadataColumn tenant = layout.column(layout.tenantField().orElseThrow());
                if (!c.equals(tenant)) {
                    String name = indexName(layout, tenant.name() + "_" + c.name());
                    yield Optional.of(new Index(name, create + PgvectorTableLayout.quote(name) + " ON "
                            + layout.qualifiedTable() + " (" + tenant.sqlName() + ", " + c.sqlName() + ")"));
                }
                boolean led = layout.columns().stream().anyMatch(o -> o.type().isScalar() && !o.equals(tenant));
                yield led ? Optional.empty() : Optional.of(new Index(ownName, own + " (" + c.sqlName() + ")"));
            }
        };
    }

    /**
     * Refuses a layout two of whose indexes would get one name (a column named {@code customer_year} beside the
     * composite of {@code customer} and {@code year}): {@code IF NOT EXISTS} would silently skip the second.
     */
    private static void requireDistinctIndexNames(PgvectorTableLayout layout) {
        Map<String, String> owners = new HashMap<>();
        owners.put(vectorIndexName(layout), layout.embeddingColumn());
        layout.documentColumn().ifPresent(d -> owners.put(indexName(layout, d), d));
        for (MetadataColumn c : layout.columns()) {
            Optional<Index> index = indexSql(layout, c, false);
            if (index.isPresent()) {
                String other = owners.putIfAbsent(index.get().name(), c.field().name());
                if (other != null) {
                    throw new InvalidSchemaException(c.field().name(), "its index would be named "
                            + index.get().name() + ", as the index for '" + other + "' is: rename one of the columns, or "
                            + "choose another MetadataIndexes");
                }
            }
        }
    }

    static String vectorIndexSql(PgvectorTableLayout layout) {
        return "CREATE INDEX IF NOT EXISTS " + PgvectorTableLayout.quote(vectorIndexName(layout)) + " ON "
                + layout.qualifiedTable() + " USING hnsw (" + PgvectorTableLayout.quote(layout.embeddingColumn())
                + " vector_cosine_ops)";
    }

    static String dropVectorIndexSql(PgvectorTableLayout layout) {
        return "DROP INDEX IF EXISTS " + PgvectorTableLayout.quote(layout.schemaName()) + "."
                + PgvectorTableLayout.quote(vectorIndexName(layout));
    }

    static String vectorIndexName(PgvectorTableLayout layout) {
        return indexName(layout, layout.embeddingColumn() + "_hnsw");
    }

    /** {@code <table>_<what>_idx}, or a hashed name when that would exceed PostgreSQL's identifier length. */
    private static String indexName(PgvectorTableLayout layout, String what) {
        String name = layout.tableName() + "_" + what + "_idx";
        if (name.getBytes(StandardCharsets.UTF_8).length <= MAX_IDENTIFIER_BYTES) {
            return name;
        }
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256")
                    .digest((layout.tableName() + "\0" + what).getBytes(StandardCharsets.UTF_8));
            return "pf_" + HexFormat.of().formatHex(hash, 0, 12) + "_idx";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always available", e);
        }
    }

    private static void execute(DataSource dataSource, List<String> statements) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                for (String sql : statements) {
                    s.execute(sql);
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new StoreException("pgvector DDL failed: " + e.getMessage(), e);
        }
    }
}
