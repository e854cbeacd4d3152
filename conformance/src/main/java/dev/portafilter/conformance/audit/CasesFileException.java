package dev.portafilter.conformance.audit;

import dev.portafilter.core.PortafilterException;

/**
 * A malformed cases file, or one the backend cannot take (a field it cannot hold, a value it cannot store, a filter
 * it cannot express); {@link #path()} is the JSON path of the offending node, e.g. {@code $.cases[2].expect[0]}.
 */
public class CasesFileException extends PortafilterException {
    private final String path;

    public CasesFileException(String path, String reason) {
        this(path, reason, null);
    }

    public CasesFileException(String path, String reason, Throwable cause) {
        super(path + ": " + reason, cause);
        this.path = path;
    }

    public String path() {
        return path;
    }
}
