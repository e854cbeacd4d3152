package dev.portafilter.cli;

/** Exit codes of the portafilter command. */
final class ExitCodes {
    static final int OK = 0;
    /** A test, case or isolation check failed. */
    static final int FAILED = 1;
    /** Bad command-line usage (picocli's own code). */
    static final int USAGE = 2;
    /** The backend could not be reached or refused the connection settings. */
    static final int BACKEND_UNAVAILABLE = 3;
    /** An input file is malformed. */
    static final int BAD_INPUT = 4;

    private ExitCodes() {
    }
}
