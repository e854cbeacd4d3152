package dev.portafilter.core.filter;

import java.util.regex.Pattern;

/** Builds JSON paths such as {@code $.$and[1].publicationYear.$gt} for error messages. */
public final class JsonPath {
    private static final Pattern SIMPLE = Pattern.compile("[A-Za-z_$][A-Za-z0-9_$-]*");

    private JsonPath() {
    }

    public static final String ROOT = "$";

    public static String key(String parent, String key) {
        if (SIMPLE.matcher(key).matches()) {
            return parent + "." + key;
        }
        return parent + "['" + key.replace("\\", "\\\\").replace("'", "\\'") + "']";
    }

    public static String index(String parent, int index) {
        return parent + "[" + index + "]";
    }
}
