package dev.portafilter.conformance.audit;

import dev.portafilter.conformance.StoreFixture;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.reporting.ReportEntry;
import org.junit.platform.engine.support.descriptor.ClassSource;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;
import org.junit.platform.launcher.core.LauncherConfig;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.reporting.legacy.xml.LegacyXmlReportGeneratingListener;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

/**
 * Runs the whole conformance suite — semantics cases, property tests, isolation cases — against one store
 * fixture, through the JUnit Platform launcher, so auditors run exactly the tests CI runs.
 */
public final class ConformanceAudit {
    private static final Object ONE_AT_A_TIME = new Object();

    private ConformanceAudit() {
    }

    /**
     * Runs the suite, without JUnit XML.
     *
     * @param fixture  creates and disposes scratch stores on the audited backend
     * @param target   a description of where it runs, for the report (no credentials)
     */
    public static AuditResult run(StoreFixture fixture, String target, AuditListener listener) {
        return runOnce(fixture, target, Optional.empty(), listener);
    }

    /**
     * Runs the suite, as {@link #run(StoreFixture, String, AuditListener)}, and writes JUnit XML to
     * {@code xmlReportDir}.
     */
    public static AuditResult run(StoreFixture fixture, String target, Path xmlReportDir, AuditListener listener) {
        return runOnce(fixture, target, Optional.of(Objects.requireNonNull(xmlReportDir, "xmlReportDir")), listener);
    }

    private static AuditResult runOnce(StoreFixture fixture, String target, Optional<Path> xmlReportDir,
                                       AuditListener listener) {
        synchronized (ONE_AT_A_TIME) {
            AuditedStore.set(fixture);
            try {
                return launch(fixture, target, xmlReportDir, listener);
            } finally {
                AuditedStore.set(null);
            }
        }
    }

    private static AuditResult launch(StoreFixture fixture, String target, Optional<Path> xmlReportDir,
                                      AuditListener listener) {
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                .selectors(selectClass(AuditVectorStoreContract.class), selectClass(AuditFilterPropertyContract.class),
                        selectClass(AuditTenantIsolationContract.class))
                // jqwik publishes each failing property's seed through the platform, where the report picks it up
                .configurationParameter("jqwik.reporting.usejunitplatform", "true")
                .configurationParameter("jqwik.reporting.onlyfailures", "true")
                // never leave jqwik's failure database in the auditor's working directory
                .configurationParameter("jqwik.database", Path.of(System.getProperty("java.io.tmpdir"),
                        "portafilter-audit-jqwik-database").toString())
                .build();
        // The build's counting listener is for CI logs; an audit reports through its own result.
        Launcher launcher = LauncherFactory.create(LauncherConfig.builder()
                .enableTestExecutionListenerAutoRegistration(false).build());
        Collector collector = new Collector(listener);
        List<TestExecutionListener> listeners = new ArrayList<>(List.of(collector));
        xmlReportDir.ifPresent(dir -> listeners.add(new LegacyXmlReportGeneratingListener(dir,
                new PrintWriter(new StringWriter()))));
        Instant start = Instant.now();
        launcher.execute(request, listeners.toArray(TestExecutionListener[]::new));
        return new AuditResult(fixture.name(), target, start, Duration.between(start, Instant.now()),
                List.copyOf(collector.outcomes));
    }

    private static final class Collector implements TestExecutionListener {
        private final AuditListener listener;
        private final List<AuditResult.TestOutcome> outcomes = new ArrayList<>();
        private final Map<String, Long> started = new ConcurrentHashMap<>();
        private final Map<String, String> seeds = new ConcurrentHashMap<>();
        private final Map<String, Integer> indexById = new ConcurrentHashMap<>();
        private TestPlan plan;
        private int failed;

        Collector(AuditListener listener) {
            this.listener = listener;
        }

        @Override
        public void testPlanExecutionStarted(TestPlan testPlan) {
            plan = testPlan;
        }

        @Override
        public void executionStarted(TestIdentifier test) {
            started.put(test.getUniqueId(), System.nanoTime());
        }

        /** jqwik publishes a property's seed as a report entry, after the property finished. */
        @Override
        public synchronized void reportingEntryPublished(TestIdentifier test, ReportEntry entry) {
            entry.getKeyValuePairs().forEach((k, v) -> {
                int at = v.indexOf("seed = ");
                if (at < 0) {
                    return;
                }
                String seed = v.substring(at + 7).trim().split("\\s")[0];
                seeds.put(test.getUniqueId(), seed);
                Integer index = indexById.get(test.getUniqueId());
                if (index != null) {
                    AuditResult.TestOutcome t = outcomes.get(index);
                    outcomes.set(index, new AuditResult.TestOutcome(t.contract(), t.name(), t.status(), t.message(),
                            seed, t.millis()));
                }
            });
        }

        @Override
        public void executionSkipped(TestIdentifier test, String reason) {
            if (test.isTest()) {
                record(test, AuditResult.Status.SKIPPED, reason);
            }
        }

        @Override
        public void executionFinished(TestIdentifier test, TestExecutionResult result) {
            if (test.isTest()) {
                AuditResult.Status status = switch (result.getStatus()) {
                    case SUCCESSFUL -> AuditResult.Status.PASSED;
                    case FAILED -> AuditResult.Status.FAILED;
                    case ABORTED -> AuditResult.Status.SKIPPED;
                };
                record(test, status, result.getThrowable().map(Throwable::getMessage).orElse(""));
            } else if (result.getStatus() == TestExecutionResult.Status.FAILED) {
                // A container that fails (e.g. the backend refused to create a scratch store) fails the audit too.
                record(test, AuditResult.Status.FAILED, result.getThrowable().map(Throwable::toString).orElse(""));
            }
        }

        private synchronized void record(TestIdentifier test, AuditResult.Status status, String message) {
            Long t0 = started.remove(test.getUniqueId());
            long millis = t0 == null ? 0 : (System.nanoTime() - t0) / 1_000_000;
            AuditResult.TestOutcome outcome = new AuditResult.TestOutcome(contractOf(test), test.getDisplayName(),
                    status, message == null ? "" : message, seeds.getOrDefault(test.getUniqueId(), ""), millis);
            indexById.put(test.getUniqueId(), outcomes.size());
            outcomes.add(outcome);
            if (status == AuditResult.Status.FAILED) {
                failed++;
            }
            listener.testFinished(outcome, outcomes.size(), failed);
        }

        /** The contract a test belongs to; jqwik names the declaring class, Jupiter the audit subclass. */
        private String contractOf(TestIdentifier test) {
            for (TestIdentifier t = test; t != null; t = plan.getParent(t).orElse(null)) {
                Optional<Class<?>> type = t.getSource().flatMap(s -> s instanceof ClassSource c ? Optional.of(c.getJavaClass())
                        : s instanceof MethodSource m ? Optional.of(m.getJavaClass()) : Optional.empty());
                if (type.isPresent()) {
                    Class<?> c = type.get();
                    return c.getPackage().equals(Collector.class.getPackage()) ? c.getSuperclass().getSimpleName()
                            : c.getSimpleName();
                }
            }
            return "";
        }
    }
}
