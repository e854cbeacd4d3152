package dev.portafilter.conformance.audit;

import dev.portafilter.core.PortafilterException;

/** A malformed cases file; {@link #path()} is the JSON path of the offending node, e.g. {@code $.cases[2].expect[0]}. */
public class CasesFileException extends PortafilterException {
    private final String path;

    public CasesFileException(String path, String reason) {
        super(path + ": " + reason);
        this.path = path;
    }

    public String path() {
        return path;
    }
}
