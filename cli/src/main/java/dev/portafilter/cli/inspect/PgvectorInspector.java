package dev.portafilter.cli.inspect;

import dev.portafilter.core.metadata.FieldType;
import dev.portafilter.core.metadata.MetadataSchema;
import dev.portafilter.core.metadata.StringValue;
import dev.portafilter.core.store.SearchHit;
import dev.portafilter.core.tenant.TenantScope;
import dev.portafilter.pgvector.PgvectorStore;
import dev.portafilter.pgvector.PgvectorTableLayout;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A pgvector table, read through a data source whose sessions are read-only ({@code default_transaction_read_only}),
 * ideally as a role that has only SELECT on it. The tenant is a column, or a key of a {@code json}/{@code jsonb}
 * column as Spring AI and LangChain4j store metadata. Row-level-security findings are about {@code appRole}, the
 * role the application connects as.
 */
public final class PgvectorInspector implements Inspector {
    /** pgvector's default {@code hnsw.ef_search}: how many candidates an HNSW scan visits without iterative scan. */
    private static final int DEFAULT_EF_SEARCH = 40;
    private static final Pattern OPCLASS = Pattern.compile("vector_(l2|ip|cosine|l1)_ops");

    private final DataSource dataSource;
    private final String server;
    private final String schema;
    private final String table;
    private final String qualified;
    private final String tenantField;
    private final String appRole;
    private final Table columns;
    private final String session;
    /** Whether this pgvector has {@code hnsw.iterative_scan} (0.8 and later). */
    private final boolean hasIterativeScan;

    /** The columns the inspection uses; {@code tenantDocument} is set where the tenant is a key of that JSON column. */
    private record Table(String id, String idType, String text, String embedding, int dimension, Column tenant,
                         Column tenantDocument, List<Index> indexes) {
    }

    /** {@code sqlType} is the declared type as SQL ({@code format_type}), which a bound tenant is cast to. */
    private record Column(String name, String type, String sqlType, boolean notNull) {
    }

    private record Index(String name, String method, String definition, String firstColumn) {
    }

    public PgvectorInspector(DataSource dataSource, String server, String schemaAndTable, String tenantField,
                             String appRole) {
        this.dataSource = dataSource;
        this.server = server;
        String[] parts = schemaAndTable.contains(".") ? schemaAndTable.split("\\.", 2) : new String[] {"public",
                schemaAndTable};
        this.schema = parts[0];
        this.table = parts[1];
        this.qualified = PgvectorTableLayout.quote(schema) + "." + PgvectorTableLayout.quote(table);
        this.tenantField = tenantField;
        try (Connection c = dataSource.getConnection()) {
            // loads pgvector's library, which defines the hnsw.* settings read below
            query(c, "SELECT '[1]'::vector", List.of());
            List<Map<String, Object>> who = query(c, "SELECT current_user AS role, "
                    + "current_setting('transaction_read_only') AS read_only", List.of());
            this.appRole = appRole != null ? appRole : (String) who.get(0).get("role");
            this.session = "as role " + who.get(0).get("role") + ", transaction_read_only = "
                    + who.get(0).get("read_only");
            this.columns = readTable(c);
            this.hasIterativeScan = query(c, "SELECT current_setting('hnsw.iterative_scan', true) AS s", List.of())
                    .get(0).get("s") != null;
            if (query(c, "SELECT 1 FROM pg_roles WHERE rolname = ?", List.of(this.appRole)).isEmpty()) {
                throw new InspectionException(InspectionException.Kind.BAD_INPUT, "--app-role " + this.appRole
                        + ": no such role", null);
            }
        } catch (SQLException e) {
            throw failed("read the catalog", e);
        }
    }

