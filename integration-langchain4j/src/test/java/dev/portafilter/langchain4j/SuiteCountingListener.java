package dev.portafilter.langchain4j;

import dev.portafilter.conformance.BackendCountingListener;
import org.junit.platform.launcher.TestIdentifier;

/**
 * One line per backend when the tests end, also appended to {@code target/integration-summary.txt}:
 * {@code [langchain4j] pgvector: 120 run, 110 passed, 0 failed, 10 declined}. Declined are the aborted tests, which
 * {@link DeclinedCases} makes of the suite cases Portafilter declines by design.
 */
public final class SuiteCountingListener extends BackendCountingListener {

    public SuiteCountingListener() {
        super(LangChain4jSuite.class, "integration-summary.txt");
    }

    /** A test the suite itself switches off ({@code supportsContains()} false) did not run: it is not counted. */
    @Override
    public void executionSkipped(TestIdentifier test, String reason) {
    }

    @Override
    protected String line(String backend, int passed, int failed, int aborted) {
        return String.format("[langchain4j] %s: %d run, %d passed, %d failed, %d declined",
                backend, passed + failed + aborted, passed, failed, aborted);
    }
}
