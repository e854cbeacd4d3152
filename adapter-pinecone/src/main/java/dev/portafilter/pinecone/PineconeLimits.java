package dev.portafilter.pinecone;

/**
 * Pinecone's documented limits (docs.pinecone.io, "Database limits": operation and identifier limits), enforced
 * before a request is sent so that a violation is a clear typed error instead of a server rejection. The limits of
 * its filter language (numbers as 64-bit floats, {@code $in} size) are in {@link PineconeFilterTranslator#PROFILE}.
 */
final class PineconeLimits {
    /** Max {@code top_k} of a query. */
    static final int MAX_TOP_K = 10_000;
    /** Max metadata per record, measured as UTF-8 JSON (the text this adapter stores in metadata included). */
    static final int MAX_METADATA_BYTES = 40 * 1024;
    /** Max records per upsert request. */
    static final int MAX_UPSERT_RECORDS = 1_000;
    /** Max size of one upsert request ("2 MB"); kept below 2,000,000 bytes to leave room for the envelope. */
    static final int MAX_UPSERT_BYTES = 2_000_000 - 16 * 1024;
    /** Max ids per fetch or delete request. */
    static final int MAX_IDS_PER_REQUEST = 1_000;
    /** Max length of a record id; ids must also be ASCII without NUL. */
    static final int MAX_ID_LENGTH = 512;
    /** Max dimension of a dense vector. */
    static final int MAX_DIMENSION = 20_000;

    private PineconeLimits() {
    }

    /** Why an id is not a valid Pinecone record id, or null when it is. */
    static String idProblem(String id) {
        if (id.length() > MAX_ID_LENGTH) {
            return "id has " + id.length() + " characters; Pinecone allows " + MAX_ID_LENGTH;
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (c == 0 || c > 0x7f) {
                return "id contains " + (c == 0 ? "NUL" : "the non-ASCII character U+" + String.format("%04X", (int) c))
                        + " at index " + i + "; Pinecone ids are ASCII without NUL";
            }
        }
        return null;
    }
}
