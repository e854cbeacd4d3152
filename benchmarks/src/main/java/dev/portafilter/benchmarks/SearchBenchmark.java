package dev.portafilter.benchmarks;

import org.HdrHistogram.Histogram;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/** Runs every filter case against one loaded system: latency and answers, then throughput. */
final class SearchBenchmark {
    /** Timed queries each system runs in a row when several are measured side by side. */
    private static final int BLOCK = 50;
    /** Untimed queries before each block. */
    private static final int BLOCK_WARMUP = 10;
    private final Dataset data;
    private final GroundTruth truth;
    private final BenchmarkConfig config;
    private final Map<String, Integer> rowOfId = new HashMap<>();
    private final List<String> failures = new ArrayList<>();

    SearchBenchmark(Dataset data, GroundTruth truth, BenchmarkConfig config) {
        this.data = data;
        this.truth = truth;
        this.config = config;
        for (int i = 0; i < data.size(); i++) {
            rowOfId.put(data.id(i), i);
        }
    }

    /** The cells no system could fill: the system, the case and the error. */
    List<String> failures() {
        return failures;
    }

    List<SearchResult> run(SearchSystem system, List<FilterCase> cases) {
        return run(List.of(system), cases);
    }

    /**
     * Measures systems side by side: for each case, the queries run in blocks of {@value #BLOCK}, and every block
     * goes to each system in turn, in an order shuffled anew for each block, so that a change in the machine's load
     * during the run falls on all of them alike and no system always follows the same other one. Each block starts
     * with {@value #BLOCK_WARMUP} untimed queries: the systems share the server's buffers and the CPU's caches, and
     * a system is timed on its own data warm, not on what the previous one left behind. Then the throughput of each.
     */
    List<SearchResult> run(List<SearchSystem> systems, List<FilterCase> cases) {
        List<SearchResult> results = new ArrayList<>();
        BenchmarkHarness.log("measuring side by side on %s: %s", systems.get(0).backend(),
                systems.stream().map(SearchSystem::name).toList());
        for (int i = 0; i < cases.size(); i++) {
            FilterCase c = cases.get(i);
            // a system that cannot run a filter at all misses that cell, not the whole group's
            List<SearchSystem> able = new ArrayList<>();
            for (SearchSystem system : systems) {
                try {
                    system.search(0, c, truth.k());
                    able.add(system);
                } catch (RuntimeException e) {
                    String failure = system.name() + " / " + c.label() + ": " + e;
                    System.err.println("[benchmark] " + failure);
                    failures.add(failure);
                }
            }
            Progress progress = Progress.queries(String.format("%s, %d systems, case %s (%d/%d)",
                    systems.get(0).backend(), able.size(), c.label(), i + 1, cases.size()),
                    (long) able.size() * data.queryCount());
            for (SearchResult r : measure(able, c, progress)) {
                System.out.printf("  %-36s %-18s p50 %7.2f ms  p99 %7.2f ms  qps %7.1f / %7.1f  recall %.3f  "
                                + "full-k %5.1f%%  foreign %d%n", r.system(), c.label(), r.p50Millis(), r.p99Millis(),
                        r.qps1(), r.qps4(), r.recall(), 100 * r.fullKShare(), r.foreignRows());
                results.add(r);
            }
        }
        return results;
    }

    /** The answers and latency of one system for one case. */
    private final class Tally {
        private final GroundTruth.Truth t;
        private final int k;
        final Histogram latency = new Histogram(3);
        double recallSum;
        int recallQueries;
        int full;
        int eligible;
        long returned;
        long foreign;

        Tally(GroundTruth.Truth t, int k) {
            this.t = t;
            this.k = k;
        }

        void add(int q, List<String> ids, long nanos) {
            latency.recordValue(Math.max(1, nanos / 1_000));
            returned += ids.size();
            BitSet matching = t.matching();
            for (String id : ids) {
                Integer row = rowOfId.get(id);
                if (row == null || !matching.get(row)) {
                    foreign++;
                }
            }
            Set<String> exact = t.topK().get(q);
            if (!exact.isEmpty()) {
                int hits = 0;
                for (String id : ids) {
                    if (exact.contains(id)) {
                        hits++;
                    }
                }
                recallSum += (double) hits / exact.size();
                recallQueries++;
            }
            if (t.matchingRows() >= k) {
                eligible++;
                if (ids.size() == k) {
                    full++;
                }
            }
        }
    }

    private List<SearchResult> measure(List<SearchSystem> systems, FilterCase c, Progress progress) {
        int k = truth.k();
        int queries = data.queryCount();
        int n = systems.size();
        for (SearchSystem system : systems) {
            for (int w = 0; w < Math.min(queries, config.warmupQueries()); w++) {
                system.search(w, c, k);
            }
        }
        GroundTruth.Truth t = truth.of(c);
        List<Tally> tallies = new ArrayList<>();
        systems.forEach(s -> tallies.add(new Tally(t, k)));
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            order.add(i);
        }
        Random shuffle = new Random(config.seed());
        for (int from = 0; from < queries; from += BLOCK) {
            int to = Math.min(queries, from + BLOCK);
            Collections.shuffle(order, shuffle);
            for (int which : order) {
                SearchSystem system = systems.get(which);
                for (int w = 1; w <= BLOCK_WARMUP; w++) {
                    system.search((from + queries - w) % queries, c, k);
                }
                for (int q = from; q < to; q++) {
                    long start = System.nanoTime();
                    List<String> ids = system.search(q, c, k);
                    tallies.get(which).add(q, ids, System.nanoTime() - start);
                }
                progress.add(to - from);
            }
        }
        List<SearchResult> results = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            SearchSystem system = systems.get(i);
            Tally tally = tallies.get(i);
            double qps1 = throughput(system, c, 1);
            double qps4 = throughput(system, c, 4);
            results.add(new SearchResult(system.name(), system.backend(), c.label(),
                    tally.latency.getValueAtPercentile(50) / 1000.0, tally.latency.getValueAtPercentile(95) / 1000.0,
                    tally.latency.getValueAtPercentile(99) / 1000.0, qps1, qps4,
                    tally.recallQueries == 0 ? Double.NaN : tally.recallSum / tally.recallQueries,
                    tally.eligible == 0 ? Double.NaN : (double) tally.full / tally.eligible,
                    (double) tally.returned / queries, tally.foreign));
        }
        return results;
    }

    /** Queries per second with {@code threads} clients each cycling through the queries for a fixed time. */
    private double throughput(SearchSystem system, FilterCase c, int threads) {
        int k = truth.k();
        int queries = data.queryCount();
        long durationNanos = (long) (config.throughputSeconds() * 1e9);
        AtomicLong done = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            long start = System.nanoTime();
            long deadline = start + durationNanos;
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int offset = t * queries / threads;
                futures.add(pool.submit(() -> {
                    int q = offset;
                    do {
                        system.search(q, c, k);
                        done.incrementAndGet();
                        q = (q + 1) % queries;
                    } while (System.nanoTime() < deadline);
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
            return done.get() / ((System.nanoTime() - start) / 1e9);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while measuring throughput", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(system.name() + " failed under load: " + e.getCause(), e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }
}
