package dev.portafilter.core;

/**
 * A metadata schema that a backend or a feature cannot use as it is: a field name the backend would misread or
 * cannot hold, a field that collides with one of the store's own fields, a tenant field of the wrong type.
 * {@link #field()} names the field. Raised when the store or view is configured, before any request.
 */
public class InvalidSchemaException extends PortafilterException {
    private final String field;
    private final String reason;

    public InvalidSchemaException(String field, String reason) {
        super("field '" + field + "': " + reason);
        this.field = field;
        this.reason = reason;
    }

    /** The offending field's name. */
    public String field() {
        return field;
    }

    public String reason() {
        return reason;
    }
}
