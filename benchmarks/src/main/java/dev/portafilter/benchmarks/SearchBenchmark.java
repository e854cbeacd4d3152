package dev.portafilter.benchmarks;

import org.HdrHistogram.Histogram;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/** Runs every filter case against one loaded system: latency and answers, then throughput. */
final class SearchBenchmark {
    private final Dataset data;
    private final GroundTruth truth;
    private final BenchmarkConfig config;
    private final Map<String, Integer> rowOfId = new HashMap<>();

    SearchBenchmark(Dataset data, GroundTruth truth, BenchmarkConfig config) {
        this.data = data;
        this.truth = truth;
        this.config = config;
        for (int i = 0; i < data.size(); i++) {
            rowOfId.put(data.id(i), i);
        }
    }

    List<SearchResult> run(SearchSystem system, List<FilterCase> cases) {
        List<SearchResult> results = new ArrayList<>();
        for (FilterCase c : cases) {
            SearchResult r = measure(system, c);
            System.out.printf("  %-28s %-18s p50 %7.2f ms  p99 %7.2f ms  qps %7.1f / %7.1f  recall %.3f  full-k %5.1f%%"
                            + "  foreign %d%n", system.name(), c.label(), r.p50Millis(), r.p99Millis(), r.qps1(), r.qps4(),
                    r.recall(), 100 * r.fullKShare(), r.foreignRows());
            results.add(r);
        }
        return results;
    }

    private SearchResult measure(SearchSystem system, FilterCase c) {
        int k = truth.k();
        int queries = data.queryCount();
        for (int w = 0; w < Math.min(queries, config.warmupQueries()); w++) {
            system.search(w, c, k);
        }
        Histogram latency = new Histogram(3);
        double recallSum = 0;
        int recallQueries = 0;
        int full = 0;
        int eligible = 0;
        long returned = 0;
        long foreign = 0;
        GroundTruth.Truth t = truth.of(c);
        BitSet matching = t.matching();
        for (int q = 0; q < queries; q++) {
            long start = System.nanoTime();
            List<String> ids = system.search(q, c, k);
            latency.recordValue(Math.max(1, (System.nanoTime() - start) / 1_000));
            returned += ids.size();
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
        double qps1 = throughput(system, c, 1);
        double qps4 = throughput(system, c, 4);
        return new SearchResult(system.name(), system.backend(), c.label(),
                latency.getValueAtPercentile(50) / 1000.0, latency.getValueAtPercentile(95) / 1000.0,
                latency.getValueAtPercentile(99) / 1000.0, qps1, qps4,
                recallQueries == 0 ? Double.NaN : recallSum / recallQueries,
                eligible == 0 ? Double.NaN : (double) full / eligible,
                (double) returned / queries, foreign);
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
