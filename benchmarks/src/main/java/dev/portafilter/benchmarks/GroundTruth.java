package dev.portafilter.benchmarks;

import dev.portafilter.core.metadata.Metadata;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * The exact filtered top-k of every query, by brute force: the rows a filter matches are decided by the
 * reference evaluator (the library's semantics), then every matching row's cosine to the query is computed.
 */
public final class GroundTruth {
    private final int k;
    private final Map<FilterCase, Truth> truths;

    /** One case's answer: the rows the filter matches, and per query the ids of the exact top-k. */
    public record Truth(BitSet matching, List<Set<String>> topK) {
        public int matchingRows() {
            return matching.cardinality();
        }
    }

    private GroundTruth(int k, Map<FilterCase, Truth> truths) {
        this.k = k;
        this.truths = truths;
    }

    public static GroundTruth compute(Dataset data, List<FilterCase> cases, int k) {
        Metadata[] metadata = new Metadata[data.size()];
        for (int i = 0; i < metadata.length; i++) {
            metadata[i] = data.metadata(i);
        }
        Map<FilterCase, Truth> truths = new LinkedHashMap<>();
        for (FilterCase c : cases) {
            int[] matching = IntStream.range(0, data.size()).filter(i -> c.filter().test(metadata[i])).toArray();
            BitSet rows = new BitSet(data.size());
            for (int row : matching) {
                rows.set(row);
            }
            List<Set<String>> topK = IntStream.range(0, data.queryCount()).parallel()
                    .mapToObj(q -> exactTopK(data, data.query(q), matching, k))
                    .toList();
            truths.put(c, new Truth(rows, topK));
        }
        return new GroundTruth(k, truths);
    }

    public int k() {
        return k;
    }

    public Truth of(FilterCase c) {
        Truth t = truths.get(c);
        if (t == null) {
            throw new IllegalArgumentException("no ground truth for case " + c.label());
        }
        return t;
    }

    private static Set<String> exactTopK(Dataset data, float[] query, int[] rows, int k) {
        // min-heap on similarity: the root is the worst of the best k so far
        PriorityQueue<double[]> best = new PriorityQueue<>(k + 1, (a, b) -> Double.compare(a[0], b[0]));
        for (int row : rows) {
            double sim = dot(query, data.vector(row));
            if (best.size() < k) {
                best.add(new double[] {sim, row});
            } else if (sim > best.peek()[0]) {
                best.poll();
                best.add(new double[] {sim, row});
            }
        }
        List<double[]> sorted = new ArrayList<>(best);
        return sorted.stream().map(e -> data.id((int) e[1])).collect(Collectors.toUnmodifiableSet());
    }

    /** Cosine similarity of two unit vectors. */
    static double dot(float[] a, float[] b) {
        double s = 0;
        for (int d = 0; d < a.length; d++) {
            s += a[d] * b[d];
        }
        return s;
    }
}
