package dev.portafilter.core;

/**
 * A table, index or namespace name that the backend does not accept. {@link #name()} is the name as given.
 * Raised when the store is configured, before any request.
 */
public class InvalidStoreNameException extends PortafilterException {
    private final String name;
    private final String reason;

    public InvalidStoreNameException(String name, String reason) {
        super("'" + name + "': " + reason);
        this.name = name;
        this.reason = reason;
    }

    public String name() {
        return name;
    }

    public String reason() {
        return reason;
    }
}
