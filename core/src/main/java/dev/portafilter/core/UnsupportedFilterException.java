package dev.portafilter.core;

/**
 * A valid portable filter that a backend cannot express with the same meaning. Raised before any request
 * is sent, so a filter never silently means something else on that backend.
 */
public class UnsupportedFilterException extends InvalidFilterException {
    private final String backend;

    public UnsupportedFilterException(String backend, String path, String reason) {
        super(path, backend + " cannot express this filter: " + reason);
        this.backend = backend;
    }

    public String backend() {
        return backend;
    }
}
