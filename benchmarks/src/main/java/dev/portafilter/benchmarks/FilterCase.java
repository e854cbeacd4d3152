package dev.portafilter.benchmarks;

import dev.portafilter.core.filter.Filter;
import dev.portafilter.core.filter.Filters;

import java.util.List;

/**
 * One filter every system runs: a tenant alone at each selectivity, and the 1% tenant combined with a range, an
 * {@code $in} and an {@code $ne}. {@code label} is the column heading in the report.
 */
public record FilterCase(String label, Filter filter) {

    /** The tenant of the compound cases: the one holding about 1% of the rows. */
    public static final String COMPOUND_TENANT = "tenant-1";

    public static List<FilterCase> all() {
        Filter onePercent = Filters.eq("tenant", COMPOUND_TENANT);
        return List.of(
                new FilterCase("0.1%", Filters.eq("tenant", "tenant-0.1")),
                new FilterCase("1%", onePercent),
                new FilterCase("10%", Filters.eq("tenant", "tenant-10")),
                new FilterCase("50%", Filters.eq("tenant", "tenant-50")),
                new FilterCase("1% ∧ year ≥ 2015", Filters.and(onePercent, Filters.gte("publicationYear", 2015))),
                new FilterCase("1% ∧ type $in", Filters.and(onePercent, Filters.in("documentType", "pdf", "html"))),
                new FilterCase("1% ∧ type $ne", Filters.and(onePercent, Filters.ne("documentType", "email"))));
    }
}