    private Table readTable(Connection c) throws SQLException {
        if (query(c, "SELECT to_regclass(?) AS t", List.of(qualified)).get(0).get("t") == null) {
            throw new InspectionException(InspectionException.Kind.BAD_INPUT, "--table " + schema + "." + table
                    + ": no such table (or no USAGE on its schema)", null);
        }
        Map<String, Column> cols = new LinkedHashMap<>();
        int dimension = 0;
        String embedding = null;
        for (Map<String, Object> r : query(c, "SELECT a.attname, t.typname, a.attnotnull, a.atttypmod, "
                + "format_type(a.atttypid, a.atttypmod) AS sqltype "
                + "FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid WHERE a.attrelid = to_regclass(?) "
                + "AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum", List.of(qualified))) {
            Column col = new Column((String) r.get("attname"), (String) r.get("typname"), (String) r.get("sqltype"),
                    (Boolean) r.get("attnotnull"));
            cols.put(col.name(), col);
            if (embedding == null && col.type().equals("vector")) {
                embedding = col.name();
                dimension = (Integer) r.get("atttypmod");
            }
        }
        if (embedding == null || dimension < 1) {
            throw new InspectionException(InspectionException.Kind.BAD_INPUT, schema + "." + table
                    + " has no vector column of a fixed dimension", null);
        }
        List<Map<String, Object>> pk = query(c, "SELECT a.attname FROM pg_index i JOIN pg_attribute a "
                + "ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0] WHERE i.indrelid = to_regclass(?) "
                + "AND i.indisprimary", List.of(qualified));
        String id = pk.isEmpty() ? "id" : (String) pk.get(0).get("attname");
        if (!cols.containsKey(id)) {
            throw new InspectionException(InspectionException.Kind.BAD_INPUT, schema + "." + table
                    + " has no primary key nor an id column", null);
        }
        Column tenant = cols.get(tenantField);
        Column document = null;
        if (tenant == null) {
            for (Column col : cols.values()) {
                if ((col.type().equals("json") || col.type().equals("jsonb")) && !query(c, "SELECT 1 FROM " + qualified
                        + " WHERE (" + PgvectorTableLayout.quote(col.name()) + "::jsonb ->> ?) IS NOT NULL LIMIT 1",
                        List.of(tenantField)).isEmpty()) {
                    document = col;
                    break;
                }
            }
            if (document == null) {
                throw new InspectionException(InspectionException.Kind.BAD_INPUT, "--tenant-field " + tenantField
                        + ": " + schema + "." + table + " has no such column, and no JSON column with that key", null);
            }
        }
        String text = List.of("text", "content", "chunks", "document").stream().filter(cols::containsKey).findFirst()
                .orElseGet(() -> cols.values().stream().filter(col -> col.type().equals("text")
                        && !col.name().equals(id) && !col.name().equals(tenantField)).map(Column::name).findFirst()
                        .orElse(null));
        List<Index> indexes = new ArrayList<>();
        for (Map<String, Object> r : query(c, "SELECT ic.relname, am.amname, pg_get_indexdef(i.indexrelid) AS def, "
                + "a.attname FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_am am ON am.oid = ic.relam "
                + "LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0] "
                + "WHERE i.indrelid = to_regclass(?) ORDER BY 1", List.of(qualified))) {
            indexes.add(new Index((String) r.get("relname"), (String) r.get("amname"), (String) r.get("def"),
                    (String) r.get("attname")));
        }
        return new Table(id, cols.get(id).type(), text, embedding, dimension, tenant, document, List.copyOf(indexes));
    }

    @Override
    public String backend() {
        return "pgvector";
    }

    @Override
    public String describe() {
        return "table " + schema + "." + table + " on " + server;
    }

    @Override
    public String readOnlyEvidence() {
        return "every statement in a read-only transaction (default_transaction_read_only), " + session;
    }

    @Override
    public int dimension() {
        return columns.dimension();
    }

    /**
     * The tenant as SQL: its quoted column, or the key (bound as the next parameter) of the JSON column, read with
     * the column's own {@code ->>} as an expression index on it is written ({@code (metadata ->> 'tenant')}, which
     * LangChain4j's filters use), so that the searches measured below can use such an index.
     */
    private String tenantSql() {
        return columns.tenant() != null ? PgvectorTableLayout.quote(columns.tenant().name())
                : "(" + PgvectorTableLayout.quote(columns.tenantDocument().name()) + " ->> ?)";
    }

