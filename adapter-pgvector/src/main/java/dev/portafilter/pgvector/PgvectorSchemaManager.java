package dev.portafilter.pgvector;

import dev.portafilter.core.StoreException;
import dev.portafilter.core.metadata.FieldType;
import dev.portafilter.pgvector.PgvectorTableLayout.ColumnType;
import dev.portafilter.pgvector.PgvectorTableLayout.MetadataColumn;

import javax.sql.DataSource;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * DDL for a layout: the table, its indexes and an optional row-level-security policy. Every statement is
 * idempotent ({@code IF NOT EXISTS}), and each call runs in one transaction.
 *
 * <p>Indexes: HNSW with cosine distance on the embedding, B-tree on every scalar metadata column (the tenant
 * column among them: a selective tenant is then answered exactly from the B-tree, or the planner has statistics
 * to choose well), GIN on {@code text[]} columns for {@code @>} and {@code &&}. pgvector's HNSW indexes
 * {@code vector} columns of up to 2,000 dimensions; iterative index scans need pgvector 0.8 or later.
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
        layout.documentColumn().ifPresent(c -> columns.add(PgvectorTableLayout.quote(c)
                + " jsonb NOT NULL DEFAULT '{}'"));
        return "CREATE TABLE IF NOT EXISTS " + layout.qualifiedTable() + " (" + String.join(", ", columns) + ")";
    }

    static List<String> metadataIndexSql(PgvectorTableLayout layout) {
        List<String> out = new ArrayList<>();
        for (MetadataColumn c : layout.columns()) {
            out.add("CREATE INDEX IF NOT EXISTS " + PgvectorTableLayout.quote(indexName(layout, c.name()))
                    + " ON " + layout.qualifiedTable() + (c.type().isScalar() ? "" : " USING gin")
                    + " (" + c.sqlName() + ")");
        }
        // jsonb_ops: @> for equality and ? for presence, on any key
        layout.documentColumn().ifPresent(c -> out.add("CREATE INDEX IF NOT EXISTS "
                + PgvectorTableLayout.quote(indexName(layout, c)) + " ON " + layout.qualifiedTable() + " USING gin ("
                + PgvectorTableLayout.quote(c) + ")"));
        return out;
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
