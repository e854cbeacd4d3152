package dev.portafilter.benchmarks;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Everything one run measured. {@code matchingRows} maps each case's label to the rows its filter matches;
 * {@code openSearchLoad} is the OpenSearch index's load and merge seconds; {@code portafilterPlans} maps each
 * case to the plan Portafilter's pgvector store chose, {@code openSearchPlans} to the plan its OpenSearch store chose; {@code failures} names the parts of the
 * run that failed, whose cells are then missing.
 */
public record BenchmarkReport(BenchmarkConfig config, String startedUtc, double minutes, String loadBefore,
                              String loadAfter, Machine machine, Map<String, Integer> matchingRows,
                              List<SearchResult> search, List<IngestResult> ingest,
                              List<TranslationResult> translation, double[] openSearchLoad,
                              Map<String, String> portafilterPlans, Map<String, String> openSearchPlans,
                              List<String> failures) {

    public Optional<SearchResult> search(String system, String filterCase) {
        return search.stream().filter(r -> r.system().equals(system) && r.filterCase().equals(filterCase)).findFirst();
    }

    public Optional<TranslationResult> translation(String translator, int clauses) {
        return translation.stream().filter(t -> t.translator().equals(translator) && t.clauses() == clauses)
                .findFirst();
    }
}
