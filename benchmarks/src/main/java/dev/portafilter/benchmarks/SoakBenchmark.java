package dev.portafilter.benchmarks;

import com.zaxxer.hikari.HikariDataSource;
import dev.portafilter.conformance.faults.FaultReport;
import dev.portafilter.conformance.faults.FaultWorkload;
import dev.portafilter.core.metadata.MetadataSchema;
import dev.portafilter.core.store.InMemoryVectorStore;
import dev.portafilter.core.store.VectorRecord;
import dev.portafilter.core.store.VectorStore;
import dev.portafilter.localservers.pinecone.LocalPineconeServer;
import dev.portafilter.opensearch.OpenSearchIndexLayout;
import dev.portafilter.opensearch.OpenSearchStore;
import dev.portafilter.pgvector.PgvectorSchemaManager;
import dev.portafilter.pgvector.PgvectorStore;
import dev.portafilter.pgvector.PgvectorTableLayout;
import dev.portafilter.pinecone.PineconeIndexes;
import dev.portafilter.pinecone.PineconeStore;
import io.pinecone.clients.Index;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * The soak: on each backend, 4 tenants with 16 threads each run a fixed number of mixed reads and writes through
 * their {@code TenantScope} views ({@link FaultWorkload}'s cycle: searches of a thread's own records and of the whole
 * tenant, counts, upserts, bulk loads, deletes, {@code deleteWhere}), every store with its defaults, no fault
 * injected. Every read is checked: no row of another tenant, no acknowledged record missing, no deleted one back.
 * Reports throughput, latency percentiles per operation, typed errors and the invariants. OpenSearch runs a second
 * time with the 10 connections per node of opensearch-java's default pool, the store's before it kept its own.
 */
final class SoakBenchmark {
    static final String TENANT = "customer";
    private static final MetadataSchema SCHEMA = FaultWorkload.schema(TENANT);
    private static final String PG_SCHEMA = "bench_soak";
    /** opensearch-java's connections per node, before the store kept its own pool. */
    private static final int CLIENT_DEFAULT_CONNECTIONS = 10;

    /**
     * Threads per tenant, tenants, operations per thread, records each thread writes first, vector dimension, and
     * whether OpenSearch also runs with the client library's 10 connections per node, for comparison.
     */
    record Config(int threadsPerTenant, int tenants, int operationsPerThread, int recordsPerThread, int dimension,
                  boolean compareOpenSearchConnections) {
        static Config fromSystemProperties() {
            return new Config(Integer.getInteger("soak.threads", 16), Integer.getInteger("soak.tenants", 4),
                    Integer.getInteger("soak.operations", 100), Integer.getInteger("soak.records", 20),
                    Integer.getInteger("soak.dimension", 128), true);
        }

        int threads() {
            return threadsPerTenant * tenants;
        }
    }

    private SoakBenchmark() {
    }

    /** Runs the soak on the embedded store, pgvector, OpenSearch and the local Pinecone server, one after another. */
    static List<FaultReport> run(Config config, String pgUrl, String openSearchUrl) {
        List<FaultReport> reports = new ArrayList<>();
        reports.add(soak(config, "memory", new InMemoryVectorStore(SCHEMA, config.dimension()), null));
        reports.add(pgvector(config, pgUrl));
        reports.add(openSearch(config, openSearchUrl, "opensearch", OpenSearchStore.DEFAULT_MAX_CONNECTIONS));
        if (config.compareOpenSearchConnections()) {
            reports.add(openSearch(config, openSearchUrl, "opensearch-10-connections", CLIENT_DEFAULT_CONNECTIONS));
        }
        reports.add(pinecone(config));
        return reports;
    }

    /** A table with the tenant-leading indexes; the store opens its own pool (HikariCP's default, 10 connections). */
    private static FaultReport pgvector(Config config, String url) {
        try (BenchmarkDatabase db = BenchmarkDatabase.create(url)) {
            db.recreateSchema(PG_SCHEMA);
            PgvectorTableLayout layout = PgvectorTableLayout.builder(PG_SCHEMA, "chunks", SCHEMA, config.dimension())
                    .tenantField(TENANT).build();
            try (HikariDataSource setup = db.pool(null, 1)) {
                PgvectorSchemaManager.createTable(setup, layout);
            }
            try (PgvectorStore store = PgvectorStore.builder(layout).jdbcUrl(db.url()).build()) {
                return soak(config, "pgvector", store, store::bulkLoad);
            }
        }
    }

