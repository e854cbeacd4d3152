package dev.portafilter.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portafilter.pgvector.PgvectorTableLayout;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Deployments to inspect, built on the local PostgreSQL and OpenSearch under names of this run and dropped by
 * {@link #close()}: one misconfigured table and index with every problem {@code inspect} looks for, and one
 * well-configured of each. The tenants are {@code tenant_NN} (100 rows each on pgvector, 80 on OpenSearch) and
 * {@code tiny} (12 rows), plus look-alikes and records without a tenant in the misconfigured ones. A test adds a
 * table of its own with {@link #table}, to show one finding.
 */
final class InspectDeployments implements AutoCloseable {
    static final int DIMENSION = 16;
    static final String PASSWORD = "inspect-pw";
    /** {@link #table}'s insert into {@code (id, text, customer, embedding)}, the tenant a text column. */
    static final String TEXT_TENANT = " (id, text, customer, embedding) VALUES (?, ?, ?, ?::vector)";
    private static final ObjectMapper JSON = new ObjectMapper();

    final String run = "pfi" + UUID.randomUUID().toString().substring(0, 8);
    final String schema = run;
    /** Tenant nullable, no B-tree on it, HNSW without iterative scan, RLS enabled but not forced. */
    final String badTable = schema + ".bad";
    final String goodTable = schema + ".good";
    /** SELECT only, BYPASSRLS: inspects the misconfigured table. */
    final String bypassRole = run + "_bypass";
    /** SELECT only, subject to RLS, with a read policy for every row: inspects the well-configured table. */
    final String readerRole = run + "_reader";
    /** The application's role on the well-configured table: iterative scan on, subject to RLS. */
    final String appRole = run + "_app";
    /** Tenant analysed text, look-alike tenants, 2 shards unrouted, an alias filtered with match. */
    final String badIndex = run + "-bad";
    final String goodIndex = run + "-good";

    private final String adminUrl = JarBackends.pgvectorUrl();
    private final String openSearchUrl = JarBackends.openSearchUrl().replaceAll("/+$", "");
    private final HttpClient http = HttpClient.newHttpClient();

    InspectDeployments() throws Exception {
        try {
            build();
        } catch (Exception | AssertionError e) {
            close();
            throw e;
        }
    }

    private void build() throws Exception {
        try (Connection c = admin(); Statement s = c.createStatement()) {
            s.execute("SELECT '[1]'::vector"); // loads pgvector, so that ALTER ROLE knows hnsw.iterative_scan
            s.execute("CREATE SCHEMA " + schema);
            s.execute("CREATE ROLE " + bypassRole + " LOGIN BYPASSRLS PASSWORD '" + PASSWORD + "'");
            s.execute("CREATE ROLE " + readerRole + " LOGIN PASSWORD '" + PASSWORD + "'");
            s.execute("CREATE ROLE " + appRole + " NOLOGIN");
            s.execute("ALTER ROLE " + appRole + " SET hnsw.iterative_scan = 'relaxed_order'");
            s.execute("GRANT USAGE ON SCHEMA " + schema + " TO " + bypassRole + ", " + readerRole + ", " + appRole);
            s.execute("CREATE TABLE " + badTable + " (id text PRIMARY KEY, text text, customer text, embedding vector("
                    + DIMENSION + "))");
            insert(c, "INSERT INTO " + badTable + TEXT_TENANT, rows(true, 100));
            s.execute("CREATE INDEX ON " + badTable + " USING hnsw (embedding vector_cosine_ops)");
            s.execute("ALTER TABLE " + badTable + " ENABLE ROW LEVEL SECURITY");
            s.execute("CREATE POLICY tenant ON " + badTable
                    + " USING (customer = current_setting('portafilter.tenant', true))");
            s.execute("GRANT SELECT ON " + badTable + " TO " + bypassRole);
            // settled statistics: no autovacuum or autoanalyze is due during the inspection. This backend's counts
            // of the inserts are flushed first: flushed after the VACUUM they would make an autovacuum due
            s.execute("SELECT pg_stat_force_next_flush()");
            s.execute("VACUUM ANALYZE " + badTable);
        }
        table("good", "id text PRIMARY KEY, text text, customer text NOT NULL", TEXT_TENANT, "customer", true,
                "(customer)");
        createIndex(badIndex, true);
        createIndex(goodIndex, false);
    }

    /**
     * One more table of this run's schema, {@code schema.name} (returned, for {@code --table}), holding the
     * well-configured data: created with {@code columns} and {@code embedding vector(16)}, filled through
     * {@code insert} (what follows {@code INSERT INTO table}; see {@link #insert}), with an HNSW index and
     * {@code indexes} (index definitions after {@code ON table}), owned by the admin, SELECT granted to the reader
     * and the application's role, analysed. With {@code rls}, row-level security is enabled and forced, with a
     * tenant policy on {@code tenantSql} and one that lets the reader read every row; without, it is off.
     */
    String table(String name, String columns, String insert, String tenantSql, boolean rls, String... indexes)
            throws Exception {
        String table = schema + "." + name;
        String q = quoted(table);
        try (Connection c = admin(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE " + q + " (" + columns + ", embedding vector(" + DIMENSION + "))");
            insert(c, "INSERT INTO " + q + insert, rows(false, 100));
            s.execute("CREATE INDEX ON " + q + " USING hnsw (embedding vector_cosine_ops)");
            for (String index : indexes) {
                s.execute("CREATE INDEX ON " + q + " " + index);
            }
            if (rls) {
                s.execute("ALTER TABLE " + q + " ENABLE ROW LEVEL SECURITY");
                s.execute("ALTER TABLE " + q + " FORCE ROW LEVEL SECURITY");
                s.execute("CREATE POLICY tenant ON " + q + " USING (" + tenantSql
                        + " = current_setting('portafilter.tenant', true))");
                s.execute("CREATE POLICY audit ON " + q + " FOR SELECT TO " + quoted(readerRole) + " USING (true)");
            }
            s.execute("GRANT SELECT ON " + q + " TO " + quoted(readerRole) + ", " + quoted(appRole));
            // settled statistics, as for the misconfigured table
            s.execute("SELECT pg_stat_force_next_flush()");
            s.execute("VACUUM ANALYZE " + q);
        }
        return table;
    }

    /** Runs {@code sql} as the admin, {@code params} bound in order. */
    void execute(String sql, Object... params) throws Exception {
        try (Connection c = admin(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            ps.execute();
        }
    }

    /** {@code schema.table} or a role, its parts quoted for SQL. */
    static String quoted(String name) {
        return java.util.Arrays.stream(name.split("\\.")).map(PgvectorTableLayout::quote)
                .collect(java.util.stream.Collectors.joining("."));
    }

    /** A JDBC URL of the local server for {@code role}. */
    String jdbcUrl(String role) {
        return adminUrl.replaceAll("\\?.*$", "") + "?user=" + role + "&password=" + PASSWORD;
    }

    String openSearchUrl() {
        return openSearchUrl;
    }

    Connection admin() throws Exception {
        return DriverManager.getConnection(adminUrl);
    }

    /** id → tenant (null: none); the misconfigured data adds look-alikes and records without a tenant. */
    private static Map<String, String> rows(boolean bad, int perTenant) {
        Map<String, Integer> tenants = new LinkedHashMap<>();
        for (int t = 0; t < 12; t++) {
            tenants.put(String.format("tenant_%02d", t), perTenant);
        }
        tenants.put("tiny", 12);
        if (bad) {
            tenants.put("acme", perTenant);
            tenants.put("ACME", 30);
            tenants.put("acme ", 20);
            tenants.put("\uFF41\uFF43\uFF4D\uFF45", 20); // fullwidth "acme": one value under NFKC
            tenants.put("\u0430cme", 20); // Cyrillic a: one skeleton with "acme"
            tenants.put("tenant_01-eu", 40); // one token of it is tenant_01
            tenants.put("TENANT_01", 30);
            tenants.put(null, 25);
        }
        Map<String, String> out = new LinkedHashMap<>();
        tenants.forEach((tenant, n) -> {
            for (int i = 0; i < n; i++) {
                out.put((tenant == null ? "none" : Integer.toHexString(tenant.hashCode())) + "-" + i, tenant);
            }
        });
        return out;
    }

    private static float[] vector(Random random) {
        float[] v = new float[DIMENSION];
        for (int i = 0; i < DIMENSION; i++) {
            v[i] = (float) random.nextGaussian();
        }
        return v;
    }

    /** {@code sql}'s parameters are the id, the text, the tenant and the vector, in this order. */
    private static void insert(Connection c, String sql, Map<String, String> rows) throws Exception {
        Random random = new Random(7);
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (Map.Entry<String, String> row : rows.entrySet()) {
                ps.setString(1, row.getKey());
                ps.setString(2, "text of " + row.getKey());
                ps.setString(3, row.getValue());
                ps.setString(4, java.util.Arrays.toString(vector(random)));
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    private void createIndex(String index, boolean bad) throws Exception {
        ObjectNode body = JSON.createObjectNode();
        body.putObject("settings").putObject("index").put("knn", true).put("number_of_shards", bad ? 2 : 1)
                .put("number_of_replicas", 0);
        ObjectNode props = body.putObject("mappings").putObject("properties");
        props.putObject("embedding").put("type", "knn_vector").put("dimension", DIMENSION).putObject("method")
                .put("name", "hnsw").put("engine", "lucene").put("space_type", "cosinesimil");
        if (bad) {
            // as dynamic mapping maps a string
            props.putObject("customer").put("type", "text").putObject("fields").putObject("keyword")
                    .put("type", "keyword").put("ignore_above", 256);
            props.putObject("title").put("type", "text");
            body.putObject("aliases").putObject(index + "-acme").putObject("filter").putObject("match")
                    .put("customer", "acme");
        } else {
            props.putObject("customer").put("type", "keyword");
            props.putObject("title").put("type", "keyword");
        }
        send("PUT", "/" + index, body.toString());
        Random random = new Random(11);
        StringBuilder bulk = new StringBuilder();
        for (Map.Entry<String, String> row : rows(bad, 80).entrySet()) {
            ObjectNode action = JSON.createObjectNode();
            action.putObject("index").put("_id", row.getKey());
            bulk.append(action).append('\n');
            ObjectNode doc = JSON.createObjectNode().put("title", "title of " + row.getKey());
            if (row.getValue() != null) {
                doc.put("customer", row.getValue());
            }
            ArrayNode v = doc.putArray("embedding");
            for (float f : vector(random)) {
                v.add(f);
            }
            bulk.append(doc).append('\n');
        }
        JsonNode r = send("POST", "/" + index + "/_bulk?refresh=true", bulk.toString());
        assertThat(r.path("errors").asBoolean()).as("bulk into %s: %s", index, r).isFalse();
    }

    JsonNode send(String method, String path, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(openSearchUrl + path))
                .header("Content-Type", path.contains("_bulk") ? "application/x-ndjson" : "application/json");
        request.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> r = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("%s %s: %s", method, path, r.body()).isBetween(200, 299);
        return JSON.readTree(r.body());
    }

    /** What a read-only inspection must leave as it was: rows, indexes, policies, statistics and privileges. */
    List<String> tableState(String table) throws Exception {
        String[] parts = table.split("\\.");
        List<String> state = new ArrayList<>();
        try (Connection c = admin()) {
            for (String sql : List.of(
                    "SELECT count(*) FROM " + table,
                    "SELECT concat_ws(',', n_tup_ins, n_tup_upd, n_tup_del, n_live_tup, n_dead_tup, n_mod_since_analyze, "
                            + "vacuum_count, autovacuum_count, analyze_count, autoanalyze_count) FROM pg_stat_user_tables "
                            + "WHERE relid = '" + table + "'::regclass",
                    "SELECT concat_ws(',', relrowsecurity, relforcerowsecurity, reloptions, relpages, reltuples) "
                            + "FROM pg_class WHERE oid = '" + table + "'::regclass",
                    "SELECT string_agg(pg_get_indexdef(indexrelid), '; ' ORDER BY indexrelid) FROM pg_index "
                            + "WHERE indrelid = '" + table + "'::regclass",
                    "SELECT string_agg(policyname || ':' || coalesce(qual, ''), '; ' ORDER BY policyname) FROM pg_policies "
                            + "WHERE schemaname = '" + parts[0] + "' AND tablename = '" + parts[1] + "'",
                    "SELECT md5(string_agg(attname || coalesce(most_common_vals::text, '') || coalesce(histogram_bounds::text, ''), "
                            + "';' ORDER BY attname)) FROM pg_stats WHERE schemaname = '" + parts[0] + "' AND tablename = '"
                            + parts[1] + "'",
                    "SELECT string_agg(grantee || ':' || privilege_type, '; ' ORDER BY grantee, privilege_type) "
                            + "FROM information_schema.role_table_grants WHERE table_schema = '" + parts[0]
                            + "' AND table_name = '" + parts[1] + "'")) {
                try (Statement s = c.createStatement(); ResultSet r = s.executeQuery(sql)) {
                    r.next();
                    state.add(r.getString(1));
                }
            }
        }
        return state;
    }

    /** The index's settings, mapping and aliases, and its document and indexing counts. */
    List<String> indexState(String index) throws Exception {
        JsonNode stats = send("GET", "/" + index + "/_stats/docs,indexing", null).path("_all").path("primaries");
        return List.of(send("GET", "/" + index + "?flat_settings=true", null).toString(),
                stats.path("docs").toString(), stats.path("indexing").path("index_total").asText(),
                stats.path("indexing").path("delete_total").asText(),
                send("GET", "/" + index + "/_count", null).path("count").asText());
    }

    @Override
    public void close() throws Exception {
        for (String index : List.of(badIndex, goodIndex)) {
            // a missing index answers 404, which is fine here
            http.send(HttpRequest.newBuilder(URI.create(openSearchUrl + "/" + index)).DELETE().build(),
                    HttpResponse.BodyHandlers.discarding());
        }
        try (Connection c = admin(); Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
            for (String role : List.of(bypassRole, readerRole, appRole)) {
                s.execute("DROP ROLE IF EXISTS " + role.toLowerCase(Locale.ROOT));
            }
        }
    }
}
