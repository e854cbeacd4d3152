package dev.portafilter.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import dev.portafilter.core.store.SearchHit;
import dev.portafilter.core.store.SearchRequest;
import dev.portafilter.opensearch.OpenSearchIndexLayout;
import dev.portafilter.opensearch.OpenSearchStore;
import org.opensearch.client.opensearch._types.Refresh;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What {@code OpenSearchStore.search} costs beyond the server's work: the store (each {@link OpenSearchStore.SearchMode}),
 * a minimal {@code java.net.http} client sending the store's own approximate and exact query bodies, and the server's
 * {@code took} of that raw request, measured on one index in the same run, interleaved query by query (the order of
 * the systems rotates), per tenant selectivity (0.1% / 1% / 10% / 50%). Prints p50 / p95 ms and recall@k per cell.
 *
 * <pre>
 * java -cp ... dev.portafilter.benchmarks.OpenSearchOverheadProbe URL [rows=20000] [queries=330, at most] [keep]
 * </pre>
 * The index {@code pf-osprobe-ROWS} is loaded once (upsert, force-merged to one segment) and reused while it holds
 * ROWS documents; it is deleted at the end unless {@code keep} is given.
 */
public final class OpenSearchOverheadProbe {
    private static final int DIMENSION = 384;
    private static final int K = 10;
    private static final int WARMUP = 30;
    /** Queries generated with the rows (the same pool on every run, so that a kept index matches the data). */
    private static final int QUERY_POOL = 330;

    /** One way of running a search: the ids it returned, and the server's {@code took} when it reads it. */
    private interface System {
        Result run(float[] query, FilterCase c);
    }

    private record Result(List<String> ids, long tookMillis) {
    }

    private OpenSearchOverheadProbe() {
    }

    public static void main(String[] args) throws Exception {
        String url = args[0];
        int rows = args.length > 1 ? Integer.parseInt(args[1]) : 20_000;
        int queries = Math.min(QUERY_POOL, args.length > 2 ? Integer.parseInt(args[2]) : QUERY_POOL);
        boolean keep = Arrays.asList(args).contains("keep");
        Dataset data = Dataset.generate(rows, DIMENSION, QUERY_POOL, 7L);
        List<FilterCase> cases = FilterCase.all().subList(0, FilterCase.SELECTIVITIES.size());
        GroundTruth truth = GroundTruth.compute(data, cases, K);
        String index = "pf-osprobe-" + rows;
        OpenSearchIndexLayout layout = OpenSearchIndexLayout.builder(index, Dataset.SCHEMA, DIMENSION).build();
        RawOpenSearch http = new RawOpenSearch(url);
        Map<String, OpenSearchStore> stores = new LinkedHashMap<>();
        try {
            for (OpenSearchStore.SearchMode mode : OpenSearchStore.SearchMode.values()) {
                stores.put("store " + mode.name().toLowerCase(Locale.ROOT), OpenSearchStore.builder(layout).url(url)
                        .refresh(Refresh.False).searchMode(mode).build());
            }
            OpenSearchStore loader = stores.values().iterator().next();
            load(loader, data, index, http);
            Map<String, System> systems = new LinkedHashMap<>();
            stores.forEach((name, store) -> systems.put(name, (q, c) -> new Result(
                    store.search(SearchRequest.of(q, K, c.filter())).stream().map(SearchHit::id)
                            .toList(), -1)));
            systems.put("raw approximate", (q, c) -> raw(http, index, RawOpenSearch.approximateBody(
                    layout.vectorField(), loader.translator().toJson(c.filter()), q, K, 100)));
            for (String ef : java.lang.System.getProperty("probe.ef", "").split(",")) {
                if (!ef.isBlank()) {
                    systems.put("raw ef " + ef, (q, c) -> raw(http, index, RawOpenSearch.approximateBody(
                            layout.vectorField(), loader.translator().toJson(c.filter()), q, K,
                            Integer.parseInt(ef.trim()))));
                }
            }
            systems.put("raw exact", (q, c) -> raw(http, index, RawOpenSearch.exactBody(layout.vectorField(),
                    layout.spaceType().wireName(), loader.translator().toJson(c.filter()), q, K, false)));
            measure(data, cases, truth, systems, queries);
        } finally {
            if (!keep && !stores.isEmpty()) {
                stores.values().iterator().next().deleteIndex();
            }
            stores.values().forEach(OpenSearchStore::close);
        }
    }

    private static void load(OpenSearchStore store, Dataset data, String index, RawOpenSearch http) {
        if (store.createIndexIfMissing() || store.count() != data.size()) {
            long start = java.lang.System.nanoTime();
            for (int from = 0; from < data.size(); from += 2_000) {
                store.upsert(data.records(from, Math.min(data.size(), from + 2_000)));
            }
            http.forceMerge(index);
            java.lang.System.out.printf(Locale.ROOT, "loaded %d rows in %.1f s%n", data.size(),
                    (java.lang.System.nanoTime() - start) / 1e9);
        }
    }

    private static void measure(Dataset data, List<FilterCase> cases, GroundTruth truth, Map<String, System> systems,
                                int queries) {
        List<String> names = new ArrayList<>(systems.keySet());
        java.lang.System.out.printf(Locale.ROOT, "%-8s %-20s %8s %8s %8s %8s %6s%n", "tenant", "system", "p50 ms",
                "p95 ms", "took p50", "recall", "full k");
        for (FilterCase c : cases) {
            Map<String, long[]> nanos = new LinkedHashMap<>();
            Map<String, long[]> took = new LinkedHashMap<>();
            Map<String, double[]> recall = new LinkedHashMap<>();
            Map<String, int[]> full = new LinkedHashMap<>();
            names.forEach(n -> {
                nanos.put(n, new long[queries]);
                took.put(n, new long[queries]);
                recall.put(n, new double[1]);
                full.put(n, new int[1]);
            });
            for (int i = 0; i < WARMUP + queries; i++) {
                int q = i % data.queryCount();
                for (int s = 0; s < names.size(); s++) {
                    String name = names.get((i + s) % names.size());
                    long start = java.lang.System.nanoTime();
                    Result r = systems.get(name).run(data.query(q), c);
                    long elapsed = java.lang.System.nanoTime() - start;
                    if (i >= WARMUP) {
                        nanos.get(name)[i - WARMUP] = elapsed;
                        took.get(name)[i - WARMUP] = r.tookMillis();
                        Set<String> expected = truth.of(c).topK().get(q);
                        Set<String> found = new HashSet<>(r.ids());
                        found.retainAll(expected);
                        recall.get(name)[0] += (double) found.size() / expected.size() / queries;
                        full.get(name)[0] += r.ids().size() == K ? 1 : 0;
                    }
                }
            }
            for (String n : names) {
                long[] t = nanos.get(n);
                Arrays.sort(t);
                long[] server = took.get(n);
                Arrays.sort(server);
                java.lang.System.out.printf(Locale.ROOT, "%-8s %-20s %8.2f %8.2f %8s %8.3f %6d%n", c.label(), n,
                        t[t.length / 2] / 1e6, t[t.length * 95 / 100] / 1e6,
                        server[0] < 0 ? "" : String.valueOf(server[server.length / 2]), recall.get(n)[0], full.get(n)[0]);
            }
        }
    }

    private static Result raw(RawOpenSearch http, String index, String body) {
        JsonNode response = http.search(index, body);
        List<String> ids = new ArrayList<>();
        response.path("hits").path("hits").forEach(h -> ids.add(h.path("_id").asText()));
        return new Result(ids, response.path("took").asLong());
    }
}
