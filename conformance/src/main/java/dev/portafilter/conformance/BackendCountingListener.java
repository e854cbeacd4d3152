package dev.portafilter.conformance;

import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.TestSource;
import org.junit.platform.engine.support.descriptor.ClassSource;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Counts the tests that ran in the classes a marker type names, per {@link Backend}, and when the test plan ends prints
 * one line per backend and appends the same lines to a summary file in the module's {@code target/}, for CI to check.
 * A subclass says which marker, which file, and how a line reads; register it as a JUnit Platform
 * {@code TestExecutionListener} service.
 */
public abstract class BackendCountingListener implements TestExecutionListener {
    private final Class<?> marker;
    private final String summaryFile;
    private final Map<String, int[]> counts = new TreeMap<>();
    private TestPlan plan;

    /** Counts tests in subclasses of {@code marker}, writing {@code target/<summaryFile>}. */
    protected BackendCountingListener(Class<?> marker, String summaryFile) {
        this.marker = marker;
        this.summaryFile = summaryFile;
    }

    /** One summary line, without its line break, for a backend's counts; aborted tests are the skipped ones. */
    protected abstract String line(String backend, int passed, int failed, int aborted);

    @Override
    public void testPlanExecutionStarted(TestPlan testPlan) {
        this.plan = testPlan;
    }

    @Override
    public void executionSkipped(TestIdentifier test, String reason) {
        // A class skipped whole (its backend is not configured) still shows up, with zero tests run.
        backendOf(test).ifPresent(b -> {
            int[] c = counts.computeIfAbsent(b, k -> new int[3]);
            if (test.isTest()) {
                c[2]++;
            }
        });
    }

    @Override
    public void executionFinished(TestIdentifier test, TestExecutionResult result) {
        if (!test.isTest()) {
            return;
        }
        backendOf(test).ifPresent(b -> {
            int[] c = counts.computeIfAbsent(b, k -> new int[3]);
            switch (result.getStatus()) {
                case SUCCESSFUL -> c[0]++;
                case FAILED -> c[1]++;
                case ABORTED -> c[2]++;
            }
        });
    }

    @Override
    public void testPlanExecutionFinished(TestPlan testPlan) {
        if (counts.isEmpty()) {
            return;
        }
        StringBuilder lines = new StringBuilder();
        counts.forEach((backend, c) -> lines.append(line(backend, c[0], c[1], c[2])).append(System.lineSeparator()));
        System.out.print(lines);
        try {
            Path target = Path.of("target");
            Files.createDirectories(target);
            Files.writeString(target.resolve(summaryFile), lines, StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            System.err.println("cannot write target/" + summaryFile + ": " + e);
        }
    }

    /** The nearest enclosing class with {@link Backend}; jqwik names the declaring class, its container the concrete one. */
    private Optional<String> backendOf(TestIdentifier test) {
        Optional<String> contract = Optional.empty();
        for (TestIdentifier t = test; t != null; t = parent(t)) {
            Optional<Class<?>> type = t.getSource().flatMap(BackendCountingListener::classOf);
            if (type.isPresent() && marker.isAssignableFrom(type.get())) {
                Backend backend = type.get().getAnnotation(Backend.class);
                if (backend != null) {
                    return Optional.of(backend.value());
                }
                if (contract.isEmpty()) {
                    contract = Optional.of(type.get().getSimpleName());
                }
            }
        }
        return contract;
    }

    private TestIdentifier parent(TestIdentifier t) {
        return plan == null ? null : plan.getParent(t).orElse(null);
    }

    private static Optional<Class<?>> classOf(TestSource source) {
        try {
            if (source instanceof MethodSource m) {
                return Optional.of(m.getJavaClass());
            }
            if (source instanceof ClassSource c) {
                return Optional.of(c.getJavaClass());
            }
        } catch (RuntimeException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }
}
