package dev.portafilter.pinecone;

import dev.portafilter.core.PortafilterException;
import dev.portafilter.core.StoreException;
import dev.portafilter.core.StoreTimeoutException;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Retries of Pinecone calls that failed for a passing reason: rate limiting ({@code RESOURCE_EXHAUSTED}) and
 * transient unavailability ({@code UNAVAILABLE}, {@code DEADLINE_EXCEEDED}), with exponential backoff and full
 * jitter. Every call this adapter makes is idempotent (upsert of the same records, delete of the same ids, reads),
 * so repeating one after an unknown outcome is safe. Any other failure, and the last failed attempt, becomes a
 * {@link StoreException}; a {@link StoreTimeoutException} when the last attempt missed its deadline.
 *
 * @param maxAttempts    attempts in total, at least 1
 * @param initialBackoff the longest wait before the second attempt; doubles after each failure
 * @param maxBackoff     the longest wait between two attempts
 */
public record RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff) {
    private static final Set<Status.Code> TRANSIENT = Set.of(Status.Code.RESOURCE_EXHAUSTED, Status.Code.UNAVAILABLE,
            Status.Code.DEADLINE_EXCEEDED);
    /** Cancels the context of an attempt at its deadline; one daemon thread for every store of the JVM. */
    private static final ScheduledThreadPoolExecutor DEADLINES = deadlineTimer();

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

    /**
     * Runs the call, retrying transient failures, each attempt under a gRPC deadline of {@code attemptTimeout} (the
     * client's blocking calls take the deadline of the current context, whatever channel the index was opened
     * with); {@code notWritten} names the ids lost if it finally fails.
     */
    <T> T call(String what, List<String> notWritten, Duration attemptTimeout, Supplier<T> call) {
        for (int attempt = 1; ; attempt++) {
            try (Context.CancellableContext deadline = Context.current()
                    .withDeadlineAfter(attemptTimeout.toMillis(), TimeUnit.MILLISECONDS, DEADLINES)) {
                return deadline.call(call::get);
            } catch (StatusRuntimeException e) {
                Status.Code code = e.getStatus().getCode();
                if (!TRANSIENT.contains(code)) {
                    throw new StoreException("pinecone " + what + " failed: " + e.getStatus(), notWritten, e);
                }
                if (attempt == maxAttempts) {
                    String message = "pinecone " + what + " failed after " + attempt + " attempts, last with "
                            + e.getStatus();
                    throw code == Status.Code.DEADLINE_EXCEEDED
                            ? new StoreTimeoutException(message + " (the call timeout is " + attemptTimeout
                            + " per attempt)", attemptTimeout, notWritten, e)
                            : new StoreException(message, notWritten, e);
                }
                pause(attempt, what, notWritten, e);
            } catch (PortafilterException e) {
                throw e;
            } catch (Exception e) {
                throw new StoreException("pinecone " + what + " failed: " + e, notWritten, e);
            }
        }
    }

    private static ScheduledThreadPoolExecutor deadlineTimer() {
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "portafilter-pinecone-deadlines");
            t.setDaemon(true);
            return t;
        });
        // an attempt that finishes in time cancels its timer: drop it at once rather than at its deadline
        timer.setRemoveOnCancelPolicy(true);
        return timer;
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
