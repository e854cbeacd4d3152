package dev.portafilter.pinecone;

import dev.portafilter.core.PortafilterException;
import dev.portafilter.core.StoreException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

/**
 * Retries of Pinecone calls that failed for a passing reason: rate limiting ({@code RESOURCE_EXHAUSTED}) and
 * transient unavailability ({@code UNAVAILABLE}, {@code DEADLINE_EXCEEDED}), with exponential backoff and full
 * jitter. Every call this adapter makes is idempotent (upsert of the same records, delete of the same ids, reads),
 * so repeating one after an unknown outcome is safe. Any other failure, and the last failed attempt, becomes a
 * {@link StoreException}.
 *
 * @param maxAttempts    attempts in total, at least 1
 * @param initialBackoff the longest wait before the second attempt; doubles after each failure
 * @param maxBackoff     the longest wait between two attempts
 */
public record RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff) {
    private static final Set<Status.Code> TRANSIENT = Set.of(Status.Code.RESOURCE_EXHAUSTED, Status.Code.UNAVAILABLE,
            Status.Code.DEADLINE_EXCEEDED);

    public RetryPolicy {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1, was " + maxAttempts);
        }
        if (initialBackoff.isNegative() || maxBackoff.compareTo(initialBackoff) < 0) {
            throw new IllegalArgumentException("need 0 <= initialBackoff <= maxBackoff, was " + initialBackoff + " and "
                    + maxBackoff);
        }
    }

    /** 6 attempts, waits up to 200 ms, 400 ms, ... capped at 10 s: about 20 s of patience for a rate limit. */
    public static RetryPolicy defaults() {
        return new RetryPolicy(6, Duration.ofMillis(200), Duration.ofSeconds(10));
    }

    /** Runs the call, retrying transient failures; {@code notWritten} names the ids lost if it finally fails. */
    <T> T call(String what, List<String> notWritten, Supplier<T> call) {
        for (int attempt = 1; ; attempt++) {
            try {
                return call.get();
            } catch (StatusRuntimeException e) {
                Status.Code code = e.getStatus().getCode();
                if (!TRANSIENT.contains(code)) {
                    throw new StoreException("pinecone " + what + " failed: " + e.getStatus(), notWritten, e);
                }
                if (attempt == maxAttempts) {
                    throw new StoreException("pinecone " + what + " failed after " + attempt + " attempts, last with "
                            + e.getStatus(), notWritten, e);
                }
                pause(attempt, what, notWritten, e);
            } catch (PortafilterException e) {
                throw e;
            } catch (RuntimeException e) {
                throw new StoreException("pinecone " + what + " failed: " + e, notWritten, e);
            }
        }
    }

    private void pause(int failedAttempts, String what, List<String> notWritten, Exception cause) {
        long cap = Math.min(maxBackoff.toMillis(), initialBackoff.toMillis() << Math.min(failedAttempts - 1, 30));
        try {
            Thread.sleep(ThreadLocalRandom.current().nextLong(cap + 1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException("interrupted while retrying pinecone " + what, notWritten, cause);
        }
    }
}
