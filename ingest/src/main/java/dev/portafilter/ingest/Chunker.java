package dev.portafilter.ingest;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Splits a document's text into chunks; chunk {@code n} of {@code docs/a.md} gets the record id {@code docs/a.md#n}.
 * Every chunk holds some non-whitespace text.
 */
@FunctionalInterface
public interface Chunker {

    List<String> chunk(String text);

    /** One chunk per document (the default), with surrounding whitespace trimmed. */
    static Chunker wholeDocument() {
        return text -> text.isBlank() ? List.of() : List.of(text.strip());
    }

    /** Windows of at most {@code maxChars} characters, each starting {@code maxChars - overlap} after the last. */
    static Chunker fixedSize(int maxChars, int overlap) {
        if (maxChars < 1 || overlap < 0 || overlap >= maxChars) {
            throw new IllegalArgumentException("need maxChars >= 1 and 0 <= overlap < maxChars, got " + maxChars
                    + " and " + overlap);
        }
        return text -> {
            List<String> chunks = new ArrayList<>();
            String s = text.strip();
            for (int start = 0; start < s.length(); start += maxChars - overlap) {
                String window = s.substring(start, Math.min(s.length(), start + maxChars)).strip();
                if (!window.isEmpty()) {
                    chunks.add(window);
                }
                if (start + maxChars >= s.length()) {
                    break;
                }
            }
            return chunks;
        };
    }

    /**
     * Paragraphs (separated by blank lines) packed together up to {@code maxChars}; a paragraph longer than that is
     * cut into {@link #fixedSize fixed-size} windows without overlap.
     */
    static Chunker paragraphs(int maxChars) {
        Chunker oversized = fixedSize(maxChars, 0);
        Pattern blankLine = Pattern.compile("\\R\\s*\\R");
        return text -> {
            List<String> chunks = new ArrayList<>();
            StringBuilder current = new StringBuilder();
            for (String paragraph : blankLine.split(text.strip())) {
                String p = paragraph.strip();
                if (p.isEmpty()) {
                    continue;
                }
                if (!current.isEmpty() && current.length() + 2 + p.length() > maxChars) {
                    chunks.add(current.toString());
                    current.setLength(0);
                }
                if (p.length() > maxChars) {
                    chunks.addAll(oversized.chunk(p));
                } else {
                    current.append(current.isEmpty() ? "" : "\n\n").append(p);
                }
            }
            if (!current.isEmpty()) {
                chunks.add(current.toString());
            }
            return chunks;
        };
    }
}
