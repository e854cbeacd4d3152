package dev.portafilter.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portafilter.pgvector.PgvectorTableLayout;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code inspect} on the misconfigured and the well-configured deployments of {@link InspectDeployments}: every
 * problem is a finding, with measured numbers, on the former, none on the latter, and nothing changes in either.
 */
class InspectCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static InspectDeployments deployments;

    @TempDir
    Path dir;

    @BeforeAll
    static void build() throws Exception {
        deployments = new InspectDeployments();
    }

    @AfterAll
    static void drop() throws Exception {
        if (deployments != null) {
            deployments.close();
        }
    }

    private JsonNode inspect(int expectedExit, String... args) throws Exception {
        return inspect(dir, expectedExit, args);
    }

    /** Runs {@code inspect} in-process with reports in {@code dir}; checks the exit code and both reports. */
    static JsonNode inspect(Path dir, int expectedExit, String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of("inspect", "--report-dir", dir.toString()));
        all.addAll(List.of(args));
        AuditAndCasesCommandTest.Run r = AuditAndCasesCommandTest.run(all.toArray(String[]::new));
        // the terminal summary, with the measured numbers, in the build log
        System.out.println(r.out());
        assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(expectedExit);
        assertThat(Files.readString(dir.resolve("report.html"))).startsWith("<!DOCTYPE html>").contains("Findings");
        return JSON.readTree(dir.resolve("report.json").toFile());
    }

    static Map<String, JsonNode> findings(JsonNode report) {
        Map<String, JsonNode> byId = new java.util.TreeMap<>();
        report.get("findings").forEach(f -> byId.put(f.get("id").asText(), f));
        return byId;
    }

    static JsonNode shape(JsonNode report, String name) {
        return StreamSupport.stream(report.get("measured").get("shapes").spliterator(), false)
                .filter(s -> s.get("shape").asText().equals(name)).findFirst().orElseThrow(() ->
                        new AssertionError("no shape " + name + " in " + report.get("measured")));
    }

    @Test
    void aMisconfiguredTableHasEveryFindingWithMeasuredNumbersAndStaysAsItWas() throws Exception {
        List<String> before = deployments.tableState(deployments.badTable);
        JsonNode report = inspect(ExitCodes.FAILED, "--backend", "pgvector", "--jdbc-url",
                deployments.jdbcUrl(deployments.bypassRole), "--table", deployments.badTable);
        assertThat(deployments.tableState(deployments.badTable)).as("read-only").isEqualTo(before);
        assertThat(report.get("readOnly").asText()).contains("transaction_read_only = on")
                .contains(deployments.bypassRole);

        Map<String, JsonNode> f = findings(report);
        assertThat(f).containsOnlyKeys("tenant-column-nullable", "no-tenant-index", "hnsw-without-iterative-scan",
                "rls-not-forced", "rls-bypassed", "records-without-tenant", "tenant-values-collide");
        assertThat(f.get("hnsw-without-iterative-scan").get("severity").asText()).isEqualTo("HIGH");
        assertThat(f.get("hnsw-without-iterative-scan").get("evidence").asText()).contains("'tiny'")
                .contains("Measured: sql-where:");
        assertThat(f.get("rls-bypassed").get("evidence").asText()).contains("BYPASSRLS");
        assertThat(f.get("records-without-tenant").get("evidence").asText()).startsWith("25 of ");
        assertThat(report.get("findings").toString()).contains("'acme'", "'ACME'", "'acme\\\\u{20}'",
                "'\\\\u{FF41}\\\\u{FF43}\\\\u{FF4D}\\\\u{FF45}'", "'\\\\u{430}cme'", "'TENANT_01'", "'tenant_01'")
                .contains("case folding", "whitespace trimming", "NFKC", "confusable skeleton");

        JsonNode library = shape(report, "tenant-scope");
        assertThat(library.get("foreignRows").asLong()).isZero();
        assertThat(library.get("shortSearches").asInt()).isZero();
        JsonNode where = shape(report, "sql-where");
        assertThat(where.get("foreignRows").asLong()).isZero();
        assertThat(where.get("shortSearches").asInt()).as("HNSW without iterative scan comes up short").isPositive();
        assertThat(shape(report, "post-filter").get("shortSearches").asInt()).isPositive();
        assertThat(report.get("data").get("recordsPerTenant").get("tiny").asInt()).isEqualTo(12);
    }

    @Test
    void aWellConfiguredTableHasNoFindingAndStaysAsItWas() throws Exception {
        List<String> before = deployments.tableState(deployments.goodTable);
        JsonNode report = inspect(ExitCodes.OK, "--backend", "pgvector", "--jdbc-url",
                deployments.jdbcUrl(deployments.readerRole), "--table", deployments.goodTable, "--app-role",
                deployments.appRole);
        assertThat(deployments.tableState(deployments.goodTable)).as("read-only").isEqualTo(before);
        assertThat(report.get("findings")).as(report.get("findings").toPrettyString()).isEmpty();
        JsonNode library = shape(report, "tenant-scope");
        assertThat(library.get("searches").asInt()).isEqualTo(13 * 10);
        assertThat(library.get("foreignRows").asLong()).isZero();
        assertThat(library.get("shortSearches").asInt()).isZero();
    }

    @Test
    void theTenantOnlyInAnUnindexedJsonColumnIsAFindingThatAnIndexOnItsKeyClears() throws Exception {
        // Spring AI's PgVectorStore table (PgvectorTableLayout.springAi): the tenant only a key of metadata json
        String table = deployments.table("spring_ai", "id uuid PRIMARY KEY, content text, metadata json",
                " (id, content, metadata, embedding) VALUES (md5(?)::uuid, ?, json_build_object('customer', ?::text), "
                        + "?::vector)", "(metadata ->> 'customer')", true);
        String q = InspectDeployments.quoted(table);
        String[] args = {"--backend", "pgvector", "--jdbc-url", deployments.jdbcUrl(deployments.readerRole),
                "--table", table, "--app-role", deployments.appRole};
        JsonNode report = inspect(ExitCodes.FAILED, args);
        Map<String, JsonNode> f = findings(report);
        assertThat(f).containsOnlyKeys("tenant-in-unindexed-json");
        assertThat(f.get("tenant-in-unindexed-json").get("severity").asText()).isEqualTo("HIGH");
        assertThat(f.get("tenant-in-unindexed-json").get("evidence").asText())
                .contains("the key 'customer' of the json column metadata, with no index on it");
        // without statistics on the key the planner walks the HNSW index for every tenant, and comes up short
        JsonNode where = shape(report, "sql-where");
        assertThat(where.get("shortSearches").asInt()).isEqualTo(where.get("searches").asInt());
        assertThat(where.get("foreignRows").asLong()).isZero();
        assertThat(shape(report, "tenant-scope").get("shortSearches").asInt()).isZero();

        // GIN on the whole document serves @> and jsonpath, not ->> equality, and keeps no per-tenant statistics
        deployments.execute("CREATE INDEX " + PgvectorTableLayout.quote("doc_gin") + " ON " + q
                + " USING gin ((metadata::jsonb))");
        deployments.execute("ANALYZE " + q);
        assertThat(findings(inspect(ExitCodes.FAILED, args))).containsOnlyKeys("tenant-in-unindexed-json");

        // an expression index on the key, as LangChain4j's filter (metadata ->> 'customer') uses it
        deployments.execute("CREATE INDEX ON " + q + " ((metadata ->> 'customer'))");
        deployments.execute("ANALYZE " + q);
        report = inspect(ExitCodes.OK, args);
        assertThat(report.get("findings")).as(report.get("findings").toPrettyString()).isEmpty();
        where = shape(report, "sql-where");
        assertThat(where.get("shortSearches").asInt()).as("the planner reads the tenant's rows by the index").isZero();
        assertThat(where.get("foreignRows").asLong()).isZero();
    }

    @Test
    void aCitextTenantColumnIsAFindingAndItsEqualityIsMeasuredToLeak() throws Exception {
        // citext ships with PostgreSQL (contrib); the extension stays, as any database that uses it has it
        deployments.execute("CREATE EXTENSION IF NOT EXISTS citext");
        String table = deployments.table("citext", "id text PRIMARY KEY, text text, customer citext NOT NULL",
                InspectDeployments.TEXT_TENANT, "customer", true, "(customer)");
        String q = InspectDeployments.quoted(table);
        // another tenant, TINY, with tiny's vectors: the nearest rows of a search for either are both tenants'
        deployments.execute("INSERT INTO " + q + " SELECT id || '-upper', text, upper(customer), embedding FROM " + q
                + " WHERE customer = ?", "tiny");
        deployments.execute("ANALYZE " + q);
        JsonNode report = inspect(ExitCodes.FAILED, "--backend", "pgvector", "--jdbc-url",
                deployments.jdbcUrl(deployments.readerRole), "--table", table, "--app-role", deployments.appRole);
        Map<String, JsonNode> f = findings(report);
        assertThat(f).containsOnlyKeys("tenant-column-type", "tenant-values-collide");
        assertThat(f.get("tenant-column-type").get("severity").asText()).isEqualTo("HIGH");
        assertThat(f.get("tenant-column-type").get("evidence").asText())
                .contains("The tenant column customer is citext: its equality ignores case");
        assertThat(f.get("tenant-values-collide").get("evidence").asText()).contains("'tiny'", "'TINY'");
        assertThat(report.get("data").get("recordsPerTenant").get("TINY").asInt()).isEqualTo(12);
        // WHERE customer = 'tiny' returns TINY's rows too; TenantScope's searches do not
        JsonNode where = shape(report, "sql-where");
        assertThat(where.get("foreignRows").asLong()).isPositive();
        assertThat(where.get("foreignExamples").toString()).contains("TINY");
        JsonNode library = shape(report, "tenant-scope");
        assertThat(library.get("foreignRows").asLong()).isZero();
        assertThat(library.get("shortSearches").asInt()).isZero();
    }

    @Test
    void aCharTenantColumnIsAFindingAndItsPaddedValuesAreStillTheTenants() throws Exception {
        String table = deployments.table("bpchar", "id text PRIMARY KEY, text text, customer char(12) NOT NULL",
                InspectDeployments.TEXT_TENANT, "customer", true, "(customer)");
        JsonNode report = inspect(ExitCodes.FAILED, "--backend", "pgvector", "--jdbc-url",
                deployments.jdbcUrl(deployments.readerRole), "--table", table, "--app-role", deployments.appRole);
        Map<String, JsonNode> f = findings(report);
        assertThat(f).containsOnlyKeys("tenant-column-type");
        assertThat(f.get("tenant-column-type").get("severity").asText()).isEqualTo("HIGH");
        assertThat(f.get("tenant-column-type").get("evidence").asText())
                .contains("The tenant column customer is bpchar: its equality ignores trailing spaces");
        // a row's 'tiny        ' is tenant tiny, as the census counts it: not a foreign row
        for (String name : List.of("sql-where", "post-filter")) {
            assertThat(shape(report, name).get("foreignRows").asLong()).as(name).isZero();
        }
        // TenantScope refuses the padded values as another tenant's: no shape rather than no report
        assertThat(report.get("measured").get("shapes").findValuesAsText("shape")).doesNotContain("tenant-scope");
        assertThat(shape(report, "sql-where").get("shortSearches").asInt()).isZero();
    }

    @Test
    void rowLevelSecurityOffOnATableTheApplicationDoesNotOwnIsAFinding() throws Exception {
        String table = deployments.table("rls_off", "id text PRIMARY KEY, text text, customer text NOT NULL",
                InspectDeployments.TEXT_TENANT, "customer", false, "(customer)");
        JsonNode report = inspect(ExitCodes.OK, "--backend", "pgvector", "--jdbc-url",
                deployments.jdbcUrl(deployments.readerRole), "--table", table, "--app-role", deployments.appRole);
        Map<String, JsonNode> f = findings(report);
        assertThat(f).containsOnlyKeys("rls-off");
        assertThat(f.get("rls-off").get("severity").asText()).isEqualTo("MEDIUM");
        assertThat(f.get("rls-off").get("evidence").asText()).isEqualTo("Row-level security is off on " + table
                + ": the WHERE clause of every query is the only wall between tenants.");
        assertThat(f.get("rls-off").get("fix").asText())
                .contains("ENABLE ROW LEVEL SECURITY", "FORCE ROW LEVEL SECURITY");
        JsonNode library = shape(report, "tenant-scope");
        assertThat(library.get("foreignRows").asLong()).isZero();
        assertThat(library.get("shortSearches").asInt()).isZero();
    }

    @Test
    void aMisconfiguredIndexHasEveryFindingWithMeasuredLeaksAndStaysAsItWas() throws Exception {
        List<String> before = deployments.indexState(deployments.badIndex);
        JsonNode report = inspect(ExitCodes.FAILED, "--backend", "opensearch", "--opensearch-url",
                deployments.openSearchUrl(), "--index", deployments.badIndex);
        assertThat(deployments.indexState(deployments.badIndex)).as("read-only").isEqualTo(before);

        Map<String, JsonNode> f = findings(report);
        assertThat(f).containsOnlyKeys("tenant-field-analysed", "strings-without-keyword", "shards-without-routing",
                "alias-filter-analysed", "records-without-tenant", "tenant-values-collide");
        assertThat(f.get("tenant-field-analysed").get("evidence").asText()).contains("Measured: analysed-match:");
        assertThat(f.get("strings-without-keyword").get("evidence").asText()).contains("title");
        JsonNode match = shape(report, "analysed-match");
        assertThat(match.get("foreignRows").asLong()).as("match on analysed text leaks").isPositive();
        assertThat(match.get("foreignExamples").toString()).contains("tenant_01-eu");
        assertThat(shape(report, "post-filter").get("shortSearches").asInt()).isPositive();
        JsonNode library = shape(report, "tenant-scope");
        assertThat(library.get("foreignRows").asLong()).isZero();
        assertThat(library.get("shortSearches").asInt()).isZero();
    }

    @Test
    void aWellConfiguredIndexHasNoFindingAndStaysAsItWas() throws Exception {
        List<String> before = deployments.indexState(deployments.goodIndex);
        JsonNode report = inspect(ExitCodes.OK, "--backend", "opensearch", "--opensearch-url",
                deployments.openSearchUrl(), "--index", deployments.goodIndex, "--sample", "5");
        assertThat(deployments.indexState(deployments.goodIndex)).as("read-only").isEqualTo(before);
        assertThat(report.get("findings")).as(report.get("findings").toPrettyString()).isEmpty();
        assertThat(report.get("measured").get("tenants")).hasSize(5);
        JsonNode library = shape(report, "tenant-scope");
        assertThat(library.get("foreignRows").asLong()).isZero();
        assertThat(library.get("shortSearches").asInt()).isZero();
    }

    @Test
    void aMissingTableOrIndexIsBadInputAndADeadServerIsUnreachable() {
        assertThat(AuditAndCasesCommandTest.run("inspect", "--report-dir", dir.toString(), "--backend", "pgvector",
                "--jdbc-url", deployments.jdbcUrl(deployments.readerRole), "--table", deployments.schema + ".nope")
                .exit()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(AuditAndCasesCommandTest.run("inspect", "--report-dir", dir.toString(), "--backend", "opensearch",
                "--opensearch-url", deployments.openSearchUrl(), "--index", deployments.run + "-nope").exit())
                .isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(AuditAndCasesCommandTest.run("inspect", "--report-dir", dir.toString(), "--backend", "pgvector",
                "--table", "t").exit()).as("no --jdbc-url").isEqualTo(ExitCodes.BACKEND_UNAVAILABLE);
        assertThat(AuditAndCasesCommandTest.run("inspect", "--report-dir", dir.toString(), "--backend", "opensearch",
                "--opensearch-url", "http://127.0.0.1:1", "--index", "x").exit()).isEqualTo(ExitCodes.BACKEND_UNAVAILABLE);
    }
}
