package dev.portafilter.benchmarks;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.portafilter.core.store.VectorRecord;
import dev.portafilter.opensearch.OpenSearchIndexLayout;
import dev.portafilter.opensearch.OpenSearchStore;
import org.opensearch.client.opensearch._types.Refresh;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Ingest into OpenSearch, side by side in one run: the same rows loaded through {@code OpenSearchStore.upsert} (the
 * store's default {@code Refresh.WaitFor}, and {@code Refresh.False} with one refresh at the end; and in calls of one
 * batch each, {@code upsert-per-batch}, which sends exactly the requests that every call sent before a call of
 * several batches refreshed once at its end: a {@code refresh=wait_for} bulk of 500 records), through
 * {@code OpenSearchStore.bulkLoad} in one call (with its default two requests in flight, and with one), and through a
 * raw single-connection {@code _bulk} with {@code java.net.http} (the same documents, the same batch size as
 * {@code upsert}, no refresh per request, one refresh at the end). Each load goes into a new index of the same layout, which is
 * deleted afterwards; each time includes the final refresh, so the rows are searchable when the clock stops. The
 * loads take turns for {@code -Drounds=} rounds, so that background load on a shared machine falls on all of them.
 *
 * <pre>
 * java -cp ... dev.portafilter.benchmarks.OpenSearchIngestProbe   (-Drows=20000 -Ddim=384 -Dcall=1000 -Drounds=2)
 * </pre>
 * The server is {@code -Durl=} or {@code PORTAFILTER_OPENSEARCH_URL}.
 */
public final class OpenSearchIngestProbe {
    private static final int BATCH = 500;

    private final String url;
    private final Dataset data;
    private final int callSize;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final JsonFactory json = new JsonFactory();

    private OpenSearchIngestProbe(String url, Dataset data, int callSize) {
        this.url = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        this.data = data;
        this.callSize = callSize;
    }

    public static void main(String[] args) throws Exception {
        String url = System.getProperty("url", System.getenv().getOrDefault("PORTAFILTER_OPENSEARCH_URL",
                "http://127.0.0.1:9200"));
        int rows = Integer.getInteger("rows", 20_000);
        int rounds = Integer.getInteger("rounds", 2);
        List<String> only = List.of(System.getProperty("only", "upsert-per-batch,upsert,upsert-refresh-false,bulkLoad,bulkLoad-1,raw").split(","));
        Dataset data = Dataset.generate(rows, Integer.getInteger("dim", 384), 1, 42);
        OpenSearchIngestProbe probe = new OpenSearchIngestProbe(url, data, Integer.getInteger("call", 1_000));
        Map<String, List<Double>> seconds = new LinkedHashMap<>();
        for (int round = 1; round <= rounds; round++) {
            for (String load : only) {
                double s = probe.time(load, round);
                seconds.computeIfAbsent(load, k -> new ArrayList<>()).add(s);
                System.out.printf("round %d  %-22s %7.2f s  %8.0f rows/s%n", round, load, s, rows / s);
            }
        }
        double raw = best(seconds.getOrDefault("raw", List.of(Double.NaN)));
        System.out.printf("%n%d rows x %d, batch %d, upsert calls of %d; best of %d rounds%n", rows, data.dimension(),
                BATCH, probe.callSize, rounds);
        System.out.println("| load | seconds (best) | rows/s | vs raw _bulk | each round (s) |");
        System.out.println("|---|---|---|---|---|");
        seconds.forEach((load, each) -> System.out.printf("| %s | %.2f | %.0f | %.2f× | %s |%n", load, best(each),
                rows / best(each), raw / best(each), each.stream().map(s -> String.format("%.2f", s)).toList()));
    }

    private static double best(List<Double> each) {
        return each.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
    }

