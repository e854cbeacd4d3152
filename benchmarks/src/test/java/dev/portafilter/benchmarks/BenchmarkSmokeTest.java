package dev.portafilter.benchmarks;

import dev.portafilter.conformance.BackendLocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The whole harness on 2,000 rows against the real servers, JMH in-process for one tiny iteration: every table
 * cell must be filled and recall computed. A smoke run for CI, never a timing.
 */
class BenchmarkSmokeTest {
    /**
     * On OpenSearch: Portafilter with its own plan and each plan fixed, the raw efficient filter, Portafilter
     * undeclared, the post-filter, Spring AI's store and LangChain4j's query shape; on pgvector: the other 8.
     */
    private static final int SYSTEMS = 16;

    @Test
    void fillsEveryCellOfTheReport(@TempDir Path out) throws IOException {
        String pg = BackendLocator.find(BenchmarkMain.PGVECTOR_URL, "pgvector.env")
                .orElseThrow(() -> BackendLocator.unavailable("pgvector", "set " + BenchmarkMain.PGVECTOR_URL
                        + " or run bash scripts/postgres.sh start"));
        String os = BackendLocator.find(BenchmarkMain.OPENSEARCH_URL, "opensearch.env")
                .orElseThrow(() -> BackendLocator.unavailable("opensearch", "set " + BenchmarkMain.OPENSEARCH_URL
                        + " or run bash scripts/opensearch.sh start"));
        BenchmarkConfig config = new BenchmarkConfig(2_000, 384, 20, 7L, 10, 5, 0.2, 200, 500, 1_000, 4,
                BenchmarkConfig.Jmh.TINY, true, out, "BenchmarkSmokeTest");

        BenchmarkReport report = BenchmarkHarness.run(config, pg, os);
        Report.write(report);
        System.out.println(Report.console(report));

        // Spring AI writes $ne as `metadata.documentType: NOT email`, which OpenSearch's query_string rejects: that
        // one cell is missing, and says why
        assertThat(report.failures()).singleElement().asString()
                .startsWith(Report.SPRING_AI_OS + " / 1% ∧ type $ne: ");
        List<FilterCase> cases = FilterCase.all();
        assertThat(report.search()).hasSize(SYSTEMS * cases.size() - 1);
        for (SearchResult r : report.search()) {
            String cell = r.system() + " / " + r.filterCase();
            assertThat(r.p50Millis()).as(cell).isPositive();
            assertThat(r.p99Millis()).as(cell).isGreaterThanOrEqualTo(r.p95Millis());
            assertThat(r.p95Millis()).as(cell).isGreaterThanOrEqualTo(r.p50Millis());
            assertThat(r.qps1()).as(cell).isPositive();
            assertThat(r.qps4()).as(cell).isPositive();
            assertThat(r.recall()).as(cell).isBetween(0.0, 1.0);
            assertThat(r.meanReturned()).as(cell).isBetween(0.0, (double) config.k());
            // full k is defined only where at least k rows match (the 0.1% tenant has 2 rows here)
            boolean defined = report.matchingRows().get(r.filterCase()) >= config.k();
            assertThat(Double.isNaN(r.fullKShare())).as(cell).isEqualTo(!defined);
        }
        // Portafilter's answers only ever hold rows its filter matches, on both backends
        assertThat(report.search()).filteredOn(r -> r.system().startsWith("Portafilter"))
                .hasSize(9 * cases.size())
                .allSatisfy(r -> assertThat(r.foreignRows()).as(r.system() + " / " + r.filterCase()).isZero());

        assertThat(report.translation()).hasSize(TranslationRun.TRANSLATORS.size() * 3)
                .allSatisfy(t -> {
                    assertThat(t.p50Nanos()).as(t.translator()).isPositive();
                    assertThat(t.bytesPerOp()).as(t.translator()).isNotNaN();
                });
        assertThat(report.ingest()).hasSize(11).allSatisfy(i -> assertThat(i.rowsPerSecond()).isPositive());
        assertThat(report.ingest()).filteredOn(i -> i.backend().equals("opensearch")).extracting(IngestResult::system)
                .containsOnly("Portafilter", Report.RAW_BULK, Report.SPRING_AI_OS);
        assertThat(report.openSearchPlans()).containsOnlyKeys(cases.stream().map(FilterCase::label).toList());
        assertThat(report.search()).extracting(SearchResult::system).contains(Report.SPRING_AI_OS,
                Report.LANGCHAIN4J_OS_SHAPE, Report.RAW_EFFICIENT, Report.PORTAFILTER_OS_EXACT,
                Report.PORTAFILTER_OS_APPROXIMATE);
        // every target of the issue computed from the run: 1 overhead, 1 plan, 3 peers, 1 ingest, 3 compound rows
        assertThat(Report.issueTargets(report)).hasSize(9)
                .allSatisfy(f -> assertThat(f.measured()).doesNotContain("not measured"));
        assertThat(Report.floor(report)).allSatisfy(f -> assertThat(f.measured()).doesNotContain("not measured"));
        assertThat(Report.planTargets(report)).hasSize(3 * FilterCase.SELECTIVITIES.size())
                .allSatisfy(f -> assertThat(f.measured()).doesNotContain("not measured"));

        String markdown = Files.readString(config.markdownFile());
        assertThat(markdown).doesNotContain(" not measured |").contains("## The floor", "Portafilter");
        assertThat(config.imageDir().resolve("pgvector-p50.png")).isNotEmptyFile();
        assertThat(config.imageDir().resolve("opensearch-recall.png")).isNotEmptyFile();
        assertThat(config.imageDir().resolve("translation.png")).isNotEmptyFile();
        assertThat(config.imageDir().resolve("ingest.png")).isNotEmptyFile();
        assertThat(config.imageDir().resolve("ingest-opensearch.png")).isNotEmptyFile();
        for (String backend : List.of("pgvector", "opensearch")) {
            assertThat(config.imageDir().resolve("selectivity-" + backend + "-p50.png")).isNotEmptyFile();
            assertThat(config.imageDir().resolve("selectivity-" + backend + "-recall.png")).isNotEmptyFile();
        }
        assertThat(markdown).contains("## Targets of issue 19", "## Ingest into OpenSearch", "## Per-query plan: targets", Report.PORTAFILTER_PG_EXACT,
                Report.PORTAFILTER_PG_HNSW);
    }
}
