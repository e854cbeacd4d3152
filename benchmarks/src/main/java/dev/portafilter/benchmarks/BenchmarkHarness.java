package dev.portafilter.benchmarks;

import dev.portafilter.opensearch.OpenSearchStore;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * One run: generate the data, compute the ground truth, then load, measure and drop each system in turn on the
 * same PostgreSQL server and OpenSearch node, then the translation benchmark.
 */
public final class BenchmarkHarness {
    private BenchmarkHarness() {
    }

    public static BenchmarkReport run(BenchmarkConfig config, String pgvectorUrl, String openSearchUrl) {
        long started = System.nanoTime();
        String startedUtc = DateTimeFormatter.ISO_INSTANT.format(Instant.now().atOffset(ZoneOffset.UTC)
                .withNano(0).toInstant());
        String loadBefore = Machine.loadAverage();
        log("n=%,d, %d queries, seed %d; load average %s", config.n(), config.queries(), config.seed(), loadBefore);

        Dataset data = Dataset.generate(config.n(), config.dimension(), config.queries(), config.seed());
        List<FilterCase> cases = FilterCase.all();
        GroundTruth truth = GroundTruth.compute(data, cases, config.k());
        Map<String, Integer> matching = new LinkedHashMap<>();
        cases.forEach(c -> matching.put(c.label(), truth.of(c).matchingRows()));
        log("ground truth computed: %s", matching);
        SearchBenchmark bench = new SearchBenchmark(data, truth, config);

        List<SearchResult> search = new ArrayList<>();
        List<IngestResult> ingest = new ArrayList<>();
        Map<String, String> plans = new LinkedHashMap<>();
        Map<String, String> openSearchPlans = new LinkedHashMap<>();
        List<String> failures = new ArrayList<>();
        double[] openSearchLoad = null;
        String openSearchVersion = "unknown (not reached)";
        // a failing system is recorded and the run goes on: the report says which cells are missing and why
        if (config.openSearch()) {
            // every index loaded, then measured side by side, query by query, as the pgvector group is: the cost of
            // the undeclared path and the gap to each peer are ratios within one stretch of time, not across two;
            // the peers too: Spring AI's store on its own index, LangChain4j's query shape on that index
            List<SearchSystem> systems = new ArrayList<>();
            try (OpenSearchSystems os = timed("OpenSearch: load", () -> OpenSearchSystems.load(openSearchUrl, data,
                    config.bulkSize()));
                 OpenSearchSystems undeclared = timed("OpenSearch, metadata undeclared: load",
                         () -> OpenSearchSystems.loadUndeclared(openSearchUrl, data, config.bulkSize()));
                 SpringAiOpenSearchSystems springAi = timed(Report.SPRING_AI_OS + ": load",
                         () -> SpringAiOpenSearchSystems.load(openSearchUrl, data, config.batchSize()))) {
                openSearchVersion = os.serverVersion();
                openSearchLoad = new double[] {os.loadSeconds(), os.mergeSeconds()};
                ingest.add(springAi.ingest());
                openSearchPlans.putAll(os.plans(cases, config.k()));
                log("plans chosen for Portafilter's OpenSearch search: %s", openSearchPlans);
                systems.addAll(List.of(os.portafilter(),
                        os.fixedPlan(Report.PORTAFILTER_OS_EXACT, OpenSearchStore.SearchMode.EXACT),
                        os.fixedPlan(Report.PORTAFILTER_OS_APPROXIMATE, OpenSearchStore.SearchMode.APPROXIMATE),
                        os.rawEfficientFilter(openSearchUrl), undeclared.portafilter(), os.postFilter(),
                        springAi.springAi(), springAi.langChain4jShape(openSearchUrl)));
                search.addAll(bench.run(systems, cases));
            } catch (RuntimeException e) {
                failures.add(failure("OpenSearch", e));
            } finally {
                systems.forEach(SearchSystem::close);
            }
            try {
                int rows = Math.min(config.ingestRows(), data.size());
                ingest.addAll(timed("OpenSearch ingest comparison, " + rows + " rows",
                        () -> OpenSearchIngest.measure(openSearchUrl, data, rows, config.batchSize(),
                                config.bulkSize())));
            } catch (RuntimeException e) {
                failures.add(failure("OpenSearch ingest comparison", e));
            }
        } else {
            openSearchVersion = "not run (-Dopensearch=false)";
        }
        Machine machine;
        try (BenchmarkDatabase db = BenchmarkDatabase.create(pgvectorUrl)) {
            machine = Machine.describe(db, openSearchVersion);
            int bulk = config.bulkSize();
            try {
                ingest.add(timed("Portafilter: upsert", () -> PortafilterPgvector.measureUpsert(db, data,
                        config.batchSize())));
            } catch (RuntimeException e) {
                failures.add(failure("Portafilter batched upsert", e));
            }
            // Portafilter (adaptive, each plan fixed), LangChain4j COLUMN_PER_KEY, the strongest peer, and Portafilter
            // over the same rows undeclared are loaded together and measured side by side, query by query; the
            // other peers one after another
            List<List<Loader>> groups = List.of(
                    List.of(new Loader(Report.PORTAFILTER_PG, () -> PortafilterPgvector.load(db, data, bulk,
                                    config.connections())),
                            new Loader(Report.COLUMN_PER_KEY, () -> LangChain4jPgvector.load(
                                    LangChain4jPgvector.Mode.COLUMN_PER_KEY, db, data, bulk, config.connections())),
                            new Loader(Report.PORTAFILTER_PG_UNDECLARED, () -> PortafilterPgvector.loadUndeclared(db,
                                    data, bulk, config.connections()))),
                    List.of(new Loader("LangChain4j JSONB", () -> LangChain4jPgvector.load(
                            LangChain4jPgvector.Mode.JSONB, db, data, bulk, config.connections()))),
                    List.of(new Loader("Spring AI PgVectorStore", () -> SpringAiPgvector.load(db, data, bulk,
                            config.connections()))));
            for (List<Loader> group : groups) {
                List<SearchSystem> systems = new ArrayList<>();
                try {
                    for (Loader loader : group) {
                        Loaded loaded = timed(loader.name() + ": load", loader.load());
                        systems.add(loaded.system());
                        ingest.add(loaded.ingest());
                        if (loaded.system() instanceof PortafilterPgvector portafilter
                                && portafilter.name().equals(Report.PORTAFILTER_PG)) {
                            plans.putAll(portafilter.plans(cases, config.k()));
                            log("plans chosen for Portafilter's search: %s", plans);
                            systems.addAll(portafilter.fixedModes());
                        }
                    }
                    search.addAll(bench.run(systems, cases));
                } catch (RuntimeException e) {
                    failures.add(failure(group.stream().map(Loader::name).collect(Collectors.joining(" and "))
                            + " on pgvector", e));
                } finally {
                    // the variants first: they search the table their system drops
                    for (int i = systems.size() - 1; i >= 0; i--) {
                        systems.get(i).close();
                    }
                }
            }
        }
        List<TranslationResult> translation = List.of();
        try {
            translation = timed("translation (JMH " + config.jmh() + ")", () -> TranslationRun.run(config.jmh()));
        } catch (RuntimeException e) {
            failures.add(failure("translation benchmark", e));
        }
        failures.addAll(0, bench.failures());
        double minutes = (System.nanoTime() - started) / 60e9;
        return new BenchmarkReport(config, startedUtc, minutes, loadBefore, Machine.loadAverage(), machine, matching,
                search, ingest, translation, openSearchLoad, plans, openSearchPlans, failures);
    }

    /** A system to load, by its name in the report. */
    private record Loader(String name, Supplier<Loaded> load) {
    }

    private static <T> T timed(String what, Supplier<T> step) {
        long start = System.nanoTime();
        T result = step.get();
        log("%s: %.1f s", what, (System.nanoTime() - start) / 1e9);
        return result;
    }

    private static String failure(String what, RuntimeException e) {
        System.err.println("[benchmark] " + what + " failed:");
        e.printStackTrace();
        return what + ": " + e;
    }

    static void log(String format, Object... args) {
        System.out.printf("[benchmark] " + format + "%n", args);
    }
}
