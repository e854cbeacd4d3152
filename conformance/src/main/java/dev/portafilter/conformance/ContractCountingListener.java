package dev.portafilter.conformance;

/**
 * Counts the contract tests that ran, per backend, and prints one line per backend when the test plan ends:
 * {@code [conformance] pgvector: 212 contract tests, 212 passed, 0 failed, 0 skipped}. The same lines are
 * appended to {@code target/conformance-summary.txt} of the module, which {@code .ci/run} checks.
 */
public final class ContractCountingListener extends BackendCountingListener {

    public ContractCountingListener() {
        super(ConformanceContract.class, "conformance-summary.txt");
    }

    @Override
    protected String line(String backend, int passed, int failed, int aborted) {
        return String.format("[conformance] %s: %d contract tests, %d passed, %d failed, %d skipped",
                backend, passed + failed + aborted, passed, failed, aborted);
    }
}
