package dev.portafilter.pgvector;

import dev.portafilter.pgvector.PgvectorSearchPlan.Strategy;

import java.util.ArrayList;
import java.util.List;

import static dev.portafilter.pgvector.PgvectorSearchPlan.percent;

/**
 * Chooses between the exact and the HNSW plan from PostgreSQL's row estimates. Measured on 100,000 × 384 rows
 * (docs/search-strategy.md): an exact scan costs about 1.4 µs per matching row and is complete and exact; an
 * iterative HNSW scan costs about the same from 1,000 to 100,000 matching rows while the filter keeps at least a
 * few percent of the table, but below about 1% it must visit k / selectivity tuples, loses recall (0.95 at 1%,
 * 0.71 at 0.1%) and slows down (7 ms at 1%, 70 ms at 0.1%), where the exact plan takes 1 ms.
 */
final class SearchPlanner {
    /** pgvector's upper limit of {@code hnsw.ef_search}. */
    static final int MAX_EF_SEARCH = 1000;

    private final long exactMaxRows;
    private final double exactMaxSelectivity;
    private final int efSearch;
    private final PgvectorStore.IterativeScan iterativeScan;
    private final Integer maxScanTuples;
    /** Null when each search chooses. */
    private final Strategy fixedStrategy;

    SearchPlanner(long exactMaxRows, double exactMaxSelectivity, int efSearch, PgvectorStore.IterativeScan iterativeScan,
                  Integer maxScanTuples, Strategy fixedStrategy) {
        this.fixedStrategy = fixedStrategy;
        this.exactMaxRows = exactMaxRows;
        this.exactMaxSelectivity = exactMaxSelectivity;
        this.efSearch = efSearch;
        this.iterativeScan = iterativeScan;
        this.maxScanTuples = maxScanTuples;
    }

    /** Whether every search runs one strategy, without an estimate. */
    boolean isFixed() {
        return fixedStrategy != null;
    }

    /** The fixed strategy's plan for a search of k rows, made without an estimate. */
    PgvectorSearchPlan fixed(int k) {
        return fixed(-1, Double.NaN, k);
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
     * The settings the plan runs with, as name-value pairs for {@code set_config(name, value, true)}. The HNSW plan
     * turns sorting off so that the planner must take the order from the HNSW index (the only plan without a sort);
     * the exact plan needs none, its distance expression is one the HNSW index cannot serve.
     */
    List<String> settings(PgvectorSearchPlan plan) {
        List<String> pairs = new ArrayList<>();
        if (plan.strategy() == Strategy.HNSW_ITERATIVE) {
            pairs.addAll(List.of("hnsw.ef_search", Integer.toString(plan.efSearch()),
                    "hnsw.iterative_scan", iterativeScan.setting(), "enable_sort", "off"));
            if (maxScanTuples != null) {
                pairs.addAll(List.of("hnsw.max_scan_tuples", Integer.toString(maxScanTuples)));
            }
        }
        return pairs;
    }

    /** An index scan yields at most ef_search rows per step: never fewer than k (pgvector allows up to 1000). */
    private int efSearch(int k) {
        return Math.max(efSearch, Math.min(k, MAX_EF_SEARCH));
    }

    private PgvectorSearchPlan exact(long rows, double selectivity, String reason) {
        return new PgvectorSearchPlan(Strategy.EXACT, rows, selectivity, exactMaxRows, exactMaxSelectivity, 0, reason);
    }
}
