package dev.portafilter.benchmarks;

import dev.portafilter.core.filter.Filter;
import dev.portafilter.core.filter.Filters;

import java.util.List;
import java.util.Optional;

/**
 * One filter every system runs: a tenant alone at each selectivity, and the 1% tenant combined with a range, an
 * {@code $in} and an {@code $ne}. {@code label} is the column heading in the report.
 */
public record FilterCase(String label, Filter filter) {

    /** The tenant of the compound cases: the one holding about 1% of the rows. */
    public static final String COMPOUND_TENANT = "tenant-1";

    /** The tenant-only cases, by the share of rows they match, in percent. */
    public static final List<String> SELECTIVITIES = List.of("0.1%", "1%", "10%", "50%");

    /** The share of rows a tenant-only case matches, in percent, from its label; empty for compound cases. */
    public static Optional<Double> selectivityPercent(String label) {
        return SELECTIVITIES.contains(label)
                ? Optional.of(Double.parseDouble(label.substring(0, label.length() - 1))) : Optional.empty();
    }

    public static List<FilterCase> all() {
        Filter onePercent = Filters.eq("tenant", COMPOUND_TENANT);
        return List.of(
                new FilterCase(SELECTIVITIES.get(0), Filters.eq("tenant", "tenant-0.1")),
                new FilterCase(SELECTIVITIES.get(1), onePercent),
                new FilterCase(SELECTIVITIES.get(2), Filters.eq("tenant", "tenant-10")),
                new FilterCase(SELECTIVITIES.get(3), Filters.eq("tenant", "tenant-50")),
                new FilterCase("1% ∧ year ≥ 2015", Filters.and(onePercent, Filters.gte("publicationYear", 2015))),
                new FilterCase("1% ∧ type $in", Filters.and(onePercent, Filters.in("documentType", "pdf", "html"))),
                new FilterCase("1% ∧ type $ne", Filters.and(onePercent, Filters.ne("documentType", "email"))));
    }
}
