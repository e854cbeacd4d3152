package dev.portafilter.pgvector;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.portafilter.pgvector.PgvectorSearchPlan.Strategy;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;

import static dev.portafilter.pgvector.PgvectorSearchPlan.percent;

/**
 * Chooses between the exact and the HNSW plan from PostgreSQL's row estimates, and keeps the estimates for a while.
 * Measured on 100,000 × 384 rows (docs/search-strategy.md): an exact scan costs about 1.4 µs per matching row and is
 * complete and exact; an iterative HNSW scan costs about the same from 1,000 to 100,000 matching rows while the
 * filter keeps at least a few percent of the table, but below about 1% it must visit k / selectivity tuples, loses
 * recall (0.95 at 1%, 0.71 at 0.1%) and slows down (7 ms at 1%, 70 ms at 0.1%), where the exact plan takes 1 ms.
 *
 * <p>One planner serves a store and its tenant partitions: an estimate is kept per filter and tenant.
 */
final class SearchPlanner {
    /** pgvector's upper limit of {@code hnsw.ef_search}. */
    static final int MAX_EF_SEARCH = 1000;
    private static final int MAX_CACHED_ESTIMATES = 10_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * How the planner chooses (see {@link PgvectorStore.Builder}).
     *
     * @param maxScanTuples null leaves the server's {@code hnsw.max_scan_tuples}
     * @param fixedStrategy null: each search chooses
     * @param estimateTtl   how long an estimate is kept; zero keeps none
     */
    record Options(long exactMaxRows, double exactMaxSelectivity, int efSearch, PgvectorStore.IterativeScan iterativeScan,
                   Integer maxScanTuples, Strategy fixedStrategy, Duration estimateTtl) {
    }

    /** What an estimate was asked for: the filter's SQL and values, and the partition's tenant (RLS mode). */
    private record EstimateKey(String tenant, Optional<SqlFragment> where) {
    }

    private final String table;
    private final long exactMaxRows;
    private final double exactMaxSelectivity;
    private final int efSearch;
    private final PgvectorStore.IterativeScan iterativeScan;
    private final Integer maxScanTuples;
    /** Null when each search chooses. */
    private final Strategy fixedStrategy;
    /** Row estimates by filter and tenant; null when none are kept. */
    private final Cache<EstimateKey, RowEstimate> estimates;

    /**
     * @param table  the qualified table the estimates are of
     * @param ticker the time source of the estimates' expiry
     */
    SearchPlanner(String table, Options options, Ticker ticker) {
        this.table = table;
        this.exactMaxRows = options.exactMaxRows();
        this.exactMaxSelectivity = options.exactMaxSelectivity();
        this.efSearch = options.efSearch();
        this.iterativeScan = options.iterativeScan();
        this.maxScanTuples = options.maxScanTuples();
        this.fixedStrategy = options.fixedStrategy();
        this.estimates = options.estimateTtl().isZero() || fixedStrategy != null ? null
                : Caffeine.newBuilder().ticker(ticker).expireAfterWrite(options.estimateTtl())
                .maximumSize(MAX_CACHED_ESTIMATES).build();
    }

    /**
     * The plan for a search of k rows: the fixed strategy's, made without an estimate, or the plan for the kept
     * estimate of this filter, or for a fresh one (sent after the settings, which the estimate needs: the tenant and
     * custom plans).
     */
    PgvectorSearchPlan plan(Connection c, LocalSettings settings, Optional<SqlFragment> where, int k)
            throws SQLException {
        if (fixedStrategy != null) {
            return fixed(-1, Double.NaN, k);
        }
        RowEstimate kept = estimates == null ? null : estimates.getIfPresent(new EstimateKey(settings.tenant(), where));
        return choose(kept != null ? kept : estimate(c, settings, where), k);
    }

    /** The plan for a search of k rows from a fresh estimate, which is then kept. */
    PgvectorSearchPlan explain(Connection c, LocalSettings settings, Optional<SqlFragment> where, int k)
            throws SQLException {
        return choose(estimate(c, settings, where), k);
    }

    /** Forgets every kept estimate: the table's statistics changed. */
    void forgetEstimates() {
        if (estimates != null) {
            estimates.invalidateAll();
        }
    }

    /**
     * Asks PostgreSQL, in one round trip (after the settings), for its row estimates of the filtered rows and of the
     * whole table (from the columns' statistics; planning only, no row is read) and for the table's
     * {@code reltuples}; keeps them.
     */
    private RowEstimate estimate(Connection c, LocalSettings settings, Optional<SqlFragment> where) throws SQLException {
        String sql = "EXPLAIN (FORMAT JSON) SELECT 1 FROM " + table + Jdbc.where(where)
                + "; EXPLAIN (FORMAT JSON) SELECT 1 FROM " + table
                + "; SELECT reltuples FROM pg_class WHERE oid = to_regclass(?)";
        RowEstimate estimate = Jdbc.query(c, settings, sql,
                (ps, next) -> ps.setString(Jdbc.bind(c, ps, next, Jdbc.params(where)), table), ps -> {
                    double filtered = planRows(ps.getResultSet());
                    ps.getMoreResults();
                    double total = planRows(ps.getResultSet());
                    ps.getMoreResults();
                    try (ResultSet rs = ps.getResultSet()) {
                        rs.next();
                        return new RowEstimate(filtered, total, rs.getDouble(1));
                    }
                });
        if (estimates != null) {
            estimates.put(new EstimateKey(settings.tenant(), where), estimate);
        }
        return estimate;
    }

