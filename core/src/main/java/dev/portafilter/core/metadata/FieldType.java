package dev.portafilter.core.metadata;

/** The declared type of a metadata field; adapters map each to a typed column or mapping. */
public enum FieldType {
    STRING, LONG, DOUBLE, BOOLEAN, STRING_LIST;

    /** Whether range operators ({@code $gt} ...) apply. */
    public boolean isNumeric() {
        return this == LONG || this == DOUBLE;
    }

    /** The kind of filter value that compares with this field. */
    public ScalarValue.ValueKind valueKind() {
        return switch (this) {
            case STRING, STRING_LIST -> ScalarValue.ValueKind.STRING;
            case LONG, DOUBLE -> ScalarValue.ValueKind.NUMBER;
            case BOOLEAN -> ScalarValue.ValueKind.BOOLEAN;
        };
    }
}
