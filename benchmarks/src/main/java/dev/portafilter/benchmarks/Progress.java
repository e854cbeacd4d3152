package dev.portafilter.benchmarks;

import java.util.Locale;

/**
 * Progress of a long step on stderr, at most every {@value #EVERY_SECONDS} s: done of total, elapsed, the rate and
 * the time left at that rate. A load or a group of searches runs for minutes without printing otherwise.
 */
final class Progress {
    private static final long EVERY_SECONDS = 5;
    private final String what;
    private final String unit;
    private final long total;
    private final long start = System.nanoTime();
    private long lastPrinted = start;
    private long done;

    private Progress(String what, String unit, long total) {
        this.what = what;
        this.unit = unit;
        this.total = total;
    }

    /** Rows loaded into a system: prints rows done, rows/s and the time left. */
    static Progress rows(String what, long total) {
        return new Progress(what, "rows", total);
    }

    /** Queries of a group of systems measured side by side. */
    static Progress queries(String what, long total) {
        return new Progress(what, "queries", total);
    }

    /** Adds {@code n} done, printing if the last line is old enough. */
    synchronized void add(long n) {
        done += n;
        long now = System.nanoTime();
        if (now - lastPrinted >= EVERY_SECONDS * 1_000_000_000L && done < total) {
            lastPrinted = now;
            double seconds = (now - start) / 1e9;
            double rate = done / seconds;
            System.err.printf(Locale.ROOT, "[progress] %s: %,d / %,d %s (%.0f%%), %s elapsed, %,.0f %s/s, ETA %s%n",
                    what, done, total, unit, 100.0 * done / total, clock(seconds), rate, unit,
                    clock((total - done) / rate));
        }
    }

    private static String clock(double seconds) {
        long s = Math.round(seconds);
        return s >= 60 ? String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60) : s + "s";
    }
}
