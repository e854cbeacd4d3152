package dev.portafilter.pgvector;

import java.util.Locale;
import java.util.Objects;

/**
 * How {@link PgvectorStore} runs one search, and why: see {@link PgvectorStore#explainPlan}.
 *
 * @param strategy             exact over the filtered rows, or the HNSW index with an iterative scan
 * @param estimatedRows        rows the filter matches, as PostgreSQL's statistics estimate them; -1 when a
 *                             {@link PgvectorStore.Builder#fixedStrategy} made no estimate
 * @param estimatedSelectivity the share of the table's rows the filter matches (1 without a filter; NaN when no
 *                             estimate was made)
 * @param exactMaxRows         the store's threshold: exact when at most this many rows match
 * @param exactMaxSelectivity  the store's threshold: exact when at most this share of the rows matches
 * @param efSearch             {@code hnsw.ef_search} of the HNSW plan; 0 for an exact plan, which uses no index order
 * @param reason               one sentence, for people
 */
public record PgvectorSearchPlan(Strategy strategy, long estimatedRows, double estimatedSelectivity, long exactMaxRows,
                                 double exactMaxSelectivity, int efSearch, String reason) {
    /** The two plans the store chooses between. */
    public enum Strategy {
        /**
         * Filter first (B-tree, bitmap or sequential scan), then sort the matching rows by distance: complete and
         * exact, and the fastest plan while few rows match.
         */
        EXACT,
        /**
         * Walk the HNSW index in distance order and drop the rows the filter rejects, scanning on
         * ({@code hnsw.iterative_scan}) until k rows pass: the fastest plan when many rows match.
         */
        HNSW_ITERATIVE
    }

    public PgvectorSearchPlan {
        Objects.requireNonNull(strategy, "strategy");
        Objects.requireNonNull(reason, "reason");
    }

    /** The same plan with a note added to its reason. */
    PgvectorSearchPlan withNote(String note) {
        return new PgvectorSearchPlan(strategy, estimatedRows, estimatedSelectivity, exactMaxRows, exactMaxSelectivity,
                efSearch, reason + "; " + note);
    }

    @Override
    public String toString() {
        return strategy + (estimatedRows < 0 ? " (not estimated" : " (about " + estimatedRows + " rows, "
                + percent(estimatedSelectivity) + " of the table")
                + (strategy == Strategy.HNSW_ITERATIVE ? ", ef_search " + efSearch : "") + "; exact up to "
                + exactMaxRows + " rows or " + percent(exactMaxSelectivity) + "): " + reason;
    }

    static String percent(double share) {
        return String.format(Locale.ROOT, "%.3g%%", share * 100);
    }
}
