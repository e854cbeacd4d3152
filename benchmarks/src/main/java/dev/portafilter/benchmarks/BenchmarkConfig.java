package dev.portafilter.benchmarks;

import java.nio.file.Path;
import java.util.Locale;

/**
 * What one run does. {@link #fromSystemProperties} reads {@code -Dn=}, {@code -Dqueries=}, {@code -Dseed=},
 * {@code -Dthroughput.seconds=}, {@code -Dbatch=} (rows per upsert call), {@code -Dbulk=} (rows per bulk-load
 * call), {@code -Dingest.rows=} (rows of the OpenSearch ingest comparison, 20,000 by default, at most n),
 * {@code -Dwarmup.queries=}, {@code -Djmh=full|tiny|skip}, {@code -Dopensearch=false} (pgvector only) and
 * {@code -Dout=} (the folder that receives {@code benchmarks.md} and {@code benchmarks/*.png}).
 */
public record BenchmarkConfig(int n, int dimension, int queries, long seed, int k, int warmupQueries,
                              double throughputSeconds, int batchSize, int bulkSize, int ingestRows, int connections,
                              Jmh jmh,
                              boolean openSearch, Path outputDir, String command) {

    /** How the translation benchmark runs: a forked, timed run; a tiny in-process run to fill the table; or none. */
    public enum Jmh { FULL, TINY, SKIP }

    public BenchmarkConfig {
        if (queries < 1 || k < 1 || batchSize < 1 || bulkSize < 1 || ingestRows < 1 || connections < 4) {
            throw new IllegalArgumentException("queries, k, batch, bulk and ingest sizes must be positive, connections "
                    + "at least 4");
        }
    }

    public static BenchmarkConfig fromSystemProperties(Path defaultOutputDir) {
        return new BenchmarkConfig(
                Integer.getInteger("n", 100_000),
                384,
                Integer.getInteger("queries", 1_000),
                Long.getLong("seed", 42L),
                10,
                Integer.getInteger("warmup.queries", 50),
                Double.parseDouble(System.getProperty("throughput.seconds", "3")),
                Integer.getInteger("batch", 1_000),
                Integer.getInteger("bulk", 10_000),
                Integer.getInteger("ingest.rows", 20_000),
                4,
                Jmh.valueOf(System.getProperty("jmh", "full").toUpperCase(Locale.ROOT)),
                Boolean.parseBoolean(System.getProperty("opensearch", "true")),
                Path.of(System.getProperty("out", defaultOutputDir.toString())),
                System.getProperty("command", "bash scripts/benchmark.sh"));
    }

    /** The docs file the run writes. */
    public Path markdownFile() {
        return outputDir.resolve("benchmarks.md");
    }

    /** The folder of the plots. */
    public Path imageDir() {
        return outputDir.resolve("benchmarks");
    }
}
