package dev.portafilter.benchmarks;

import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.util.Statistics;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/** Runs {@link TranslationBenchmark} (sampled times) through JMH's {@link Runner} with the GC profiler. */
final class TranslationRun {
    /** Benchmark method to (library, what it translates for). */
    static final Map<String, String[]> TRANSLATORS = Map.ofEntries(
            Map.entry("portafilterPgvector", new String[] {"Portafilter", "PgvectorFilterTranslator → SQL + parameters"}),
            Map.entry("portafilterOpenSearch", new String[] {"Portafilter", "OpenSearchFilterTranslator → Query object"}),
            Map.entry("portafilterOpenSearchJson", new String[] {"Portafilter", "OpenSearchFilterTranslator → JSON text"}),
            Map.entry("portafilterPinecone", new String[] {"Portafilter", "PineconeFilterTranslator → protobuf Struct"}),
            Map.entry("portafilterSchemaValidate", new String[] {"Portafilter", "MetadataSchema.validate (run first by every translator)"}),
            Map.entry("springAiPgvector", new String[] {"Spring AI", "PgVectorFilterExpressionConverter → jsonpath"}),
            Map.entry("springAiOpenSearch", new String[] {"Spring AI", "OpenSearchAiSearchFilterExpressionConverter → query_string"}),
            Map.entry("springAiPinecone", new String[] {"Spring AI", "PineconeFilterExpressionConverter → JSON text (the store then parses it into a Struct)"}),
            Map.entry("langChain4jPgvectorJson", new String[] {"LangChain4j", "pgvector JSONFilterMapper → SQL"}),
            Map.entry("langChain4jPgvectorColumns", new String[] {"LangChain4j", "pgvector ColumnFilterMapper → SQL"}));

    private TranslationRun() {
    }

    static List<TranslationResult> run(BenchmarkConfig.Jmh mode) {
        if (mode == BenchmarkConfig.Jmh.SKIP) {
            return List.of();
        }
        ChainedOptionsBuilder options = new OptionsBuilder()
                .include(TranslationBenchmark.class.getName() + "\\.")
                .addProfiler(GCProfiler.class)
                .shouldFailOnError(true);
        if (mode == BenchmarkConfig.Jmh.FULL) {
            options.forks(1).warmupIterations(3).warmupTime(TimeValue.seconds(1))
                    .measurementIterations(5).measurementTime(TimeValue.seconds(1));
        } else {
            // in-process and tiny: fills every cell for the smoke test, means nothing as a timing
            options.forks(0).warmupIterations(0).measurementIterations(1)
                    .measurementTime(TimeValue.milliseconds(100)).verbosity(VerboseMode.SILENT);
        }
        try {
            List<TranslationResult> out = new ArrayList<>();
            for (RunResult r : new Runner(options.build()).run()) {
                String label = r.getParams().getBenchmark();
                String method = label.substring(label.lastIndexOf('.') + 1);
                String[] names = TRANSLATORS.getOrDefault(method, new String[] {"?", method});
                Statistics samples = r.getPrimaryResult().getStatistics();
                Result<?> alloc = r.getSecondaryResults().get("·gc.alloc.rate.norm");
                if (alloc == null) {
                    alloc = r.getSecondaryResults().get("gc.alloc.rate.norm");
                }
                out.add(new TranslationResult(names[0], names[1], Integer.parseInt(r.getParams().getParam("clauses")),
                        samples.getPercentile(50), samples.getPercentile(99),
                        alloc == null ? Double.NaN : alloc.getScore()));
            }
            out.sort(Comparator.comparing(TranslationResult::clauses).thenComparing(TranslationResult::library)
                    .thenComparing(TranslationResult::translator));
            return out;
        } catch (RunnerException e) {
            throw new IllegalStateException("the JMH translation benchmark failed: " + e.getMessage(), e);
        }
    }
}
