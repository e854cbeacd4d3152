package dev.portafilter.core;

import java.util.List;

/** The backend failed. {@link #failedIds()} lists the records that were not written, when known. */
public class StoreException extends PortafilterException {
    private final List<String> failedIds;

    public StoreException(String message, Throwable cause) {
        this(message, List.of(), cause);
    }

    public StoreException(String message, List<String> failedIds, Throwable cause) {
        super(message, cause);
        this.failedIds = List.copyOf(failedIds);
    }

    public List<String> failedIds() {
        return failedIds;
    }
}
