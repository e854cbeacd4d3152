package dev.portafilter.cli;

/**
 * Exit codes of the portafilter command. Every expected failure prints one line, {@code portafilter: <message>}, on
 * stderr and exits with one of these; only {@link #INTERNAL_ERROR} prints a stack trace.
 */
final class ExitCodes {
    static final int OK = 0;
    /**
     * A check ran and failed: an audit test or a case failed, {@code explain} found a backend that cannot express
     * the filter, {@code ingest --skip-invalid} skipped documents.
     */
    static final int FAILED = 1;
    /** Bad command-line usage: an unknown command or option, a missing or malformed option value (picocli's code). */
    static final int USAGE = 2;
    /** The backend could not be reached, or the connection settings are missing or wrong. */
    static final int BACKEND_UNAVAILABLE = 3;
    /**
     * Bad input: a missing, unreadable or malformed file (cases, schema, sidecar), an invalid filter, a record or
     * schema field the backend cannot take, an option value such as an index name the backend does not accept, an
     * output path that cannot be written. The message names the file and JSON path, record and field, or option.
     */
    static final int BAD_INPUT = 4;
    /** The backend was reached but refused or failed a request (an error answer, a lost connection, a conflict). */
    static final int BACKEND_FAILED = 5;
    /** A bug in portafilter: anything else. Prints the stack trace; please report it. */
    static final int INTERNAL_ERROR = 70;

    private ExitCodes() {
    }
}