    /**
     * A bound tenant value compared with {@link #tenantSql()}: cast to the column's type, as a literal in the
     * application's SQL is, so that a citext or char(n) column compares as it does for them (and a uuid or integer
     * column compares at all: {@code uuid = varchar} has no operator).
     */
    private String tenantValueSql() {
        return columns.tenant() != null ? "CAST(? AS " + columns.tenant().sqlType() + ")" : "?";
    }

    private List<Object> tenantParams() {
        return columns.tenant() != null ? List.of() : List.of(tenantField);
    }

    @Override
    public Census census() {
        Map<String, Long> counts = new TreeMap<>();
        long without = 0;
        try (Connection c = dataSource.getConnection()) {
            for (Map<String, Object> r : query(c, "SELECT " + tenantSql() + "::text AS tenant, count(*) AS n FROM "
                    + qualified + " GROUP BY 1", tenantParams())) {
                String tenant = (String) r.get("tenant");
                long n = (Long) r.get("n");
                if (tenant == null || tenant.isEmpty()) {
                    without += n;
                } else {
                    counts.put(tenant, n);
                }
            }
            if (counts.isEmpty() && without == 0 && ((Number) query(c, "SELECT reltuples FROM pg_class "
                    + "WHERE oid = to_regclass(?)", List.of(qualified)).get(0).get("reltuples")).doubleValue() > 0) {
                throw new InspectionException(InspectionException.Kind.BAD_INPUT, "the role " + session
                        + " sees no rows of " + schema + "." + table + ", which has some: row-level security hides "
                        + "them; inspect as a role with a read policy for every row (USING (true), SELECT only)", null);
            }
        } catch (SQLException e) {
            throw failed("count the tenants", e);
        }
        return new Census(counts, without);
    }

