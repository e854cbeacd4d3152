package dev.portafilter.conformance;

/**
 * Marks the contract classes. {@link ContractCountingListener} counts the tests run in every subclass, per
 * {@link Backend}, so a CI log shows how many contract tests ran on each backend.
 */
public interface ConformanceContract {
}
