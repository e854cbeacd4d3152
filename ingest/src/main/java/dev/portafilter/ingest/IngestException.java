package dev.portafilter.ingest;

import dev.portafilter.core.PortafilterException;

/** A document or its {@code .metadata.json} sidecar cannot be ingested; names the file and, where one is, the key. */
public class IngestException extends PortafilterException {
    private final String file;
    private final String key;
    private final String reason;

    public IngestException(String file, String key, String reason) {
        this(file, key, reason, null);
    }

    public IngestException(String file, String key, String reason, Throwable cause) {
        super("file '" + file + "'" + (key == null ? "" : ", key '" + key + "'") + ": " + reason, cause);
        this.file = file;
        this.key = key;
        this.reason = reason;
    }

    /** The file's path relative to the ingested folder, with '/' separators. */
    public String file() {
        return file;
    }

    /** The metadata key at fault, or null when the problem is not one key's. */
    public String key() {
        return key;
    }

    public String reason() {
        return reason;
    }
}
