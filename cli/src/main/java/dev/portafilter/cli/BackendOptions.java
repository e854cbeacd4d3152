package dev.portafilter.cli;

import dev.portafilter.conformance.StoreFixture;
import picocli.CommandLine.Option;

/** Which backend a command runs against, and how to reach it. Connection settings default to the environment. */
final class BackendOptions {
    enum Backend { MEMORY }

    @Option(names = "--backend", description = "memory (default)", defaultValue = "memory")
    Backend backend;

    /**
     * A fixture that creates scratch stores on the chosen backend and removes them afterwards, after checking that
     * the backend answers.
     */
    StoreFixture connect() {
        return switch (backend) {
            case MEMORY -> StoreFixture.inMemory();
        };
    }

    /** The backend cannot be reached, or the connection settings are wrong. */
    static final class BackendUnavailableException extends RuntimeException {
        BackendUnavailableException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Where the backend is, for reports; never includes credentials. */
    String target() {
        return switch (backend) {
            case MEMORY -> "in-process";
        };
    }
}
