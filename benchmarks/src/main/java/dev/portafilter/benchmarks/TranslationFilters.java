package dev.portafilter.benchmarks;

import dev.portafilter.core.filter.Filter;
import dev.portafilter.core.filter.Filters;

import java.util.ArrayList;
import java.util.List;

/**
 * The filters of the translation benchmark: the tenant, then clauses of every kind the peers share (equality,
 * range, {@code $in}, {@code $ne}, {@code $nin}) in rotation, all ANDed.
 */
public final class TranslationFilters {
    private TranslationFilters() {
    }

    /** A filter of {@code clauses} leaf conditions; one clause is the tenant equality alone. */
    public static Filter withClauses(int clauses) {
        if (clauses < 1) {
            throw new IllegalArgumentException("at least one clause, was " + clauses);
        }
        List<Filter> all = new ArrayList<>(clauses);
        all.add(Filters.eq("tenant", "tenant-1"));
        for (int i = 1; i < clauses; i++) {
            all.add(switch (i % 5) {
                case 1 -> Filters.gte("publicationYear", 2000 + i % 26);
                case 2 -> Filters.in("documentType", "pdf", "html", Dataset.DOCUMENT_TYPES.get(i % 6));
                case 3 -> Filters.ne("documentType", "email");
                case 4 -> Filters.nin("region", "MEA", Dataset.REGIONS.get(i % 5));
                default -> Filters.eq("region", Dataset.REGIONS.get(i % 5));
            });
        }
        return clauses == 1 ? all.get(0) : Filters.and(all);
    }
}