    private static FaultReport openSearch(Config config, String url, String name, int connections) {
        OpenSearchIndexLayout layout = OpenSearchIndexLayout.builder("bench-soak", SCHEMA, config.dimension()).build();
        try (OpenSearchStore store = OpenSearchStore.builder(layout).url(url).maxConnections(connections).build()) {
            store.deleteIndex();
            store.createIndex();
            try {
                return soak(config, name, store, store::bulkLoad);
            } finally {
                store.deleteIndex();
            }
        }
    }

    private static FaultReport pinecone(Config config) {
        try (LocalPineconeServer server = LocalPineconeServer.start(config.dimension())) {
            Index index = PineconeIndexes.open("local-soak-key", server.host(), Duration.ofSeconds(30));
            try (PineconeStore store = PineconeStore.builder(index, SCHEMA, config.dimension())
                    .namespacePerTenant(TENANT, "tenant-").build()) {
                return soak(config, "pinecone-local", store, null);
            } finally {
                index.close();
            }
        }
    }

    private static FaultReport soak(Config config, String backend, VectorStore store,
                                    Consumer<List<VectorRecord>> bulkLoader) {
        FaultWorkload.Builder builder = FaultWorkload.builder(backend + "/soak", store, TENANT)
                .tenants(tenants(config.tenants())).workersPerTenant(config.threadsPerTenant())
                .recordsPerWorker(config.recordsPerThread()).operationsPerWorker(config.operationsPerThread());
        if (bulkLoader != null) {
            builder.bulkLoader(bulkLoader);
        }
        FaultWorkload workload = builder.build();
        System.err.printf("[soak] %s: %d threads × %d operations%n", backend, config.threads(),
                config.operationsPerThread());
        workload.load();
        workload.start();
        return workload.finish(Duration.ofMinutes(30));
    }

    private static List<String> tenants(int n) {
        List<String> tenants = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            tenants.add("tenant-" + (char) ('a' + i));
        }
        return tenants;
    }

    /** The soak's table: one row per backend, then p99 per operation. */
    static String markdown(Config config, List<FaultReport> reports) {
        StringBuilder md = new StringBuilder();
        md.append(String.format(Locale.ROOT, "%d tenants × %d threads (%d threads), %d operations per thread, %d "
                        + "records per thread to start with, dimension %d; every store with its defaults.%n%n",
                config.tenants(), config.threadsPerTenant(), config.threads(), config.operationsPerThread(),
                config.recordsPerThread(), config.dimension()));
        md.append("| backend | operations | seconds | operations/s | p50 ms | p99 ms | typed errors | wrong-tenant rows "
                + "| acknowledged writes lost | short answers |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (FaultReport r : reports) {
            md.append(String.format(Locale.ROOT, "| %s | %,d | %.1f | %,.0f | %.2f | %.2f | %d | %d | %d | %d |%n",
                    backend(r), r.operations(), r.elapsed().toNanos() / 1e9, r.operationsPerSecond(),
                    r.overall().p50Millis(), r.overall().p99Millis(), r.readsFailed() + r.writesFailed(),
                    r.wrongTenantRows(), r.acknowledgedLost(), r.shortAnswers()));
        }
        // the kinds that ran (a healthy run sends nothing again)
        List<FaultWorkload.Kind> kinds = Arrays.stream(FaultWorkload.Kind.values())
                .filter(k -> reports.stream().anyMatch(r -> r.latencies().containsKey(k))).toList();
        md.append("\np99 ms per operation:\n\n| backend |");
        for (FaultWorkload.Kind kind : kinds) {
            md.append(' ').append(kind.name().toLowerCase(Locale.ROOT).replace('_', ' ')).append(" |");
        }
        md.append("\n|---|").append("---:|".repeat(kinds.size())).append('\n');
        for (FaultReport r : reports) {
            md.append("| ").append(backend(r)).append(" |");
            for (FaultWorkload.Kind kind : kinds) {
                FaultReport.Latency l = r.latencies().get(kind);
                md.append(l == null ? " – |" : String.format(Locale.ROOT, " %.2f |", l.p99Millis()));
            }
            md.append('\n');
        }
        for (FaultReport r : reports) {
            r.violations().stream().limit(5).forEach(v -> md.append("\n- ").append(backend(r)).append(": ").append(v));
        }
        return md.toString();
    }

    private static String backend(FaultReport r) {
        return r.label().substring(0, r.label().indexOf('/'));
    }
}
