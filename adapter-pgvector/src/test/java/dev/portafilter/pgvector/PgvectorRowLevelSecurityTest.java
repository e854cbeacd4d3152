package dev.portafilter.pgvector;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.portafilter.conformance.ScenarioDataset;
import dev.portafilter.core.StoreException;
import dev.portafilter.core.TenantIsolationException;
import dev.portafilter.core.WriteConflictException;
import dev.portafilter.core.filter.Filters;
import dev.portafilter.core.metadata.Metadata;
import dev.portafilter.core.store.SearchHit;
import dev.portafilter.core.store.VectorRecord;
import dev.portafilter.core.store.VectorStore;
import dev.portafilter.core.tenant.TenantScope;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * Row-level security as a second wall below the filter. The application connects as an ordinary role (superusers
 * bypass row-level security whatever the table says), through a one-connection pool, so that every check also
 * shows what the next borrower of that connection sees.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PgvectorRowLevelSecurityTest {
    private static final String A = ScenarioDataset.CUSTOMER_A;
    private static final String B = ScenarioDataset.CUSTOMER_B;

    private final String role = PgvectorTestServer.uniqueTableName("pf_app");
    private PgvectorTableLayout layout;
    private HikariDataSource appPool;
    /** Records what goes through the application's pool, and looks into transactions before they commit. */
    private StatementLog log;
    private PgvectorStore store;

    @BeforeAll
    void setUp() {
        layout = PgvectorTableLayout.builder(PgvectorTestServer.SCRATCH_SCHEMA, PgvectorTestServer.uniqueTableName("rls"),
                ScenarioDataset.SCHEMA, ScenarioDataset.DIMENSION).build();
        PgvectorSchemaManager.createTable(PgvectorTestServer.dataSource(), layout);
        PgvectorSchemaManager.enableRowLevelSecurity(PgvectorTestServer.dataSource(), layout, "customer");
        String password = UUID.randomUUID().toString();
        PgvectorTestServer.execute(
                "CREATE ROLE " + role + " LOGIN NOSUPERUSER NOBYPASSRLS PASSWORD '" + password + "'",
                "GRANT USAGE ON SCHEMA " + PgvectorTestServer.SCRATCH_SCHEMA + " TO " + role,
                "GRANT SELECT, INSERT, UPDATE, DELETE ON " + layout.qualifiedTable() + " TO " + role);
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(withoutCredentials(PgvectorTestServer.jdbcUrl()));
        config.setUsername(role);
        config.setPassword(password);
        config.setMaximumPoolSize(1);
        appPool = new HikariDataSource(config);
        log = new StatementLog(appPool);
        store = PgvectorStore.builder(layout).dataSource(log.dataSource()).rowLevelSecurity("customer").build();
        TenantScope scope = TenantScope.of(store, "customer");
        for (String tenant : List.of(A, B)) {
            scope.forTenant(tenant).upsert(ScenarioDataset.records().stream()
                    .filter(r -> ScenarioDataset.idsOf(tenant).contains(r.id())).toList());
        }
    }

    @AfterAll
    void tearDown() {
        if (appPool != null) {
            appPool.close();
        }
        PgvectorSchemaManager.dropTable(PgvectorTestServer.dataSource(), layout);
        PgvectorTestServer.execute("DROP OWNED BY " + role, "DROP ROLE " + role);
    }

    @Test
    void aCopyWriteOutsideAnyTenantMeetsThePolicyNotACopyError() {
        VectorRecord record = new VectorRecord("A-COPY", ScenarioDataset.vectorFor("A-COPY", ScenarioDataset.DIMENSION),
                "x", Metadata.of("customer", A, "documentType", "note"));
        VectorStore partition = store.partitionForTenant("customer", A);
        long before = partition.count();
        // COPY FROM refuses tables with row-level security; the store then writes through INSERT, which the
        // policy judges: without a tenant set, nothing may be written
        try (PgvectorStore unscoped = PgvectorStore.builder(layout).dataSource(appPool).copyThreshold(1).build()) {
            assertThatThrownBy(() -> unscoped.upsert(List.of(record))).isInstanceOf(StoreException.class)
                    .hasMessageContaining("violates row-level security policy");
        }
        assertThat(partition.count()).isEqualTo(before);
    }

    @Test
    void theApplicationRoleIsSubjectToRowLevelSecurity() throws SQLException {
        assertThat(query(PgvectorTestServer.dataSource(),
                "SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user"))
                .as("the test's own role bypasses RLS").containsExactly("t");
        assertThat(query(appPool, "SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user"))
                .containsExactly("f");
        assertThat(query(PgvectorTestServer.dataSource(), "SELECT count(*) FROM " + layout.qualifiedTable()))
                .containsExactly(Integer.toString(ScenarioDataset.records().size()));
    }

    @Test
    void aPartitionsSearchPlanCountsTheTenantsRowsDespiteThePolicysCondition() {
        PgvectorTestServer.execute("ANALYZE " + layout.qualifiedTable());
        int rows = ScenarioDataset.records().size();
        for (String tenant : List.of(A, B)) {
            PgvectorStore partition = (PgvectorStore) store.partitionForTenant("customer", tenant);
            // the planner's estimates include the policy's tenant condition too; their ratio does not
            PgvectorSearchPlan plan = partition.explainPlan(Filters.eq("customer", tenant), 3);
            int own = ScenarioDataset.idsOf(tenant).size();
            assertThat(plan.estimatedRows()).as(plan.toString()).isEqualTo(own);
            assertThat(plan.estimatedSelectivity()).isCloseTo(own / (double) rows, within(0.01));
        }
    }

    @Test
    void aStatementWithoutWhereClauseSeesOnlyThePartitionsTenant() throws Exception {
        for (String tenant : List.of(A, B)) {
            PgvectorStore partition = (PgvectorStore) store.partitionForTenant("customer", tenant);
            // inside a transaction of the partition, before it commits
            List<List<String>> ids = log.beforeEachCommit((c, transaction) -> query(c, "SELECT id FROM "
                    + layout.qualifiedTable()), partition::count);
            assertThat(ids).hasSize(1);
            assertThat(ids.get(0)).containsExactlyInAnyOrderElementsOf(ScenarioDataset.idsOf(tenant));
            // the store adds no tenant filter of its own here: the database does the isolating
            assertThat(partition.search(ScenarioDataset.vectorFor("q", ScenarioDataset.DIMENSION), 100))
                    .extracting(SearchHit::id).containsExactlyInAnyOrderElementsOf(ScenarioDataset.idsOf(tenant));
            assertThat(partition.count()).isEqualTo(ScenarioDataset.idsOf(tenant).size());
            String other = tenant.equals(A) ? B : A;
            assertThat(partition.delete(ScenarioDataset.idsOf(other))).isZero();
        }
    }

    @Test
    void withoutTheSettingNothingIsVisibleAndTheSettingNeverOutlivesItsTransaction() throws Exception {
        PgvectorStore partition = (PgvectorStore) store.partitionForTenant("customer", A);
        List<List<String>> inside = log.beforeEachCommit(
                (c, transaction) -> query(c, "SELECT current_setting('portafilter.tenant')"), partition::count);
        assertThat(inside).containsExactly(List.of(A));
        assertThat(partition.count()).isEqualTo(ScenarioDataset.idsOf(A).size());
        // the one pooled connection, borrowed again: no tenant, so no rows
        try (Connection c = appPool.getConnection()) {
            assertThat(query(c, "SELECT coalesce(current_setting('portafilter.tenant', true), '')")).containsExactly("");
            assertThat(query(c, "SELECT count(*) FROM " + layout.qualifiedTable())).containsExactly("0");
        }
        assertThat(store.count()).isZero();
        assertThat(store.search(ScenarioDataset.vectorFor("q", ScenarioDataset.DIMENSION), 100)).isEmpty();
    }

    @Test
    void aPartitionCannotOverwriteOrCreateAnotherTenantsRecords() throws SQLException {
        VectorRecord theirs = ScenarioDataset.byId().get("B-S001");
        PgvectorStore partition = (PgvectorStore) store.partitionForTenant("customer", A);
        VectorRecord hijack = new VectorRecord(theirs.id(), theirs.vector(), "hijacked",
                Metadata.of("customer", A, "documentType", "note"));
        // no guard and no filter from the store: the policy alone refuses the update of a row it hides
        assertThatThrownBy(() -> partition.upsert(List.of(hijack))).isInstanceOf(WriteConflictException.class);
        assertThatThrownBy(() -> TenantScope.of(store, "customer").forTenant(A).upsert(List.of(hijack)))
                .isInstanceOf(TenantIsolationException.class);
        VectorRecord planted = new VectorRecord("A-PLANTED", theirs.vector(), "planted",
                Metadata.of("customer", B, "documentType", "note"));
        assertThatThrownBy(() -> partition.upsert(List.of(planted))).isInstanceOf(WriteConflictException.class);
        assertThat(query(PgvectorTestServer.dataSource(), "SELECT text FROM " + layout.qualifiedTable()
                + " WHERE id IN ('B-S001', 'A-PLANTED')")).containsExactly(theirs.text());
    }

    @Test
    void partitionsNameTheirTenantAndCannotBeNarrowedToAnother() {
        VectorStore partition = store.partitionForTenant("customer", A);
        assertThat(partition.partitionForTenant("customer", A)).isSameAs(partition);
        assertThatThrownBy(() -> partition.partitionForTenant("customer", B)).isInstanceOf(TenantIsolationException.class);
        assertThatThrownBy(() -> store.partitionForTenant("region", A)).isInstanceOf(IllegalArgumentException.class);
    }

    /** On a connection of the pool, returned afterwards. */
    private static List<String> query(DataSource dataSource, String sql) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            return query(c, sql);
        }
    }

    private static List<String> query(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            List<String> out = new ArrayList<>();
            while (rs.next()) {
                out.add(rs.getString(1));
            }
            return out;
        }
    }

    private static String withoutCredentials(String url) {
        int q = url.indexOf('?');
        if (q < 0) {
            return url;
        }
        String kept = Arrays.stream(url.substring(q + 1).split("&"))
                .filter(p -> !p.startsWith("user=") && !p.startsWith("password="))
                .collect(Collectors.joining("&"));
        return url.substring(0, q) + (kept.isEmpty() ? "" : "?" + kept);
    }
}
