package dev.portafilter.core.metadata;

import java.util.Collection;

/** What a plain Java value is, for the errors that refuse one. */
final class JavaValues {
    private JavaValues() {
    }

    /** A short description of a Java value's kind, for error messages. */
    static String describe(Object value) {
        if (value == null) {
            return "null";
        }
        if (value instanceof String) {
            return "a string";
        }
        if (value instanceof Boolean) {
            return "a boolean";
        }
        if (value instanceof Number) {
            return "a number";
        }
        if (value instanceof Collection<?>) {
            return "a list";
        }
        return "a " + value.getClass().getSimpleName();
    }

}