    private static double planRows(ResultSet explain) throws SQLException {
        try (explain) {
            explain.next();
            JsonNode plan = JSON.readTree(explain.getString(1)).path(0).path("Plan").path("Plan Rows");
            if (!plan.isNumber()) {
                throw new SQLException("EXPLAIN (FORMAT JSON) gave no \"Plan Rows\"");
            }
            return plan.asDouble();
        } catch (JsonProcessingException e) {
            throw new SQLException("EXPLAIN (FORMAT JSON) gave no JSON: " + e.getMessage(), e);
        }
    }

    /** The plan for a search of k rows, given PostgreSQL's estimates (see {@link RowEstimate}). */
    PgvectorSearchPlan choose(RowEstimate estimate, int k) {
        double filteredRows = estimate.filteredRows();
        // Under row-level security both estimates include the policy's tenant condition (PostgreSQL estimates it
        // with the tenant setting's value): the filtered estimate is then right, but the table's is the tenant's
        // rows, and the share is of the whole table, which reltuples gives. Elsewhere tableRows is the planner's
        // up-to-date size, at least reltuples.
        long rows = Math.round(filteredRows);
        double size = Math.max(estimate.tableRows(), estimate.reltuples());
        double selectivity = size > 0 ? Math.min(1, filteredRows / size) : 1;
        if (fixedStrategy != null) {
            return fixed(rows, selectivity, k);
        }
        if (rows <= exactMaxRows) {
            return exact(rows, selectivity, "about " + rows + " rows match, at most " + exactMaxRows
                    + ": sorting them by distance is exact, complete and faster than the HNSW index");
        }
        if (selectivity <= exactMaxSelectivity) {
            return exact(rows, selectivity, "the filter keeps about " + percent(selectivity)
                    + " of the rows, at most " + percent(exactMaxSelectivity) + ": an HNSW scan would visit about k / "
                    + "selectivity rows and lose recall, so the matching rows are sorted by distance instead");
        }
        return hnsw(rows, selectivity, k, "about " + rows + " rows (" + percent(selectivity) + ") match: the HNSW "
                + "index (hnsw.iterative_scan " + iterativeScan.setting() + ", ef_search " + efSearch(k)
                + ") finds the nearest " + k + " among them faster than sorting them all");
    }

    private PgvectorSearchPlan fixed(long rows, double selectivity, int k) {
        String reason = "the store runs every search with this plan (fixedStrategy)";
        return fixedStrategy == Strategy.EXACT ? exact(rows, selectivity, reason) : hnsw(rows, selectivity, k, reason);
    }

    private PgvectorSearchPlan hnsw(long rows, double selectivity, int k, String reason) {
        return new PgvectorSearchPlan(Strategy.HNSW_ITERATIVE, rows, selectivity, exactMaxRows, exactMaxSelectivity,
                efSearch(k), reason);
    }

    /** The exact plan for a search whose HNSW plan returned fewer than k rows. */
    PgvectorSearchPlan exactAfter(PgvectorSearchPlan hnsw, int returned) {
        return exact(hnsw.estimatedRows(), hnsw.estimatedSelectivity(), "the HNSW plan returned only "
                + returned + " rows (fewer match than estimated, or the scan reached hnsw.max_scan_tuples): "
                + "searched again exactly");
    }

    /**
     * The settings the plan runs with: the given ones, and for the HNSW plan its index settings with sorting off, so
     * that the planner must take the order from the HNSW index. The exact plan needs none: its distance expression
     * is one the HNSW index cannot serve.
     */
    LocalSettings settings(PgvectorSearchPlan plan, LocalSettings settings) {
        return plan.strategy() == Strategy.HNSW_ITERATIVE
                ? settings.with(new LocalSettings.Hnsw(plan.efSearch(), iterativeScan, maxScanTuples)) : settings;
    }

    /** An index scan yields at most ef_search rows per step: never fewer than k (pgvector allows up to 1000). */
    private int efSearch(int k) {
        return Math.max(efSearch, Math.min(k, MAX_EF_SEARCH));
    }

    private PgvectorSearchPlan exact(long rows, double selectivity, String reason) {
        return new PgvectorSearchPlan(Strategy.EXACT, rows, selectivity, exactMaxRows, exactMaxSelectivity, 0, reason);
    }
}
