package dev.portafilter.conformance.faults;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The account of a {@link FaultWorkload} run: faults injected, operations and typed failures per phase, the
 * invariants (acknowledged writes lost, wrong-tenant rows, short answers returned as complete), the failed writes
 * sent again, and latency per kind of operation.
 */
public record FaultReport(String label, int tenants, int workers, List<String> faults, List<PhaseFigures> phases,
                          Map<String, Integer> failureTypes, long acknowledgedLost, long wrongTenantRows,
                          long shortAnswers, long deleteCountsShort, int retried, long finalRecords,
                          List<String> violations, Duration elapsed, Map<FaultWorkload.Kind, Latency> latencies,
                          Latency overall) {

    /** Where {@link #print} appends its lines, relative to the module being tested; {@code scripts/test.sh} prints it. */
    public static final Path FIGURES_FILE = Path.of("target", "fault-figures.txt");

    public record PhaseFigures(String name, int operations, int readsFailed, int writesFailed) {
    }

    /** Operations of one kind: how many, how many failed, and the latency of all of them. */
    public record Latency(int operations, double p50Millis, double p99Millis, double maxMillis) {
    }

    public int operations() {
        return phases.stream().mapToInt(PhaseFigures::operations).sum();
    }

    public int readsFailed() {
        return phases.stream().mapToInt(PhaseFigures::readsFailed).sum();
    }

    public int writesFailed() {
        return phases.stream().mapToInt(PhaseFigures::writesFailed).sum();
    }

    public double operationsPerSecond() {
        return operations() / Math.max(1e-9, elapsed.toNanos() / 1e9);
    }

    /** The lines {@link #print} writes, each starting with {@code [faults] label}. */
    public List<String> lines() {
        String p = "[faults] " + label + ": ";
        List<String> out = new ArrayList<>();
        out.add(p + String.format("%d tenants, %d workers, %.1f s; faults injected: %d; operations: %d; failed typed: "
                        + "%d (%d reads, %d writes) %s", tenants, workers, elapsed.toNanos() / 1e9, faults.size(),
                operations(), readsFailed() + writesFailed(), readsFailed(), writesFailed(), failureTypes));
        out.add(p + String.format("acknowledged writes lost: %d; wrong-tenant rows: %d; short answers returned as "
                        + "complete: %d; failed writes retried: %d (converged); records at the end: %d; delete counts "
                        + "short: %d; violations: %d", acknowledgedLost, wrongTenantRows, shortAnswers, retried,
                finalRecords, deleteCountsShort, violations.size()));
        for (String fault : faults) {
            out.add(p + "fault: " + fault);
        }
        for (PhaseFigures f : phases) {
            out.add(p + String.format("  %-28s %6d operations, %5d reads and %5d writes failed typed", f.name(),
                    f.operations(), f.readsFailed(), f.writesFailed()));
        }
        latencies.forEach((kind, l) -> out.add(p + "  " + latencyLine(kind.name(), l)));
        out.add(p + "  " + latencyLine("all", overall));
        violations.stream().limit(20).forEach(v -> out.add(p + "violation: " + v));
        return out;
    }

    private static String latencyLine(String what, Latency l) {
        return String.format("%-14s %6d operations, p50 %7.2f ms, p99 %8.2f ms, max %8.2f ms", what, l.operations(),
                l.p50Millis(), l.p99Millis(), l.maxMillis());
    }

    /** Prints the figures and appends them to {@link #FIGURES_FILE}. */
    public FaultReport print() {
        List<String> lines = lines();
        lines.forEach(System.out::println);
        try {
            Files.createDirectories(FIGURES_FILE.toAbsolutePath().getParent());
            Files.write(FIGURES_FILE, lines, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + FIGURES_FILE.toAbsolutePath(), e);
        }
        return this;
    }

    /** Whether what must hold whatever the faults held: nothing lost, nothing of another tenant, no short answer. */
    public boolean held() {
        return violations.isEmpty() && acknowledgedLost == 0 && wrongTenantRows == 0 && shortAnswers == 0;
    }

    /** Asserts {@link #held}; the error carries the figures and the first violations. */
    public FaultReport assertHeld() {
        assertThat(held()).as("%s: the invariants broke%n%s", label, String.join(System.lineSeparator(), lines()))
                .isTrue();
        return this;
    }

    static Map<FaultWorkload.Kind, Latency> summarise(Map<FaultWorkload.Kind, List<Long>> nanos) {
        Map<FaultWorkload.Kind, Latency> out = new EnumMap<>(FaultWorkload.Kind.class);
        nanos.forEach((kind, values) -> out.put(kind, latency(values)));
        return out;
    }

    static Latency latency(List<Long> nanos) {
        List<Long> sorted = new ArrayList<>(nanos);
        Collections.sort(sorted);
        return new Latency(sorted.size(), percentile(sorted, 0.50), percentile(sorted, 0.99),
                sorted.isEmpty() ? 0 : sorted.get(sorted.size() - 1) / 1e6);
    }

    private static double percentile(List<Long> sorted, double q) {
        if (sorted.isEmpty()) {
            return 0;
        }
        int i = (int) Math.ceil(q * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i))) / 1e6;
    }
}
