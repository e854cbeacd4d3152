package dev.portafilter.core.internal;

import java.time.Duration;

/** The checks every store's builder makes of its timeouts and cache lifetimes, with one wording. */
public final class Durations {
    private Durations() {
    }

    /** A timeout: at least one millisecond, the finest unit the backends' clients take. */
    public static Duration atLeastOneMilli(Duration d, String name) {
        if (d.toMillis() < 1) {
            throw new IllegalArgumentException(name + " must be at least 1 ms, was " + d);
        }
        return d;
    }

    /** A lifetime where zero means "keep nothing". */
    public static Duration notNegative(Duration d, String name) {
        if (d.isNegative()) {
            throw new IllegalArgumentException(name + " cannot be negative, was " + d);
        }
        return d;
    }
}
