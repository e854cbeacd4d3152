package dev.portafilter.core.internal;

import dev.portafilter.core.StoreException;
import dev.portafilter.core.StoreTimeoutException;

import java.util.List;

/** The stores' one way to say which records a failure leaves unknown. */
public final class Failures {
    private Failures() {
    }

    /**
     * The same failure, saying what it means for the call and naming {@code ids} in {@code failedIds()}; a timeout
     * stays a {@link StoreTimeoutException} with its limit.
     */
    public static StoreException naming(StoreException e, String meaning, List<String> ids) {
        String message = e.getMessage() + "; " + meaning;
        return e instanceof StoreTimeoutException t ? new StoreTimeoutException(message, t.timeout(), ids, e)
                : new StoreException(message, ids, e);
    }
}
