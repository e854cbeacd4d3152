package dev.portafilter.benchmarks;

/**
 * One system on one filter case. Latencies in milliseconds from single-threaded queries; queries per second at
 * 1 and 4 client threads; recall@k against the exact filtered top-k; the share of queries that returned the
 * full k among those whose filter matches at least k rows; the mean rows returned; and the returned rows that
 * the filter does not match (a wrong translation, e.g. a leak across tenants).
 */
public record SearchResult(String system, String backend, String filterCase, double p50Millis, double p95Millis,
                           double p99Millis, double qps1, double qps4, double recall, double fullKShare,
                           double meanReturned, long foreignRows) {
}
