package dev.portafilter.benchmarks;

import dev.portafilter.conformance.BackendLocator;
import dev.portafilter.conformance.faults.FaultReport;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;

/**
 * The soak's entry point: {@code bash scripts/benchmark.sh soak} starts the servers and runs this. It prints each
 * backend's figures and writes {@code docs/soak.md}; {@code -Dsoak.threads}, {@code -Dsoak.tenants},
 * {@code -Dsoak.operations}, {@code -Dsoak.records} and {@code -Dsoak.dimension} change the run. Fails (exit 1) when
 * an invariant broke on any backend.
 */
public final class SoakMain {
    private SoakMain() {
    }

    public static void main(String[] args) throws IOException {
        Path root = BackendLocator.repositoryRoot().orElse(Path.of(""));
        Path out = Path.of(System.getProperty("out", root.resolve("docs").toString()));
        String pg = BackendLocator.find(BenchmarkMain.PGVECTOR_URL, "pgvector.env").orElseThrow(() ->
                new IllegalStateException("no PostgreSQL server: run bash scripts/postgres.sh start"));
        String os = BackendLocator.find(BenchmarkMain.OPENSEARCH_URL, "opensearch.env").orElseThrow(() ->
                new IllegalStateException("no OpenSearch server: run bash scripts/opensearch.sh start"));
        SoakBenchmark.Config config = SoakBenchmark.Config.fromSystemProperties();
        String loadBefore = Machine.loadAverage();
        List<FaultReport> reports = SoakBenchmark.run(config, pg, os);
        reports.forEach(FaultReport::print);
        String table = SoakBenchmark.markdown(config, reports);
        System.out.println(table);
        String doc = "# Soak: " + LocalDate.now() + "\n\nWritten by `" + System.getProperty("command",
                "bash scripts/benchmark.sh soak") + "` on " + Runtime.getRuntime().availableProcessors()
                + " cores (load average before " + loadBefore + ", after "
                + Machine.loadAverage() + "). See docs/reliability.md for what each column checks.\n\n" + table + "\n";
        Files.createDirectories(out);
        Files.writeString(out.resolve("soak.md"), doc, StandardCharsets.UTF_8);
        System.out.println("[soak] wrote " + out.resolve("soak.md"));
        System.exit(reports.stream().allMatch(FaultReport::held) ? 0 : 1);
    }
}
