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
 * Counts the contract tests that ran, per backend, and prints one line per backend when the test plan ends:
 * {@code [conformance] pgvector: 212 contract tests, 212 passed, 0 failed, 0 skipped}. The same lines are
 * appended to {@code target/conformance-summary.txt} of the module, which {@code .ci/run} checks.
 */
public final class ContractCountingListener implements TestExecutionListener {
    private final Map<String, int[]> counts = new TreeMap<>();
    private TestPlan plan;

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
        counts.forEach((backend, c) -> lines.append(String.format("[conformance] %s: %d contract tests, %d passed, %d failed, %d skipped%n",
                backend, c[0] + c[1] + c[2], c[0], c[1], c[2])));
        System.out.print(lines);
        try {
            Path target = Path.of("target");
            Files.createDirectories(target);
            Files.writeString(target.resolve("conformance-summary.txt"), lines, StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            System.err.println("[conformance] cannot write target/conformance-summary.txt: " + e);
        }
    }

    /** The nearest enclosing class with {@link Backend}; jqwik names the declaring class, its container the concrete one. */
    private Optional<String> backendOf(TestIdentifier test) {
        Optional<String> contract = Optional.empty();
        for (TestIdentifier t = test; t != null; t = parent(t)) {
            Optional<Class<?>> type = t.getSource().flatMap(ContractCountingListener::classOf);
            if (type.isPresent() && ConformanceContract.class.isAssignableFrom(type.get())) {
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
