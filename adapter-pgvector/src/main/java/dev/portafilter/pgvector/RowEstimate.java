package dev.portafilter.pgvector;

/**
 * PostgreSQL's row estimates for one filter, from which {@link SearchPlanner} chooses a plan.
 *
 * @param filteredRows the planner's estimate for {@code SELECT 1 FROM t WHERE filter}
 * @param tableRows    the planner's estimate for {@code SELECT 1 FROM t}, under the same row-level security
 * @param reltuples    {@code pg_class.reltuples} (-1 before the first ANALYZE)
 */
record RowEstimate(double filteredRows, double tableRows, double reltuples) {
}
