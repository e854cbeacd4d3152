package dev.portafilter.pgvector;

import java.util.List;
import java.util.Objects;

/**
 * SQL text with {@code ?} placeholders and the values to bind to them, in order. A value is a String, Long,
 * Double or Boolean, or a List of one of those, bound as a PostgreSQL array. Values are never part of the text.
 */
public record SqlFragment(String sql, List<Object> params) {
    public SqlFragment {
        Objects.requireNonNull(sql, "sql");
        params = List.copyOf(params);
    }

    @Override
    public String toString() {
        return sql + "  -- params " + params;
    }
}
