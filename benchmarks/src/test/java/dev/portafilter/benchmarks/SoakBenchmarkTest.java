package dev.portafilter.benchmarks;

import dev.portafilter.conformance.BackendLocator;
import dev.portafilter.conformance.faults.FaultReport;
import dev.portafilter.conformance.faults.FaultWorkload;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The soak in its full shape (4 tenants × 16 threads) with few operations per thread, on every backend: the
 * invariants hold and every cell of the table is filled. A smoke run for CI, never a timing.
 */
class SoakBenchmarkTest {
    @Test
    void everyBackendHoldsTheInvariantsUnderSixtyFourThreads() {
        String pg = BackendLocator.find(BenchmarkMain.PGVECTOR_URL, "pgvector.env")
                .orElseThrow(() -> BackendLocator.unavailable("pgvector", "run bash scripts/postgres.sh start"));
        String os = BackendLocator.find(BenchmarkMain.OPENSEARCH_URL, "opensearch.env")
                .orElseThrow(() -> BackendLocator.unavailable("opensearch", "run bash scripts/opensearch.sh start"));
        SoakBenchmark.Config config = new SoakBenchmark.Config(16, 4, 16, 8, 16, false);

        List<FaultReport> reports = SoakBenchmark.run(config, pg, os);
        reports.forEach(FaultReport::print);

        assertThat(reports).extracting(FaultReport::label)
                .containsExactly("memory/soak", "pgvector/soak", "opensearch/soak", "pinecone-local/soak");
        for (FaultReport r : reports) {
            r.assertHeld();
            assertThat(r.workers()).as(r.label()).isEqualTo(64);
            assertThat(r.operations()).as(r.label()).isEqualTo(64 * 16);
            assertThat(r.readsFailed() + r.writesFailed()).as("%s: typed errors on a healthy backend", r.label())
                    .isZero();
            assertThat(r.latencies()).as(r.label()).doesNotContainKey(FaultWorkload.Kind.RETRY_FAILED)
                    .hasSize(FaultWorkload.Kind.values().length - 1);
            assertThat(r.finalRecords()).as(r.label()).isPositive();
        }
        String table = SoakBenchmark.markdown(config, reports);
        assertThat(table).contains("| pinecone-local |").doesNotContain(" – |", "NaN");
    }
}
