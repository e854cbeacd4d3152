package dev.portafilter.conformance.audit;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The outcome of one audit: the backend, every test with its status, and the totals.
 *
 * @param backend     the backend's name
 * @param target      where it ran (URL or host, credentials never included)
 * @param startedAt   when the audit started
 * @param duration    how long it took
 * @param tests       every test, in the order they finished
 */
public record AuditResult(String backend, String target, Instant startedAt, Duration duration, List<TestOutcome> tests) {

    public enum Status { PASSED, FAILED, SKIPPED }

    /**
     * One test.
     *
     * @param contract the contract class, e.g. {@code TenantIsolationContract}
     * @param name     the test's display name (for a semantics case: the case and its filter)
     * @param status   passed, failed or skipped
     * @param message  the failure or skip reason, empty when passed
     * @param seed     jqwik's seed for a property test, to replay it; empty otherwise
     * @param millis   duration
     */
    public record TestOutcome(String contract, String name, Status status, String message, String seed, long millis) {
    }

    public long count(Status status) {
        return tests.stream().filter(t -> t.status() == status).count();
    }

    public boolean passed() {
        return count(Status.FAILED) == 0 && !tests.isEmpty();
    }
}
