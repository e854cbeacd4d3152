package dev.portafilter.core.filter;

/**
 * One method per node of {@link Filter}. Every translator and evaluator implements this interface, so a new
 * operator breaks the compile of every backend that does not handle it yet.
 */
public interface FilterVisitor<R> {
    R eq(Filter.Eq eq);

    R ne(Filter.Ne ne);

    R range(Filter.Range range);

    R in(Filter.In in);

    R nin(Filter.Nin nin);

    R exists(Filter.Exists exists);

    R and(Filter.And and);

    R or(Filter.Or or);

    R not(Filter.Not not);
}