    /** Loads every row into a new index the named way, refreshes, checks the count, deletes the index. */
    private double time(String load, int round) throws IOException, InterruptedException {
        String index = "pf-ingest-probe-" + ProcessHandle.current().pid() + "-" + round + "-" + load;
        OpenSearchIndexLayout layout = OpenSearchIndexLayout.builder(index, Dataset.SCHEMA, data.dimension()).build();
        Refresh refresh = load.equals("upsert-refresh-false") ? Refresh.False : Refresh.WaitFor;
        int requests = load.equals("bulkLoad-1") ? 1 : OpenSearchStore.DEFAULT_BULK_LOAD_REQUESTS;
        try (OpenSearchStore store = OpenSearchStore.builder(layout).url(url).refresh(refresh).batchSize(BATCH)
                .bulkLoadRequests(requests).build()) {
            store.createIndex();
            try {
                long start = System.nanoTime();
                switch (load) {
                    case "upsert", "upsert-refresh-false", "upsert-per-batch" -> {
                        int rowsPerCall = load.equals("upsert-per-batch") ? BATCH : callSize;
                        for (int from = 0; from < data.size(); from += rowsPerCall) {
                            store.upsert(data.records(from, Math.min(data.size(), from + rowsPerCall)));
                        }
                        if (refresh == Refresh.False) {
                            send("POST", "/" + index + "/_refresh", null);
                        }
                    }
                    case "bulkLoad", "bulkLoad-1" -> store.bulkLoad(data.records(0, data.size()));
                    case "raw" -> raw(layout);
                    default -> throw new IllegalArgumentException("unknown load: " + load);
                }
                double s = (System.nanoTime() - start) / 1e9;
                if (store.count() != data.size()) {
                    throw new IllegalStateException(load + " left " + store.count() + " of " + data.size() + " rows");
                }
                return s;
            } finally {
                store.deleteIndex();
            }
        }
    }

    /** The minimal client: NDJSON written with Jackson's streaming generator, one connection, one refresh. */
    private void raw(OpenSearchIndexLayout layout) throws IOException, InterruptedException {
        for (int from = 0; from < data.size(); from += BATCH) {
            ByteArrayOutputStream body = new ByteArrayOutputStream(1 << 20);
            try (JsonGenerator g = json.createGenerator(body)) {
                g.setRootValueSeparator(null);
                for (int i = from; i < Math.min(data.size(), from + BATCH); i++) {
                    writeDocument(g, layout, data.record(i));
                }
            }
            String response = send("POST", "/_bulk", body.toByteArray());
            if (response.startsWith("{\"took\"") && response.contains("\"errors\":true")) {
                throw new IllegalStateException("raw _bulk had failed items: " + response.substring(0, 500));
            }
        }
        send("POST", "/" + layout.indexName() + "/_refresh", null);
    }

    private static void writeDocument(JsonGenerator g, OpenSearchIndexLayout layout, VectorRecord r)
            throws IOException {
        g.writeStartObject();
        g.writeObjectFieldStart("index");
        g.writeStringField("_index", layout.indexName());
        g.writeStringField("_id", r.id());
        g.writeEndObject();
        g.writeEndObject();
        g.writeRaw('\n');
        g.writeStartObject();
        g.writeArrayFieldStart(layout.vectorField());
        for (float f : r.vector()) {
            g.writeNumber(f);
        }
        g.writeEndArray();
        g.writeStringField(layout.textField(), r.text());
        for (Map.Entry<String, Object> e : r.metadata().toJava().entrySet()) {
            g.writeFieldName(e.getKey());
            if (e.getValue() instanceof List<?> list) {
                g.writeStartArray();
                for (Object s : list) {
                    g.writeString((String) s);
                }
                g.writeEndArray();
            } else if (e.getValue() instanceof Long l) {
                g.writeNumber(l);
            } else {
                g.writeString((String) e.getValue());
            }
        }
        g.writeEndObject();
        g.writeRaw('\n');
    }

    private String send(String method, String path, byte[] body) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url + path))
                .header("Content-Type", "application/x-ndjson")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body));
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() >= 300) {
            throw new IllegalStateException(method + " " + path + ": " + response.statusCode() + " " + response.body());
        }
        return response.body();
    }
}
