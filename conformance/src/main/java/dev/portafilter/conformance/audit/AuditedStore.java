package dev.portafilter.conformance.audit;

import dev.portafilter.conformance.StoreFixture;

/** The fixture of the audit in progress; the audit's contract classes read it. One audit runs at a time. */
final class AuditedStore {
    private static volatile StoreFixture current;

    private AuditedStore() {
    }

    static StoreFixture current() {
        StoreFixture f = current;
        if (f == null) {
            throw new IllegalStateException("no audit is running: use ConformanceAudit.run");
        }
        return f;
    }

    static void set(StoreFixture fixture) {
        current = fixture;
    }
}
