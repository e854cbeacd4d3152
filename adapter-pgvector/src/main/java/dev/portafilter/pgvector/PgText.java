package dev.portafilter.pgvector;

/** What PostgreSQL {@code text} cannot hold: the NUL character, and UTF-16 that is not Unicode (lone surrogates). */
final class PgText {
    private PgText() {
    }

    /** Why the string cannot be stored or compared exactly in PostgreSQL, or null when it can. */
    static String problem(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\0') {
                return "PostgreSQL text cannot hold the NUL character (U+0000)";
            }
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                // the driver would encode it as '?', silently changing the value
                return "the string holds an unpaired UTF-16 surrogate, which is not Unicode text";
            }
        }
        return null;
    }
}
