package dev.portafilter.core;

/** A record that does not fit the schema or the store; names the record id and the field. */
public class InvalidRecordException extends PortafilterException {
    private final String recordId;
    private final String field;
    private final String reason;

    public InvalidRecordException(String recordId, String field, String reason) {
        super("record " + quote(recordId) + (field == null ? "" : ", field " + quote(field)) + ": " + reason);
        this.recordId = recordId;
        this.field = field;
        this.reason = reason;
    }

    private static String quote(String s) {
        return s == null ? "<none>" : "'" + s + "'";
    }

    /** The offending record's id, or null when the record has none. */
    public String recordId() {
        return recordId;
    }

    /** The offending metadata field, or null when the problem is not a field's. */
    public String field() {
        return field;
    }

    public String reason() {
        return reason;
    }
}
