package dev.portafilter.conformance;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Waiting in tests for something that happens elsewhere (another thread, another session, an eventually consistent
 * index): checks a condition until it holds or a deadline passes, instead of sleeping for a fixed time that is too
 * long on a fast machine and too short on a loaded one.
 */
public final class Poll {
    private static final long FIRST_PAUSE_NANOS = Duration.ofMillis(5).toNanos();
    private static final long MAX_PAUSE_NANOS = Duration.ofMillis(200).toNanos();

    private Poll() {
    }

    /**
     * Checks the condition, at once and then with pauses growing from 5 ms to 200 ms, until it holds (true) or the
     * timeout has passed since the call (false; the last check is made at the deadline). Throws what the condition
     * throws. An interrupt ends the wait, with the interrupt flag set, after one more check.
     */
    public static boolean until(Duration timeout, BooleanSupplier condition) {
        Objects.requireNonNull(condition, "condition");
        long deadline = System.nanoTime() + timeout.toNanos();
        long pause = FIRST_PAUSE_NANOS;
        while (!condition.getAsBoolean()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            try {
                TimeUnit.NANOSECONDS.sleep(Math.min(pause, left));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return condition.getAsBoolean();
            }
            pause = Math.min(pause * 2, MAX_PAUSE_NANOS);
        }
        return true;
    }
}
