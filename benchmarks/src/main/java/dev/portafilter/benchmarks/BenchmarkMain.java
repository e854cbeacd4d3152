package dev.portafilter.benchmarks;

import dev.portafilter.conformance.BackendLocator;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The benchmark's entry point: {@code bash scripts/benchmark.sh} starts the servers and runs this with
 * {@code -Dn=100000}. The servers are found like the tests find them: {@code PORTAFILTER_PGVECTOR_URL} and
 * {@code PORTAFILTER_OPENSEARCH_URL}, else the {@code .backends/*.env} files the start scripts write.
 */
public final class BenchmarkMain {
    static final String PGVECTOR_URL = "PORTAFILTER_PGVECTOR_URL";
    static final String OPENSEARCH_URL = "PORTAFILTER_OPENSEARCH_URL";

    private BenchmarkMain() {
    }

    public static void main(String[] args) throws IOException {
        Path root = BackendLocator.repositoryRoot().orElse(Path.of(""));
        BenchmarkConfig config = BenchmarkConfig.fromSystemProperties(root.resolve("docs"));
        String pg = BackendLocator.find(PGVECTOR_URL, "pgvector.env").orElseThrow(() -> new IllegalStateException(
                "no PostgreSQL server: set " + PGVECTOR_URL + " or run bash scripts/postgres.sh start"));
        String os = config.openSearch() ? BackendLocator.find(OPENSEARCH_URL, "opensearch.env").orElseThrow(() ->
                new IllegalStateException("no OpenSearch server: set " + OPENSEARCH_URL
                        + " or run bash scripts/opensearch.sh start")) : null;
        BenchmarkReport report = BenchmarkHarness.run(config, pg, os);
        System.out.println(Report.console(report));
        Report.write(report);
        System.out.println("[benchmark] wrote " + config.markdownFile() + " and " + config.imageDir() + "/*.png");
    }
}
