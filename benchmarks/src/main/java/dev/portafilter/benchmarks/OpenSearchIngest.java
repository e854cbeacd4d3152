package dev.portafilter.benchmarks;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portafilter.core.store.VectorRecord;
import dev.portafilter.opensearch.OpenSearchIndexLayout;
import dev.portafilter.opensearch.OpenSearchStore;
import dev.portafilter.peers.SpringAiOpenSearch;
import org.opensearch.client.opensearch._types.Refresh;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The write paths into OpenSearch on the same first rows of the dataset, each into an empty index of its own that is
 * deleted afterwards, one after another in one run: Portafilter's {@code upsert} and {@code bulkLoad}, a
 * single-connection {@code _bulk}
 * of the same JSON documents over {@code java.net.http} (refresh off, one refresh at the end), and Spring AI's
 * {@code add}. Rows per second over the writes; <em>index s</em> is the one refresh after them.
 */
final class OpenSearchIngest {
    private OpenSearchIngest() {
    }

    static List<IngestResult> measure(String url, Dataset data, int rows, int batchSize, int bulkSize) {
        String prefix = "portafilter-bench-" + ProcessHandle.current().pid() + "-ingest-";
        RawOpenSearch raw = new RawOpenSearch(url);
        List<IngestResult> results = new ArrayList<>();
        String per = ", " + batchSize + " per call";

        try (Scratch index = new Scratch(raw, prefix + "upsert");
             OpenSearchStore store = OpenSearchStore.builder(layout(index, data)).url(url).refresh(Refresh.False)
                     .build()) {
            store.createIndex();
            results.add(portafilter(raw, store, data, rows, batchSize, "upsert" + per, store::upsert));
        }
        try (Scratch index = new Scratch(raw, prefix + "bulkload");
             OpenSearchStore store = OpenSearchStore.builder(layout(index, data)).url(url).refresh(Refresh.False)
                     .build()) {
            store.createIndex();
            results.add(portafilter(raw, store, data, rows, bulkSize, "bulkLoad, " + bulkSize + " per call",
                    store::bulkLoad));
        }
        try (Scratch index = new Scratch(raw, prefix + "raw");
             OpenSearchStore mapping = OpenSearchStore.builder(layout(index, data)).url(url).build()) {
            mapping.createIndex();
            raw.send("PUT", "/" + index.name() + "/_settings", "{\"index\":{\"refresh_interval\":\"-1\"}}");
            results.add(timed(raw, index.name(), rows, Report.RAW_BULK, "_bulk (java.net.http, one connection, "
                    + "refresh off)" + per, () -> rawBulk(raw, mapping.layout(), data, rows, batchSize)));
        }
        try (Scratch index = new Scratch(raw, prefix + "springai")) {
            SpringAiOpenSearchSystems.createIndex(raw, index.name(), data.dimension());
            try (SpringAiOpenSearch peer = SpringAiOpenSearchSystems.open(url, index.name(), data)) {
                double[] added = SpringAiOpenSearchSystems.add(peer, data, rows, batchSize, Report.SPRING_AI_OS
                        + ": add (ingest comparison)");
                long refreshStart = System.nanoTime();
                raw.refresh(index.name());
                results.add(new IngestResult("opensearch", Report.SPRING_AI_OS, "add" + per, rows, added[0],
                        (System.nanoTime() - refreshStart) / 1e9, (long) added[1], (long) added[2]));
            } catch (Exception e) {
                throw new IllegalStateException("Spring AI's add failed: " + e, e);
            }
        }
        return results;
    }

    private static OpenSearchIndexLayout layout(Scratch index, Dataset data) {
        return OpenSearchIndexLayout.builder(index.name(), Dataset.SCHEMA, data.dimension()).build();
    }

    /** An index that lives for one measurement: deleted at the end, or when the run is stopped before. */
    private static final class Scratch implements AutoCloseable {
        private final RawOpenSearch raw;
        private final String name;
        private final Thread deleteOnExit;

        Scratch(RawOpenSearch raw, String name) {
            this.raw = raw;
            this.name = name;
            this.deleteOnExit = new Thread(() -> raw.deleteIndex(name), "delete-" + name);
            raw.deleteIndex(name);
            Runtime.getRuntime().addShutdownHook(deleteOnExit);
        }

        String name() {
            return name;
        }

        @Override
        public void close() {
            Runtime.getRuntime().removeShutdownHook(deleteOnExit);
            raw.deleteIndex(name);
        }
    }

    private static IngestResult portafilter(RawOpenSearch raw, OpenSearchStore store, Dataset data, int rows,
                                            int batchSize, String path, Consumer<List<VectorRecord>> write) {
        return timed(raw, store.layout().indexName(), rows, "Portafilter", path, () -> {
            Progress progress = Progress.rows("Portafilter OpenSearch: " + path, rows);
            for (int from = 0; from < rows; from += batchSize) {
                int to = Math.min(rows, from + batchSize);
                write.accept(data.records(from, to));
                progress.add(to - from);
            }
        });
    }

    /** The documents Portafilter writes for the layout (vector, text, each field at the top), as NDJSON text. */
    private static void rawBulk(RawOpenSearch raw, OpenSearchIndexLayout layout, Dataset data, int rows,
                                int batchSize) {
        Progress progress = Progress.rows(Report.RAW_BULK, rows);
        for (int from = 0; from < rows; from += batchSize) {
            int to = Math.min(rows, from + batchSize);
            StringBuilder ndjson = new StringBuilder();
            for (int i = from; i < to; i++) {
                ObjectNode action = RawOpenSearch.json().createObjectNode();
                action.putObject("index").put("_index", layout.indexName()).put("_id", data.id(i));
                ObjectNode doc = RawOpenSearch.json().valueToTree(data.metadataMap(i));
                ArrayNode vector = doc.putArray(layout.vectorField());
                for (float f : data.vector(i)) {
                    vector.add(f);
                }
                doc.put(layout.textField(), data.text(i));
                ndjson.append(action).append('\n').append(doc).append('\n');
            }
            raw.bulk(ndjson.toString());
            progress.add(to - from);
        }
    }

    /** Times {@code load}, then one refresh of the index. */
    private static IngestResult timed(RawOpenSearch raw, String index, int rows, String system, String path,
                                      Runnable load) {
        try (HeapWatch watch = HeapWatch.start()) {
            long start = System.nanoTime();
            load.run();
            double seconds = (System.nanoTime() - start) / 1e9;
            long peak = watch.peakAboveBaseline();
            long allocated = watch.allocatedBytes() / rows;
            long refreshStart = System.nanoTime();
            raw.refresh(index);
            return new IngestResult("opensearch", system, path, rows, seconds, (System.nanoTime() - refreshStart) / 1e9,
                    peak, allocated);
        }
    }
}
