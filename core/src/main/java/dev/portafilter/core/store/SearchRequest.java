package dev.portafilter.core.store;

import dev.portafilter.core.filter.Filter;

import java.util.Objects;
import java.util.Optional;

/** Nearest neighbours of {@code vector} by cosine similarity, at most {@code topK}, among the records the filter matches. */
public final class SearchRequest {
    private final float[] vector;
    private final int topK;
    private final Filter filter;

    private SearchRequest(float[] vector, int topK, Filter filter) {
        if (topK < 1) {
            throw new IllegalArgumentException("topK must be at least 1, was " + topK);
        }
        this.vector = Objects.requireNonNull(vector, "vector").clone();
        this.topK = topK;
        this.filter = filter;
    }

    public static SearchRequest of(float[] vector, int topK) {
        return new SearchRequest(vector, topK, null);
    }

    public static SearchRequest of(float[] vector, int topK, Filter filter) {
        return new SearchRequest(vector, topK, Objects.requireNonNull(filter, "filter"));
    }

    public float[] vector() {
        return vector.clone();
    }

    public int topK() {
        return topK;
    }

    public Optional<Filter> filter() {
        return Optional.ofNullable(filter);
    }

    /** The same request with another filter (used by scopes that add conditions). */
    public SearchRequest withFilter(Filter newFilter) {
        return new SearchRequest(vector, topK, Objects.requireNonNull(newFilter, "filter"));
    }
}
