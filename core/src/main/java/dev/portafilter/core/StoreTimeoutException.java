package dev.portafilter.core;

import java.time.Duration;
import java.util.List;

/**
 * A backend call did not finish within the store's timeout (or no connection became free in time). For a read,
 * nothing was returned. For a write, the outcome is unknown: the ids in {@link #failedIds()} may or may not have
 * been written, and repeating the same call converges (every write of a store is an upsert or a delete by id).
 */
public class StoreTimeoutException extends StoreException {
    private final Duration timeout;

    public StoreTimeoutException(String message, Duration timeout, List<String> failedIds, Throwable cause) {
        super(message, failedIds, cause);
        this.timeout = timeout;
    }

    /** The limit that expired. */
    public Duration timeout() {
        return timeout;
    }
}
