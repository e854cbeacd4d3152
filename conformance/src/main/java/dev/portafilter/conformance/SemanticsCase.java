package dev.portafilter.conformance;

import dev.portafilter.core.filter.Filter;
import dev.portafilter.core.filter.FilterJson;

import java.util.Set;

/** One row of the semantics table: a filter in the JSON syntax and the exact ids it must match. */
public record SemanticsCase(String name, String filterJson, Set<String> expectedIds) {
    public SemanticsCase {
        expectedIds = Set.copyOf(expectedIds);
    }

    public Filter filter() {
        return FilterJson.parse(filterJson);
    }

    @Override
    public String toString() {
        return name + " " + filterJson;
    }
}
