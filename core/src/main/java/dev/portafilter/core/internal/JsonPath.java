package dev.portafilter.core.internal;

/** Builds JSON paths such as {@code $.$and[1].publicationYear.$gt} for error messages. */
public final class JsonPath {
    private JsonPath() {
    }

    public static final String ROOT = "$";

    public static String key(String parent, String key) {
        if (isSimple(key)) {
            return parent + "." + key;
        }
        return parent + "['" + key.replace("\\", "\\\\").replace("'", "\\'") + "']";
    }

    /**
     * Whether the key can follow a dot: {@code [A-Za-z_$][A-Za-z0-9_$-]*}. A loop, not a regular expression:
     * every filter node's path is built with it, and validating a filter must stay cheap.
     */
    private static boolean isSimple(String key) {
        if (key.isEmpty()) {
            return false;
        }
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            boolean letter = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' || c == '$';
            if (!letter && (i == 0 || !((c >= '0' && c <= '9') || c == '-'))) {
                return false;
            }
        }
        return true;
    }

    public static String index(String parent, int index) {
        return parent + "[" + index + "]";
    }
}
