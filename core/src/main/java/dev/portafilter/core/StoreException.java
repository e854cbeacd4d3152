package dev.portafilter.core;

import java.util.List;

/**
 * The backend failed. {@link #failedIds()} names the records whose state the failed call leaves unknown: those of an
 * {@code upsert} or bulk load that may not be written, the ids given to a {@code delete} that may not be deleted.
 * Every other record of the call is written (or deleted); a {@code deleteWhere} names none, since its records are
 * known only to the backend. Repeating the call converges.
 */
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
