package dev.portafilter.pgvector;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a transaction sets with {@code set_config(name, value, true)}, that is {@code SET LOCAL}: in force until the
 * transaction ends, committed or not, so that a pooled connection goes back to the pool as it came.
 *
 * @param tenant          {@value PgvectorSchemaManager#TENANT_SETTING}, which the row-level-security policy compares
 *                        the tenant column with; null outside a tenant partition
 * @param forceCustomPlan {@code plan_cache_mode = force_custom_plan}: after five executions on one pooled connection
 *                        the JDBC driver prepares a statement on the server, and PostgreSQL may then reuse a generic
 *                        plan that cannot see how many rows a tenant has, nor settings made after it was planned
 * @param hnsw            the index settings of the HNSW plan, which also turn sorting off; null for none
 * @param statementTimeout {@code statement_timeout}: how long each statement may run before the server cancels it;
 *                        null leaves the server's
 */
record LocalSettings(String tenant, boolean forceCustomPlan, Hnsw hnsw, Duration statementTimeout) {
    static final LocalSettings NONE = new LocalSettings(null, false, null, null);

    /**
     * pgvector's settings for a scan of the HNSW index, and {@code enable_sort = off} so that the planner must take
     * the order from the index (the only plan without a sort).
     *
     * @param efSearch      {@code hnsw.ef_search}
     * @param iterativeScan {@code hnsw.iterative_scan}
     * @param maxScanTuples {@code hnsw.max_scan_tuples}; null leaves the server's
     */
    record Hnsw(int efSearch, PgvectorStore.IterativeScan iterativeScan, Integer maxScanTuples) {
    }

    /** The tenant alone (none when null): what every transaction of a store sets. */
    static LocalSettings forTenant(String tenant) {
        return new LocalSettings(tenant, false, null, null);
    }

    /** What every search transaction sets: the tenant (none when null) and custom plans. */
    static LocalSettings forSearch(String tenant) {
        return new LocalSettings(tenant, true, null, null);
    }

    /** These settings and the HNSW plan's (none when null). */
    LocalSettings with(Hnsw hnsw) {
        return new LocalSettings(tenant, forceCustomPlan, hnsw, statementTimeout);
    }

    /** These settings and a statement timeout. */
    LocalSettings withStatementTimeout(Duration timeout) {
        return new LocalSettings(tenant, forceCustomPlan, hnsw, timeout);
    }

    boolean isEmpty() {
        return values().isEmpty();
    }

    /** Every setting made, by name, in the order they are set. */
    Map<String, String> values() {
        Map<String, String> values = new LinkedHashMap<>();
        if (tenant != null) {
            values.put(PgvectorSchemaManager.TENANT_SETTING, tenant);
        }
        if (forceCustomPlan) {
            values.put("plan_cache_mode", "force_custom_plan");
        }
        if (hnsw != null) {
            values.put("hnsw.ef_search", Integer.toString(hnsw.efSearch()));
            values.put("hnsw.iterative_scan", hnsw.iterativeScan().setting());
            values.put("enable_sort", "off");
            if (hnsw.maxScanTuples() != null) {
                values.put("hnsw.max_scan_tuples", Integer.toString(hnsw.maxScanTuples()));
            }
        }
        if (statementTimeout != null) {
            values.put("statement_timeout", Long.toString(statementTimeout.toMillis()));
        }
        return values;
    }

    /**
     * One statement that makes every setting: {@code SELECT set_config(?, ?, true), ...}, with the names and values
     * to bind. Names are bound like values, so that nothing in a setting becomes SQL text.
     */
    SqlFragment setConfig() {
        Map<String, String> values = values();
        List<Object> params = new ArrayList<>();
        values.forEach((name, value) -> {
            params.add(name);
            params.add(value);
        });
        return new SqlFragment("SELECT " + String.join(", ", Collections.nCopies(values.size(), "set_config(?, ?, true)")),
                params);
    }
}
