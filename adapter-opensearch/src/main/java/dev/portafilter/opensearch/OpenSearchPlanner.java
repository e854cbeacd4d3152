package dev.portafilter.opensearch;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.portafilter.core.filter.Filter;
import dev.portafilter.opensearch.OpenSearchSearchPlan.Strategy;

import java.time.Duration;
import java.util.Optional;
import java.util.function.Function;

import static dev.portafilter.opensearch.OpenSearchSearchPlan.percent;

/**
 * Chooses between the exact {@code knn_score} script and the {@code knn} query with the filter inside it, from a
 * {@code _count} of the filter, and keeps the counts for a while. The exact script costs about a microsecond per
 * matching document on top of a fixed ~1.5 ms; the {@code knn} query costs about the same whatever the filter keeps,
 * but walks the graph before Lucene gives way to exact scoring when few documents match (docs/search-strategy.md).
 *
 * <p>One planner serves a store and its tenant partitions: a count is kept per filter and routing.
 */
final class OpenSearchPlanner {
    private static final int MAX_CACHED_COUNTS = 10_000;

    /**
     * How the planner chooses (see {@link OpenSearchStore.Builder}).
     *
     * @param estimateTtl how long a count is kept; zero keeps none
     */
    record Options(OpenSearchStore.SearchMode mode, long exactMaxRows, int efSearch, int raisedEfSearch,
                   double raisedEfFrom, Duration estimateTtl) {
    }

    /** What a count was asked for: the filter (empty: every document) and the routing of the partition, if any. */
    private record CountKey(Optional<Filter> filter, String routing) {
    }

    private final Options options;
    /** Counts by filter and routing; null when none are kept. */
    private final Cache<CountKey, Long> counts;

    OpenSearchPlanner(Options options) {
        this.options = options;
        this.counts = options.estimateTtl().isZero() ? null : Caffeine.newBuilder()
                .expireAfterWrite(options.estimateTtl()).maximumSize(MAX_CACHED_COUNTS).build();
    }

    /**
     * The plan of a search of k neighbours: a fixed mode's without counting, the filterless search's, or the plan for
     * the (kept or fresh) counts of the filter and of the documents searched.
     *
     * @param count   counts the documents a filter matches (empty: all), routed like the search; throws
     *                {@link dev.portafilter.core.PartialResultException} when a shard did not answer
     * @param explain count also for a fixed mode, to show the estimate
     */
    OpenSearchSearchPlan plan(Optional<Filter> filter, String routing, int k, Function<Optional<Filter>, Long> count,
                              boolean explain) {
        OpenSearchStore.SearchMode mode = options.mode();
        if (filter.isEmpty()) {
            return mode == OpenSearchStore.SearchMode.EXACT
                    ? exact(-1, 1, "the store runs every search with the exact script (SearchMode.EXACT)")
                    : approximate(-1, 1, efSearch(1, k), "no filter: the HNSW graph alone finds the nearest " + k);
        }
        if (mode != OpenSearchStore.SearchMode.ADAPTIVE && !explain) {
            return fixed(-1, Double.NaN, k);
        }
        long rows = counted(filter, routing, count);
        long total = counted(Optional.empty(), routing, count);
        double selectivity = total > 0 ? Math.min(1, (double) rows / total) : 1;
        if (mode != OpenSearchStore.SearchMode.ADAPTIVE) {
            return fixed(rows, selectivity, k);
        }
        if (rows <= options.exactMaxRows()) {
            return exact(rows, selectivity, rows + " documents match, at most " + options.exactMaxRows()
                    + ": scoring them all with the knn_score script is exact, complete and faster than walking the "
                    + "HNSW graph");
        }
        int ef = efSearch(selectivity, k);
        return approximate(rows, selectivity, ef, rows + " documents (" + percent(selectivity) + ") match: the knn "
                + "query with the filter inside it (ef_search " + ef + (ef > Math.max(options.efSearch(), k)
                ? ", raised from " + percent(options.raisedEfFrom()) + " on, where the filtered graph walk needs more "
                + "candidates for its recall" : "") + ") finds the nearest " + k + " faster than scoring them all");
    }

    /** Forgets every kept count. */
    void forgetEstimates() {
        if (counts != null) {
            counts.invalidateAll();
        }
    }

    private long counted(Optional<Filter> filter, String routing, Function<Optional<Filter>, Long> count) {
        if (counts == null) {
            return count.apply(filter);
        }
        // a failed count throws out of get, and nothing is kept
        return counts.get(new CountKey(filter, routing), key -> count.apply(key.filter()));
    }

    private OpenSearchSearchPlan fixed(long rows, double selectivity, int k) {
        String reason = "the store runs every search with this plan (SearchMode." + options.mode() + ")";
        return options.mode() == OpenSearchStore.SearchMode.EXACT ? exact(rows, selectivity, reason)
                : approximate(rows, selectivity, Math.max(options.efSearch(), k), reason);
    }

    /** The floor (never below k), raised for filters that keep a large share of the documents. */
    private int efSearch(double selectivity, int k) {
        int floor = Math.max(options.efSearch(), k);
        return selectivity >= options.raisedEfFrom() ? Math.max(floor, options.raisedEfSearch()) : floor;
    }

    private OpenSearchSearchPlan approximate(long rows, double selectivity, int ef, String reason) {
        return new OpenSearchSearchPlan(Strategy.APPROXIMATE, rows, selectivity, ef, options.exactMaxRows(),
                options.raisedEfFrom(), reason);
    }

    private OpenSearchSearchPlan exact(long rows, double selectivity, String reason) {
        return new OpenSearchSearchPlan(Strategy.EXACT, rows, selectivity, 0, options.exactMaxRows(),
                options.raisedEfFrom(), reason);
    }
}
