package dev.portafilter.core;

/**
 * A filter that cannot be parsed or does not fit the schema. {@link #path()} is a JSON path into the
 * filter's canonical JSON form, e.g. {@code $.$and[1].publicationYear.$gt}.
 */
public class InvalidFilterException extends PortafilterException {
    private final String path;
    private final String reason;

    public InvalidFilterException(String path, String reason) {
        super(path + ": " + reason);
        this.path = path;
        this.reason = reason;
    }

    public String path() {
        return path;
    }

    public String reason() {
        return reason;
    }
}
