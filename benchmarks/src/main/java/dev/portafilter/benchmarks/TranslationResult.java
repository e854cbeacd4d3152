package dev.portafilter.benchmarks;

/**
 * One translator on a filter of {@code clauses} clauses: the median and 99th percentile of JMH's sampled times (the
 * median, because on a shared machine the mean follows the noise), and bytes allocated per operation.
 */
public record TranslationResult(String library, String translator, int clauses, double p50Nanos, double p99Nanos,
                                double bytesPerOp) {
}
