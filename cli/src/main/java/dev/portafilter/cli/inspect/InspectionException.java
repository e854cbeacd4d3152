package dev.portafilter.cli.inspect;

/** An inspection that cannot go on; {@link #kind()} says whose fault it is, which picks the command's exit code. */
public final class InspectionException extends RuntimeException {
    /**
     * Bad input: the table, index or field named does not exist or cannot be read as one; unreachable: no answer
     * from the backend at all.
     */
    public enum Kind { BAD_INPUT, BACKEND_FAILED, UNREACHABLE }

    private final Kind kind;

    InspectionException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
