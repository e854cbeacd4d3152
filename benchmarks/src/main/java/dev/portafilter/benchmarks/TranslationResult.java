package dev.portafilter.benchmarks;

/** One translator on a filter of {@code clauses} clauses: JMH's mean ns/op with its 99.9% error, and bytes/op. */
public record TranslationResult(String library, String translator, int clauses, double nanosPerOp,
                                double errorNanos, double bytesPerOp) {
}