    @Override
    public List<Finding> configuration(Census census, int k) {
        List<Finding> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection()) {
            tenantColumn(out);
            Optional<Index> hnsw = columns.indexes().stream().filter(i -> i.method().equals("hnsw")
                    && columns.embedding().equals(i.firstColumn())).findFirst();
            hnsw.ifPresent(index -> iterativeScan(c, out, index, census, k));
            rowLevelSecurity(c, out);
        } catch (SQLException e) {
            throw failed("read the configuration", e);
        }
        return out;
    }

    private void tenantColumn(List<Finding> out) {
        String t = columns.tenant() != null ? columns.tenant().name() : null;
        if (t == null) {
            String doc = columns.tenantDocument().name();
            boolean indexed = columns.indexes().stream().anyMatch(i -> i.firstColumn() == null
                    && i.definition().contains("'" + tenantField + "'"));
            if (!indexed) {
                out.add(new Finding(Finding.Severity.HIGH, "tenant-in-unindexed-json", "The tenant is the key '"
                        + tenantField + "' of the " + columns.tenantDocument().type() + " column " + doc + ", with no "
                        + "index on it: PostgreSQL has no statistics for it, guesses the same row count for every "
                        + "tenant and walks the vector index, then drops the other tenants' rows, so a small tenant "
                        + "gets almost nothing.",
                        "Move the tenant into a text column of its own, NOT NULL, with a B-tree index."));
            }
            return;
        }
        String type = columns.tenant().type();
        if (type.equals("citext") || type.equals("bpchar")) {
            out.add(new Finding(Finding.Severity.HIGH, "tenant-column-type", "The tenant column " + t + " is "
                    + type + ": its equality " + (type.equals("citext") ? "ignores case" : "ignores trailing spaces")
                    + ", so WHERE " + t + " = 'acme' also returns the rows of another tenant spelled differently.",
                    "ALTER TABLE ... ALTER COLUMN " + t + " TYPE text, after checking that no two tenants collide."));
        } else if (!List.of("text", "varchar", "uuid", "int2", "int4", "int8").contains(type)) {
            out.add(new Finding(Finding.Severity.MEDIUM, "tenant-column-type", "The tenant column " + t + " is "
                    + type + ", which is compared in ways an id is not.", "Make it text (or uuid)."));
        }
        if (!columns.tenant().notNull()) {
            out.add(new Finding(Finding.Severity.MEDIUM, "tenant-column-nullable", "The tenant column " + t
                    + " allows NULL: a row written without a tenant belongs to none, and a search without the filter "
                    + "returns it to every tenant.", "Give every row its tenant, then ALTER TABLE ... ALTER COLUMN "
                    + t + " SET NOT NULL."));
        }
        if (columns.indexes().stream().noneMatch(i -> t.equals(i.firstColumn())
                && (i.method().equals("btree") || i.method().equals("hash")))) {
            out.add(new Finding(Finding.Severity.MEDIUM, "no-tenant-index", "No B-tree or hash index leads with "
                    + t + ": a tenant's exact search reads the whole table, so the planner walks the HNSW index "
                    + "instead and filters what it finds.", "CREATE INDEX ON " + qualified + " (" + PgvectorTableLayout.quote(t) + ")"));
        }
    }

    private void iterativeScan(Connection c, List<Finding> out, Index hnsw, Census census, int k) {
        String scan = setting(c, "hnsw.iterative_scan");
        if (scan != null && !scan.equals("off")) {
            return;
        }
        String ef = setting(c, "hnsw.ef_search");
        int efSearch = ef == null ? DEFAULT_EF_SEARCH : Integer.parseInt(ef);
        long total = census.total();
        census.recordsPerTenant().entrySet().stream().min(Map.Entry.comparingByValue()).ifPresent(smallest -> {
            double share = total == 0 ? 1 : (double) smallest.getValue() / total;
            double expected = Math.min(k, efSearch * share);
            if (expected < k) {
                out.add(new Finding(Finding.Severity.HIGH, "hnsw-without-iterative-scan", String.format(
                        "The HNSW index %s serves the searches of role %s with hnsw.iterative_scan %s and "
                        + "hnsw.ef_search %d. The smallest tenant, %s, holds %.2f%% of the rows: a filtered top-%d "
                        + "search through the index finds about %.1f of its rows among the %d candidates it visits.",
                        hnsw.name(), appRole, scan == null ? "unavailable (pgvector before 0.8)" : "off", efSearch,
                        TenantFindings.quoted(smallest.getKey()), 100 * share, k, expected, efSearch),
                        "ALTER ROLE " + PgvectorTableLayout.quote(appRole) + " SET hnsw.iterative_scan = 'relaxed_order' (pgvector "
                        + "0.8+), or search small tenants exactly through a B-tree on the tenant; TenantScope "
                        + "picks the plan per tenant."));
            }
        });
    }

    /**
     * A setting as the application's role gets it: set for that role (in this database first), for this database,
     * or the server's.
     */
    private String setting(Connection c, String name) {
        try {
            List<Map<String, Object>> r = query(c, "SELECT COALESCE("
                    + "(SELECT split_part(kv, '=', 2) FROM pg_db_role_setting s CROSS JOIN unnest(s.setconfig) kv "
                    + "WHERE s.setrole = (SELECT oid FROM pg_roles WHERE rolname = ?) AND s.setdatabase IN (0, "
                    + "(SELECT oid FROM pg_database WHERE datname = current_database())) AND split_part(kv, '=', 1) = ? "
                    + "ORDER BY s.setdatabase DESC LIMIT 1), "
                    + "(SELECT split_part(kv, '=', 2) FROM pg_db_role_setting s CROSS JOIN unnest(s.setconfig) kv "
                    + "WHERE s.setrole = 0 AND s.setdatabase = (SELECT oid FROM pg_database "
                    + "WHERE datname = current_database()) AND split_part(kv, '=', 1) = ?), "
                    + "(SELECT CASE WHEN source IN ('user', 'database') THEN boot_val ELSE reset_val END "
                    + "FROM pg_settings WHERE name = ?)) AS value", List.of(appRole, name, name, name));
            return (String) r.get(0).get("value");
        } catch (SQLException e) {
            throw failed("read the setting " + name, e);
        }
    }

    private void rowLevelSecurity(Connection c, List<Finding> out) throws SQLException {
        Map<String, Object> r = query(c, "SELECT c.relrowsecurity, c.relforcerowsecurity, "
                + "pg_get_userbyid(c.relowner) AS owner, ro.rolsuper, ro.rolbypassrls, "
                + "pg_has_role(ro.oid, c.relowner, 'USAGE') AS owns FROM pg_class c, pg_roles ro "
                + "WHERE c.oid = to_regclass(?) AND ro.rolname = ?", List.of(qualified, appRole)).get(0);
        if (!(Boolean) r.get("relrowsecurity")) {
            out.add(new Finding(Finding.Severity.MEDIUM, "rls-off", "Row-level security is off on " + schema + "."
                    + table + ": the WHERE clause of every query is the only wall between tenants.",
                    "ALTER TABLE " + qualified + " ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY, and a policy "
                    + "on the tenant column (PgvectorSchemaManager.enableRowLevelSecurity)."));
            return;
        }
        if (!(Boolean) r.get("relforcerowsecurity")) {
            boolean owns = (Boolean) r.get("owns");
            out.add(new Finding(owns ? Finding.Severity.HIGH : Finding.Severity.MEDIUM, "rls-not-forced",
                    "Row-level security is enabled but not forced: the owner " + r.get("owner") + (owns
                    ? ", whose privileges the application's role " + appRole + " has," : "") + " bypasses every "
                    + "policy.", "ALTER TABLE " + qualified + " FORCE ROW LEVEL SECURITY"));
        }
        if ((Boolean) r.get("rolsuper") || (Boolean) r.get("rolbypassrls")) {
            out.add(new Finding(Finding.Severity.HIGH, "rls-bypassed", "The role " + appRole + " is "
                    + ((Boolean) r.get("rolsuper") ? "a superuser" : "BYPASSRLS") + ": no row-level-security policy "
                    + "applies to its queries.", "Connect the application as a role with NOSUPERUSER NOBYPASSRLS: "
                    + "ALTER ROLE " + PgvectorTableLayout.quote(appRole) + " NOBYPASSRLS"));
        }
    }

    @Override
    public List<Shape> shapes() {
        List<Shape> shapes = new ArrayList<>();
        libraryShape().ifPresent(shapes::add);
        String operator = distanceOperator();
        String t = tenantSql();
        String e = PgvectorTableLayout.quote(columns.embedding());
        shapes.add(new Shape("sql-where", "WHERE tenant = ? ORDER BY " + columns.embedding() + " " + operator
                + " ? LIMIT k with hnsw.iterative_scan off and enable_seqscan off: the plan PostgreSQL picks for a "
                + "large table", false, "hnsw-without-iterative-scan",
                (tenant, vector, k) -> tenants("SELECT " + t + "::text AS tenant FROM " + qualified + " WHERE " + t
                        + " = " + tenantValueSql() + " ORDER BY " + e + " " + operator + " ?::vector LIMIT ?",
                        concat(tenantParams(), tenantParams(), List.of(tenant, literal(vector), k)), tenant, false)));
        shapes.add(new Shape("post-filter", "ORDER BY " + columns.embedding() + " " + operator
                + " ? LIMIT k, the tenant's rows then kept by the application", false, null,
                (tenant, vector, k) -> tenants("SELECT " + t + "::text AS tenant FROM " + qualified + " ORDER BY " + e
                        + " " + operator + " ?::vector LIMIT ?", concat(tenantParams(), List.of(literal(vector), k)),
                        tenant, true)));
        return shapes;
    }

    /**
     * TenantScope over a {@link PgvectorStore} of this table, when it has a text column the store can read, and a
     * tenant column whose values it reads as written: from a char(n) column it reads them padded, which TenantScope
     * refuses as another tenant's rows (it fails closed, and the inspection would end there, without its report).
     */
    private Optional<Shape> libraryShape() {
        if (columns.text() == null || (columns.tenant() != null && columns.tenant().type().equals("bpchar"))) {
            return Optional.empty();
        }
        MetadataSchema schemaOfTenant = MetadataSchema.builder().required(tenantField, FieldType.STRING).build();
        PgvectorTableLayout.Builder layout = PgvectorTableLayout.builder(schema, table, schemaOfTenant,
                        columns.dimension())
                .idColumn(columns.id(), columns.idType().equals("uuid") ? PgvectorTableLayout.IdType.UUID
                        : PgvectorTableLayout.IdType.TEXT)
                .textColumn(columns.text()).embeddingColumn(columns.embedding());
        if (columns.tenant() == null) {
            layout.documentColumn(columns.tenantDocument().name(), columns.tenantDocument().type().equals("json")
                    ? PgvectorTableLayout.DocumentType.JSON : PgvectorTableLayout.DocumentType.JSONB)
                    .declaredFieldsInDocument();
        }
        TenantScope scope = TenantScope.of(PgvectorStore.builder(layout.build()).dataSource(dataSource).build(),
                tenantField);
        return Optional.of(new Shape("tenant-scope", "TenantScope.forTenant(tenant).search(vector, k) on a "
                + "PgvectorStore", true, null, (tenant, vector, k) -> scope.forTenant(tenant).search(vector, k).stream()
                .map(SearchHit::metadata).map(m -> m.get(tenantField).map(v -> ((StringValue) v).value()).orElse(null))
                .toList()));
    }

    /** The operator of the HNSW index's operator class, which the application's searches must use to walk it. */
    private String distanceOperator() {
        return columns.indexes().stream().filter(i -> i.method().equals("hnsw")).map(i -> OPCLASS.matcher(i.definition()))
                .filter(Matcher::find).map(m -> switch (m.group(1)) {
                    case "l2" -> "<->";
                    case "ip" -> "<#>";
                    case "l1" -> "<+>";
                    default -> "<=>";
                }).findFirst().orElse("<=>");
    }

    /**
     * The tenant of each row the query returns, selected as text as {@link #census()} counts it (a citext or uuid
     * column would come back as another type, a char(n) one padded); with {@code keepOwn}, only the tenant's own
     * rows. Without iterative scan, and without a sequential scan: on a table of a few thousand rows the planner
     * sorts them all, on one of millions it walks an index, which is what the searches it serves do.
     */
    private List<String> tenants(String sql, List<Object> params, String tenant, boolean keepOwn) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                query(c, "SELECT set_config('enable_seqscan', 'off', true)", List.of());
                if (hasIterativeScan) {
                    query(c, "SELECT set_config('hnsw.iterative_scan', 'off', true)", List.of());
                }
                List<String> out = new ArrayList<>();
                for (Map<String, Object> r : query(c, sql, params)) {
                    String t = (String) r.get("tenant");
                    if (!keepOwn || tenant.equals(t)) {
                        out.add(t);
                    }
                }
                return out;
            } finally {
                c.rollback();
            }
        } catch (SQLException e) {
            throw failed("search", e);
        }
    }

    private static List<Object> concat(List<?>... lists) {
        List<Object> out = new ArrayList<>();
        for (List<?> l : lists) {
            out.addAll(l);
        }
        return out;
    }

    private static String literal(float[] vector) {
        StringBuilder s = new StringBuilder("[");
        for (int i = 0; i < vector.length; i++) {
            s.append(i == 0 ? "" : ",").append(vector[i]);
        }
        return s.append(']').toString();
    }

    /** Every row as column label to value; the values are bound as parameters, in order. */
    private static List<Map<String, Object>> query(Connection c, String sql, List<?> params) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.size(); i++) {
                ps.setObject(i + 1, params.get(i));
            }
            try (ResultSet r = ps.executeQuery()) {
                List<Map<String, Object>> rows = new ArrayList<>();
                while (r.next()) {
                    Map<String, Object> row = new LinkedHashMap<>();
                    for (int i = 1; i <= r.getMetaData().getColumnCount(); i++) {
                        row.put(r.getMetaData().getColumnLabel(i), r.getObject(i));
                    }
                    rows.add(row);
                }
                return rows;
            }
        }
    }

    private InspectionException failed(String what, SQLException e) {
        return new InspectionException(InspectionException.Kind.BACKEND_FAILED, "PostgreSQL: " + what + " on "
                + schema + "." + table + " failed: " + e.getMessage(), e);
    }

    @Override
    public void close() {
        // the data source is the caller's
    }
}
