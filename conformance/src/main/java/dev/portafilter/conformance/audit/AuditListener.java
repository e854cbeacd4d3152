package dev.portafilter.conformance.audit;

/** Progress of a running audit, for a terminal progress bar. */
public interface AuditListener {
    AuditListener NONE = (outcome, done, failed) -> { };

    /** Called after each test; {@code done} and {@code failed} are totals so far. */
    void testFinished(AuditResult.TestOutcome outcome, int done, int failed);
}
