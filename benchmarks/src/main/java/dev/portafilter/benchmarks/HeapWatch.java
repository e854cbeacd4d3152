package dev.portafilter.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Measures a load: the highest heap use sampled every 5 ms above the heap in use after a GC before it (garbage
 * not yet collected included, so it depends on the collector's sizing), and the bytes the calling thread
 * allocated.
 */
final class HeapWatch implements AutoCloseable {
    private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private final long baseline;
    private final long allocatedAtStart;
    private final AtomicLong peak = new AtomicLong();
    private final Thread sampler;
    private volatile boolean running = true;

    private HeapWatch() {
        System.gc();
        baseline = MEMORY.getHeapMemoryUsage().getUsed();
        peak.set(baseline);
        allocatedAtStart = THREADS.getCurrentThreadAllocatedBytes();
        sampler = new Thread(() -> {
            while (running) {
                peak.accumulateAndGet(MEMORY.getHeapMemoryUsage().getUsed(), Math::max);
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "heap-watch");
        sampler.setDaemon(true);
        sampler.start();
    }

    static HeapWatch start() {
        return new HeapWatch();
    }

    long peakAboveBaseline() {
        return Math.max(0, peak.get() - baseline);
    }

    long allocatedBytes() {
        return THREADS.getCurrentThreadAllocatedBytes() - allocatedAtStart;
    }

    @Override
    public void close() {
        running = false;
        sampler.interrupt();
        try {
            sampler.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
