package dev.portafilter.springai;

import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Counts the runs of Spring AI's own suite per {@link SuiteBackend} and, when the test plan ends, prints one line per
 * backend and writes the same lines to {@code target/integration-summary.txt} (replacing the previous run's):
 * {@code [spring-ai] pgvector: 3 run, 3 passed, 0 failed, 0 declined}. A test aborted for another reason than a
 * decline (a backend missing outside CI) is added as {@code , N skipped}, so it is never silent.
 */
public final class SuiteSummaryListener implements TestExecutionListener {
    static final Path SUMMARY = Path.of("target", "integration-summary.txt");

    private final Map<String, int[]> counts = new TreeMap<>();

    @Override
    public void executionFinished(TestIdentifier test, TestExecutionResult result) {
        if (!test.isTest()) {
            return;
        }
        backendOf(test).ifPresent(backend -> {
            int[] c = counts.computeIfAbsent(backend, b -> new int[4]);
            switch (result.getStatus()) {
                case SUCCESSFUL -> c[0]++;
                case FAILED -> c[1]++;
                case ABORTED -> c[result.getThrowable().orElse(null) instanceof Declines.DeclinedException ? 2 : 3]++;
            }
        });
    }

    @Override
    public void testPlanExecutionFinished(org.junit.platform.launcher.TestPlan testPlan) {
        if (counts.isEmpty()) {
            return;
        }
        StringBuilder lines = new StringBuilder();
        counts.forEach((backend, c) -> {
            lines.append(String.format("[spring-ai] %s: %d run, %d passed, %d failed, %d declined", backend,
                    c[0] + c[1] + c[2] + c[3], c[0], c[1], c[2]));
            lines.append(c[3] > 0 ? ", " + c[3] + " skipped" : "").append(System.lineSeparator());
        });
        System.out.print(lines);
        try {
            Files.createDirectories(SUMMARY.getParent());
            Files.writeString(SUMMARY, lines, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + SUMMARY, e);
        }
    }

    private static Optional<String> backendOf(TestIdentifier test) {
        return test.getSource()
                .filter(MethodSource.class::isInstance)
                .map(s -> ((MethodSource) s).getJavaClass().getAnnotation(SuiteBackend.class))
                .map(SuiteBackend::value);
    }
}
