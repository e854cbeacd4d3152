package dev.portafilter.opensearch;

import java.util.Locale;
import java.util.Objects;

/**
 * How {@link OpenSearchStore} runs one search, and why: see {@link OpenSearchStore#explainPlan}.
 *
 * @param strategy             the {@code knn_score} script over the filtered documents, or the {@code knn} query with
 *                             the filter inside it
 * @param estimatedRows        documents the filter matches, counted by {@code _count} (kept for
 *                             {@link OpenSearchStore.Builder#estimateCacheTtl}); -1 when none was counted (no filter,
 *                             or a fixed {@link OpenSearchStore.SearchMode})
 * @param estimatedSelectivity the share of the searched documents the filter matches (1 without a filter; NaN when
 *                             nothing was counted)
 * @param efSearch             {@code method_parameters.ef_search} of the approximate plan; 0 for an exact plan
 * @param exactMaxRows         the store's threshold: exact when at most this many documents match
 * @param raisedEfFrom         the store's threshold: from this selectivity on, the approximate plan asks for more
 *                             candidates ({@link OpenSearchStore.Builder#efSearch} is the floor)
 * @param reason               one sentence, for people
 */
public record OpenSearchSearchPlan(Strategy strategy, long estimatedRows, double estimatedSelectivity, int efSearch,
                                   long exactMaxRows, double raisedEfFrom, String reason) {
    /** The two plans the store chooses between. */
    public enum Strategy {
        /**
         * The {@code knn_score} script scores every document the filter matches: complete and exact, and the
         * fastest plan while few documents match.
         */
        EXACT,
        /**
         * The HNSW {@code knn} query with the filter inside it (efficient filtering): Lucene walks the graph, or
         * scores a segment's filtered documents exactly when that is cheaper; fills k, the fastest plan when many
         * documents match.
         */
        APPROXIMATE
    }

    public OpenSearchSearchPlan {
        Objects.requireNonNull(strategy, "strategy");
        Objects.requireNonNull(reason, "reason");
    }

    @Override
    public String toString() {
        return strategy + (estimatedRows < 0 ? " (not counted" : " (about " + estimatedRows + " documents, "
                + percent(estimatedSelectivity) + " of the index")
                + (strategy == Strategy.APPROXIMATE ? ", ef_search " + efSearch : "") + "; exact up to "
                + exactMaxRows + " documents): " + reason;
    }

    static String percent(double share) {
        return String.format(Locale.ROOT, "%.3g%%", share * 100);
    }
}
