package dev.portafilter.core.store;

import dev.portafilter.core.filter.Filter;

import java.util.Objects;
import java.util.Optional;

/**
 * Top-k nearest neighbours among the records the filter matches. The query is a vector (cosine similarity), or,
 * for stores that embed queries themselves (a Bedrock knowledge base), a text; a request may carry both.
 */
public final class SearchRequest {
    private final float[] vector;
    private final String text;
    private final int topK;
    private final Filter filter;

    private SearchRequest(float[] vector, String text, int topK, Filter filter) {
        if (topK < 1) {
            throw new IllegalArgumentException("topK must be at least 1, was " + topK);
        }
        if (vector == null && text == null) {
            throw new IllegalArgumentException("a search needs a query vector or a query text");
        }
        this.vector = vector == null ? null : vector.clone();
        this.text = text;
        this.topK = topK;
        this.filter = filter;
    }

    public static SearchRequest of(float[] vector, int topK) {
        return new SearchRequest(Objects.requireNonNull(vector, "vector"), null, topK, null);
    }

    public static SearchRequest of(float[] vector, int topK, Filter filter) {
        return new SearchRequest(Objects.requireNonNull(vector, "vector"), null, topK,
                Objects.requireNonNull(filter, "filter"));
    }

    /** A query by text, for stores that embed the query themselves. */
    public static SearchRequest ofText(String text, int topK) {
        return new SearchRequest(null, Objects.requireNonNull(text, "text"), topK, null);
    }

    /** The query vector (a copy); a text-only request has none. */
    public Optional<float[]> vector() {
        return vector == null ? Optional.empty() : Optional.of(vector.clone());
    }

    public Optional<String> text() {
        return Optional.ofNullable(text);
    }

    public int topK() {
        return topK;
    }

    public Optional<Filter> filter() {
        return Optional.ofNullable(filter);
    }

    /** The same request with another filter (used by scopes that add conditions). */
    public SearchRequest withFilter(Filter newFilter) {
        return new SearchRequest(vector, text, topK, Objects.requireNonNull(newFilter, "filter"));
    }

    /** The same request with a query text added, for stores that embed queries themselves. */
    public SearchRequest withText(String queryText) {
        return new SearchRequest(vector, Objects.requireNonNull(queryText, "text"), topK, filter);
    }
}
