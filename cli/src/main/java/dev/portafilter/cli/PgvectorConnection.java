package dev.portafilter.cli;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.portafilter.core.metadata.MetadataSchema;
import dev.portafilter.core.store.VectorStore;
import dev.portafilter.pgvector.PgvectorSchemaManager;
import dev.portafilter.pgvector.PgvectorStore;
import dev.portafilter.pgvector.PgvectorTableLayout;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

/** A PostgreSQL + pgvector server; scratch tables are {@code portafilter_scratch.audit_<run>_<n>}. */
final class PgvectorConnection implements BackendConnection {
    private static final String SCHEMA = "portafilter_scratch";

    private final HikariDataSource dataSource;
    private final String run = RunIds.next();
    private final AtomicInteger tables = new AtomicInteger();
    private final String description;

    PgvectorConnection(String jdbcUrl) {
        this(jdbcUrl, false);
    }

    /** With {@code readOnly}, every session is read-only: PostgreSQL refuses any write made through it. */
    PgvectorConnection(String jdbcUrl, boolean readOnly) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(jdbcUrl);
        if (readOnly) {
            config.setReadOnly(true);
            config.setConnectionInitSql("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY");
        }
        config.setMaximumPoolSize(8);
        config.setConnectionTimeout(10_000);
        try {
            // fails at once, with the driver's own reason, on a wrong URL, password or host
            dataSource = new HikariDataSource(config);
        } catch (RuntimeException e) {
            throw unavailable(jdbcUrl, e);
        }
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT current_setting('server_version'), "
                     + "(SELECT extversion FROM pg_extension WHERE extname = 'vector'), inet_server_port(), current_database()")) {
            r.next();
            if (r.getString(2) == null) {
                throw new BackendOptions.BackendUnavailableException("the database " + r.getString(4)
                        + " has no pgvector extension: run CREATE EXTENSION vector", null);
            }
            description = "PostgreSQL " + r.getString(1) + ", pgvector " + r.getString(2) + ", database "
                    + r.getString(4) + " (port " + r.getString(3) + ")";
        } catch (SQLException e) {
            dataSource.close();
            throw unavailable(jdbcUrl, e);
        }
    }

    private static BackendOptions.BackendUnavailableException unavailable(String jdbcUrl, Exception e) {
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return new BackendOptions.BackendUnavailableException("cannot use PostgreSQL at " + redact(jdbcUrl) + ": "
                + root.getMessage(), e);
    }

    @Override
    public String name() {
        return "pgvector";
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public VectorStore newStore(MetadataSchema schema, int dimension) {
        PgvectorTableLayout layout = PgvectorTableLayout.builder(SCHEMA, "audit_" + run + "_" + tables.incrementAndGet(),
                schema, dimension).build();
        PgvectorSchemaManager.createTable(dataSource, layout);
        return PgvectorStore.builder(layout).dataSource(dataSource).build();
    }

    @Override
    public VectorStore openStore(String name, MetadataSchema schema, int dimension, String tenantField) {
        String[] parts = name.contains(".") ? name.split("\\.", 2) : new String[] {"public", name};
        PgvectorTableLayout.Builder builder = PgvectorTableLayout.builder(parts[0], parts[1], schema, dimension);
        if (tenantField != null && schema.field(tenantField).isPresent()) {
            builder.tenantField(tenantField); // a new table's metadata indexes lead with the tenant
        }
        PgvectorTableLayout layout = builder.build();
        PgvectorSchemaManager.createTable(dataSource, layout);
        return PgvectorStore.builder(layout).dataSource(dataSource).build();
    }

    /** A store over a table that exists, as {@link #existingLayout} reads it. */
    PgvectorStore existingStore(String schemaName, String tableName, MetadataSchema schema) {
        return PgvectorStore.builder(existingLayout(schemaName, tableName, schema)).dataSource(dataSource).build();
    }

    /**
     * The layout of a table that exists: its embedding column's own dimension, and, where the table has a document of
     * undeclared fields, a schema that allows them.
     */
    PgvectorTableLayout existingLayout(String schemaName, String tableName, MetadataSchema schema) {
        String table = PgvectorTableLayout.quote(schemaName) + "." + PgvectorTableLayout.quote(tableName);
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT atttypmod, "
                     + "EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass(?) AND attname = ? "
                     + "AND NOT attisdropped) FROM pg_attribute WHERE attrelid = to_regclass(?) AND attname = 'embedding'")) {
            ps.setString(1, table);
            ps.setString(2, PgvectorTableLayout.DEFAULT_DOCUMENT_COLUMN);
            ps.setString(3, table);
            try (ResultSet r = ps.executeQuery()) {
                if (!r.next()) {
                    throw new Inputs.BadInputException("no table " + schemaName + "." + tableName
                            + " with an embedding column in " + describe(), null);
                }
                MetadataSchema tableSchema = schema;
                if (r.getBoolean(2) && !schema.allowsUndeclared()) {
                    MetadataSchema.Builder open = MetadataSchema.builder().allowUndeclared();
                    schema.fields().forEach(open::field);
                    tableSchema = open.build();
                }
                return PgvectorTableLayout.builder(schemaName, tableName, tableSchema, r.getInt(1)).build();
            }
        } catch (SQLException e) {
            throw new BackendOptions.BackendUnavailableException("cannot read " + schemaName + "." + tableName + ": "
                    + e.getMessage(), e);
        }
    }

    DataSource dataSource() {
        return dataSource;
    }

    @Override
    public void dispose(VectorStore store) {
        PgvectorSchemaManager.dropTable(dataSource, ((PgvectorStore) store).layout());
        store.close();
    }

    @Override
    public void close() {
        dataSource.close();
    }

    /** A JDBC URL without its password. */
    static String redact(String jdbcUrl) {
        return jdbcUrl.replaceAll("(?i)(password=)[^&;]*", "$1***");
    }
}
