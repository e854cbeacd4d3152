package dev.portafilter.benchmarks;

import dev.portafilter.core.filter.FilterJson;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** Writes the run as {@code docs/benchmarks.md} (tables, plots, floor, machine) and prints the tables. */
final class Report {
    static final String PORTAFILTER_PG = "Portafilter";
    static final String PORTAFILTER_PG_EXACT = "Portafilter, exact only";
    static final String PORTAFILTER_PG_HNSW = "Portafilter, HNSW iterative only";
    static final String PORTAFILTER_PG_UNCACHED = "Portafilter, estimate every search";
    static final String COLUMN_PER_KEY = "LangChain4j COLUMN_PER_KEY";
    static final String PORTAFILTER_OS = "Portafilter (filter inside knn)";
    static final String PORTAFILTER_PG_UNDECLARED = "Portafilter, metadata undeclared (jsonb)";
    static final String PORTAFILTER_OS_UNDECLARED = "Portafilter, metadata undeclared (nested)";
    static final String PG_TRANSLATOR = "PgvectorFilterTranslator → SQL + parameters";
    static final String OS_TRANSLATOR = "OpenSearchFilterTranslator → Query object";
    static final String PINECONE_TRANSLATOR = "PineconeFilterTranslator → protobuf Struct";
    private static final String ONE_PERCENT = "1%";
    /**
     * How far apart the p50 of one SQL statement lands when two stores run it side by side in one run: the
     * adaptive store and the fixed plan it picks differed by up to 5% in the runs this was set from. A smaller
     * difference is not a measured difference.
     */
    private static final double SAME_PLAN_SPREAD = 1.05;
    private static final String NOTES_RESOURCE = "/benchmark-notes.md";

    /** One line of the floor: what is required, what was measured, and whether it holds. */
    record FloorCheck(String requirement, String measured, boolean met) {
    }

    private Report() {
    }

    static List<FloorCheck> floor(BenchmarkReport r) {
        List<FloorCheck> checks = new ArrayList<>();
        for (String[] sys : new String[][] {{"pgvector", PORTAFILTER_PG}, {"OpenSearch", PORTAFILTER_OS}}) {
            Optional<SearchResult> s = r.search(sys[1], ONE_PERCENT);
            checks.add(new FloorCheck(sys[0] + ", 1% tenant: the full k on ≥ 99% of queries",
                    s.map(x -> pct(x.fullKShare())).orElse("not measured"),
                    s.map(x -> x.fullKShare() >= 0.99).orElse(false)));
            checks.add(new FloorCheck(sys[0] + ", 1% tenant: recall@10 ≥ 0.95",
                    s.map(x -> fmt3(x.recall())).orElse("not measured"),
                    s.map(x -> x.recall() >= 0.95).orElse(false)));
        }
        Optional<SearchResult> ours = r.search(PORTAFILTER_PG, ONE_PERCENT);
        for (String peer : List.of("LangChain4j JSONB", "Spring AI PgVectorStore")) {
            Optional<SearchResult> theirs = r.search(peer, ONE_PERCENT);
            boolean both = ours.isPresent() && theirs.isPresent();
            double ratio = both ? theirs.get().p50Millis() / ours.get().p50Millis() : Double.NaN;
            checks.add(new FloorCheck("pgvector p50 at 1% ≥ 5× faster than " + peer,
                    both ? String.format(Locale.ROOT, "%.1f× (%.2f ms vs %.2f ms; the peer returned %s rows of 10, "
                                    + "recall %s)", ratio, ours.get().p50Millis(), theirs.get().p50Millis(),
                            num(theirs.get().meanReturned()), fmt2(theirs.get().recall())) : "not measured",
                    both && ratio >= 5));
        }
        for (String[] t : new String[][] {
                {PG_TRANSLATOR, "Spring AI: PgVectorFilterExpressionConverter → jsonpath",
                        "LangChain4j: pgvector JSONFilterMapper → SQL", "LangChain4j: pgvector ColumnFilterMapper → SQL"},
                {OS_TRANSLATOR, "Spring AI: OpenSearchAiSearchFilterExpressionConverter → query_string"},
                {PINECONE_TRANSLATOR, "Spring AI: PineconeFilterExpressionConverter → JSON text (the store then parses it into a Struct)"}}) {
            Optional<TranslationResult> own = r.translation(t[0], 10);
            checks.add(new FloorCheck("10-clause filter through " + t[0] + " ≤ 2 µs",
                    own.map(x -> ns(x.p50Nanos())).orElse("not measured"),
                    own.map(x -> x.p50Nanos() <= 2_000).orElse(false)));
            for (int i = 1; i < t.length; i++) {
                String peer = t[i].substring(t[i].indexOf(": ") + 2);
                Optional<TranslationResult> theirs = r.translation(peer, 10);
                boolean both = own.isPresent() && theirs.isPresent();
                checks.add(new FloorCheck("… and faster than " + t[i],
                        both ? ns(own.get().p50Nanos()) + " vs " + ns(theirs.get().p50Nanos()) : "not measured",
                        both && own.get().p50Nanos() < theirs.get().p50Nanos()));
            }
        }
        // the undeclared path: the same rows with no field declared, the same filter on a document key
        for (String[] sys : new String[][] {{"pgvector", PORTAFILTER_PG, PORTAFILTER_PG_UNDECLARED},
                {"OpenSearch", PORTAFILTER_OS, PORTAFILTER_OS_UNDECLARED}}) {
            for (String sel : List.of(ONE_PERCENT, "10%")) {
                Optional<SearchResult> declared = r.search(sys[1], sel);
                Optional<SearchResult> undeclared = r.search(sys[2], sel);
                boolean measured = declared.isPresent() && undeclared.isPresent();
                checks.add(new FloorCheck(sys[0] + ", " + sel + " on an undeclared field: the full k and recall@10 "
                        + "≥ 0.95 (cost as a ratio to the declared field's p50)",
                        measured ? String.format(Locale.ROOT, "%.2f ms vs %.2f ms declared: %.1f×; recall %s, full k "
                                        + "%s", undeclared.get().p50Millis(), declared.get().p50Millis(),
                                undeclared.get().p50Millis() / declared.get().p50Millis(),
                                fmt3(undeclared.get().recall()), pct(undeclared.get().fullKShare()))
                                : "not measured",
                        measured && undeclared.get().recall() >= 0.95 && undeclared.get().fullKShare() >= 0.99));
            }
        }
        Optional<IngestResult> copy = r.ingest().stream().filter(i -> i.path().startsWith("bulkLoad")).findFirst();
        Optional<IngestResult> upsert = r.ingest().stream().filter(i -> i.path().startsWith("upsert")).findFirst();
        boolean both = copy.isPresent() && upsert.isPresent();
        double ratio = both ? copy.get().rowsPerSecond() / upsert.get().rowsPerSecond() : Double.NaN;
        checks.add(new FloorCheck("COPY ingest ≥ 3× the batched upsert",
                both ? String.format(Locale.ROOT, "%.1f× (%,.0f vs %,.0f rows/s)", ratio, copy.get().rowsPerSecond(),
                        upsert.get().rowsPerSecond()) : "not measured",
                both && ratio >= 3));
        return checks;
    }

    /**
     * The per-query plan's targets at each selectivity: the full k and recall on both backends, and pgvector's p50
     * against the best of LangChain4j COLUMN_PER_KEY and each fixed Portafilter plan, measured side by side.
     */
    static List<FloorCheck> planTargets(BenchmarkReport r) {
        List<FloorCheck> checks = new ArrayList<>();
        for (String sel : FilterCase.SELECTIVITIES) {
            double recallTarget = FilterCase.selectivityPercent(sel).orElseThrow() <= 1 ? 0.99 : 0.95;
            for (String[] sys : new String[][] {{"pgvector", PORTAFILTER_PG}, {"OpenSearch", PORTAFILTER_OS}}) {
                Optional<SearchResult> s = r.search(sys[1], sel);
                checks.add(new FloorCheck(sys[0] + ", " + sel + ": the full k on 100% of queries, recall@10 ≥ "
                        + recallTarget,
                        s.map(x -> pct(x.fullKShare()) + ", " + fmt3(x.recall())).orElse("not measured"),
                        s.map(x -> x.fullKShare() >= 1 && x.recall() >= recallTarget).orElse(false)));
            }
            Optional<SearchResult> ours = r.search(PORTAFILTER_PG, sel);
            List<SearchResult> rivals = Stream.of(COLUMN_PER_KEY, PORTAFILTER_PG_EXACT, PORTAFILTER_PG_HNSW)
                    .flatMap(name -> r.search(name, sel).stream()).toList();
            Optional<SearchResult> best = rivals.stream().min(Comparator.comparingDouble(SearchResult::p50Millis));
            boolean both = ours.isPresent() && best.isPresent();
            double ratio = both ? ours.get().p50Millis() / best.get().p50Millis() : Double.NaN;
            checks.add(new FloorCheck("pgvector, " + sel + ": p50 no slower than the best of " + COLUMN_PER_KEY
                    + ", exact only, HNSW iterative only (within " + Math.round(100 * (SAME_PLAN_SPREAD - 1)) + "%)",
                    both ? String.format(Locale.ROOT, "%s ms vs %s ms, %.2f× (best: %s; %s)", fmt2(ours.get().p50Millis()),
                            fmt2(best.get().p50Millis()), ratio, best.get().system(), rivals.stream()
                                    .map(x -> x.system() + " " + fmt2(x.p50Millis()) + " ms, recall " + fmt3(x.recall()))
                                    .collect(Collectors.joining("; "))) : "not measured",
                    both && rivals.size() == 3 && ratio <= SAME_PLAN_SPREAD));
        }
        return checks;
    }

    static String markdown(BenchmarkReport r, List<String> charts) {
        BenchmarkConfig c = r.config();
        Machine m = r.machine();
        StringBuilder md = new StringBuilder();
        md.append("# Benchmarks\n\n");
        md.append("Filtered top-10 search, filter translation and ingest: Portafilter against LangChain4j and Spring AI ")
                .append("on the same PostgreSQL server and rows, and against the usual post-filter on the same ")
                .append("OpenSearch index. This file is written by the benchmark harness (`benchmarks/`); the analysis ")
                .append("at the end comes from `benchmarks/src/main/resources/benchmark-notes.md`.\n\n");
        md.append("- **Command:** `").append(c.command()).append("`\n");
        md.append("- **Run:** ").append(r.startedUtc()).append(String.format(Locale.ROOT, ", %.1f minutes", r.minutes()))
                .append("; load average before ").append(r.loadBefore()).append(", after ").append(r.loadAfter())
                .append("\n");
        md.append("- **Machine:** ").append(m.cpu()).append(", ").append(m.cores()).append(" cores, ")
                .append(String.format(Locale.ROOT, "%.1f GiB", m.memoryBytes() / (double) (1L << 30)))
                .append(" memory; ").append(m.os()).append("; ").append(m.java()).append("\n");
        md.append("- **Servers:** PostgreSQL ").append(m.postgres()).append(" with pgvector ").append(m.pgvector())
                .append("; OpenSearch ").append(m.openSearch()).append(" (k-NN plugin, lucene engine); both on this ")
                .append("machine, sharing its cores with the client\n");
        md.append("- **Libraries:** LangChain4j ").append(m.langChain4j()).append(" (`langchain4j-pgvector`), Spring AI ")
                .append(m.springAi()).append(", JMH ").append(m.jmh()).append("\n");
        md.append("- **Data:** ").append(String.format(Locale.ROOT, "%,d", c.n())).append(" vectors × ")
                .append(c.dimension()).append(" dimensions (100 clusters, normalized), seed ").append(c.seed())
                .append("; ").append(c.queries()).append(" queries, k = ").append(c.k())
                .append("; ground truth: exact filtered top-k by brute force, the matching rows decided by the ")
                .append("reference evaluator\n\n");

        if (!r.failures().isEmpty()) {
            md.append("## Failures in this run\n\nThese parts failed, so their cells are missing:\n\n");
            r.failures().forEach(f -> md.append("- `").append(f.replace('`', '\'')).append("`\n"));
            md.append('\n');
        }
        md.append("## The floor\n\n| requirement | measured | met |\n|---|---|---|\n");
        for (FloorCheck f : floor(r)) {
            md.append("| ").append(f.requirement()).append(" | ").append(f.measured()).append(" | ")
                    .append(f.met() ? "yes" : "**no**").append(" |\n");
        }
        md.append("\n## Per-query plan: targets\n\nPortafilter's pgvector store chooses per search between the exact ")
                .append("plan and the HNSW index (*Portafilter*); the same table is also searched with each plan fixed, ")
                .append("and LangChain4j COLUMN_PER_KEY is loaded beside it: these five are measured side by side, in ")
                .append("interleaved blocks of queries (see *How the systems were set up*).\n\n")
                .append("| requirement | measured | met |\n|---|---|---|\n");
        for (FloorCheck f : planTargets(r)) {
            md.append("| ").append(f.requirement()).append(" | ").append(f.measured()).append(" | ")
                    .append(f.met() ? "yes" : "**no**").append(" |\n");
        }
        for (String chart : charts) {
            if (chart.contains("/selectivity-")) {
                md.append("\n![").append(chart).append("](").append(chart).append(")\n");
            }
        }
        md.append("\nEvery miss is explained under *Analysis* below.\n\n");

        md.append("## Filters\n\n| case | filter | matching rows |\n|---|---|---|\n");
        for (FilterCase fc : FilterCase.all()) {
            md.append("| ").append(fc.label()).append(" | `").append(FilterJson.write(fc.filter())).append("` | ")
                    .append(String.format(Locale.ROOT, "%,d", r.matchingRows().getOrDefault(fc.label(), 0)))
                    .append(" |\n");
        }
        md.append('\n');

        for (String backend : List.of("pgvector", "opensearch")) {
            List<SearchResult> rows = r.search().stream().filter(s -> s.backend().equals(backend)).toList();
            if (rows.isEmpty()) {
                continue;
            }
            md.append("## Filtered k-NN search on ").append(backend.equals("pgvector") ? "PostgreSQL + pgvector" : "OpenSearch")
                    .append("\n\n");
            md.append("Each cell: mean rows returned / recall@10 / p50 ms (single client thread).\n\n");
            md.append(compactTable(rows)).append('\n');
            md.append("All figures. *full k*: share of queries that returned k rows, among those whose filter matches ")
                    .append("at least k rows. *foreign*: returned rows the filter does not match (summed over the ")
                    .append(c.queries()).append(" queries). QPS: queries per second for ")
                    .append(num(c.throughputSeconds()))
                    .append(" s with 1 and 4 client threads.\n\n");
            md.append(detailTable(rows)).append('\n');
            if (backend.equals("pgvector") && !r.portafilterPlans().isEmpty()) {
                md.append("The plan Portafilter's store chose for each filter (`PgvectorStore.explainPlan`: exact = filter, ")
                        .append("then sort the matching rows by distance; HNSW_ITERATIVE = the HNSW index with ")
                        .append("`hnsw.iterative_scan`):\n\n| filter | plan |\n|---|---|\n");
                r.portafilterPlans().forEach((k, v) -> md.append("| ").append(k).append(" | ").append(v).append(" |\n"));
                md.append('\n');
            }
            for (String chart : charts) {
                if (chart.contains("/" + backend + "-")) {
                    md.append("![").append(chart).append("](").append(chart).append(")\n\n");
                }
            }
        }
        if (r.openSearchLoad() != null) {
            md.append(String.format(Locale.ROOT, "The OpenSearch index took %.1f s to load through `upsert` "
                    + "and %.1f s to refresh and force-merge to one segment.%n%n", r.openSearchLoad()[0], r.openSearchLoad()[1]));
        }

        md.append("## Filter translation (JMH)\n\n");
        md.append(jmhNote(c)).append("\n\n");
        md.append(translationTable(r.translation())).append('\n');
        charts.stream().filter(ch -> ch.endsWith("translation.png"))
                .forEach(ch -> md.append("![").append(ch).append("](").append(ch).append(")\n\n"));

        md.append("## Ingest into PostgreSQL\n\n");
        md.append("Rows per second into an empty table of each system's own shape, the vector index built after the ")
                .append("load (its time in *index s*, ANALYZE included). Peak heap: the most heap in use, sampled ")
                .append("every 5 ms, above the heap in use before the load (so it includes garbage not yet collected); ")
                .append("allocated: bytes the loading thread allocated per row.\n\n");
        md.append(ingestTable(r.ingest())).append('\n');
        charts.stream().filter(ch -> ch.endsWith("ingest.png"))
                .forEach(ch -> md.append("![").append(ch).append("](").append(ch).append(")\n\n"));

        md.append(notes());
        return md.toString();
    }

    /** The tables for the console. */
    static String console(BenchmarkReport r) {
        StringBuilder out = new StringBuilder();
        for (String backend : List.of("pgvector", "opensearch")) {
            List<SearchResult> rows = r.search().stream().filter(s -> s.backend().equals(backend)).toList();
            if (!rows.isEmpty()) {
                out.append("\n== ").append(backend).append(": rows returned / recall@10 / p50 ms ==\n");
                out.append(compactTable(rows));
                out.append("\n").append(detailTable(rows));
            }
        }
        out.append("\n== translation ==\n").append(translationTable(r.translation()));
        out.append("\n== ingest ==\n").append(ingestTable(r.ingest()));
        r.failures().forEach(f -> out.append("\nFAILED: ").append(f));
        out.append("\n== floor ==\n");
        for (FloorCheck f : Stream.concat(floor(r).stream(), planTargets(r).stream()).toList()) {
            out.append(f.met() ? "  ok    " : "  MISS  ").append(f.requirement()).append(": ").append(f.measured())
                    .append('\n');
        }
        return out.toString();
    }

    private static String compactTable(List<SearchResult> rows) {
        List<String> cases = rows.stream().map(SearchResult::filterCase).distinct().toList();
        List<String> systems = rows.stream().map(SearchResult::system).distinct().toList();
        StringBuilder t = new StringBuilder("| system |");
        cases.forEach(c -> t.append(' ').append(c).append(" |"));
        t.append("\n|---|").append("---|".repeat(cases.size())).append('\n');
        for (String s : systems) {
            t.append("| ").append(s).append(" |");
            for (String c : cases) {
                rows.stream().filter(x -> x.system().equals(s) && x.filterCase().equals(c)).findFirst().ifPresentOrElse(
                        x -> t.append(String.format(Locale.ROOT, " %s / %s / %s |", num(x.meanReturned()),
                                fmt2(x.recall()), fmt2(x.p50Millis()))),
                        () -> t.append(" – |"));
            }
            t.append('\n');
        }
        return t.toString();
    }

    private static String detailTable(List<SearchResult> rows) {
        StringBuilder t = new StringBuilder("| system | filter | p50 ms | p95 ms | p99 ms | QPS 1 thread | QPS 4 threads "
                + "| recall@10 | full k | rows | foreign |\n|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (SearchResult x : rows) {
            t.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %.0f | %.0f | %s | %s | %s | %d |%n",
                    x.system(), x.filterCase(), fmt2(x.p50Millis()), fmt2(x.p95Millis()), fmt2(x.p99Millis()),
                    x.qps1(), x.qps4(), fmt3(x.recall()), pct(x.fullKShare()), num(x.meanReturned()), x.foreignRows()));
        }
        return t.toString();
    }

    private static String translationTable(List<TranslationResult> results) {
        if (results.isEmpty()) {
            return "(not run)\n";
        }
        List<Integer> sizes = results.stream().map(TranslationResult::clauses).distinct().sorted().toList();
        List<String> names = results.stream().map(x -> x.library() + ": " + x.translator()).distinct().toList();
        StringBuilder t = new StringBuilder("| translator |");
        sizes.forEach(s -> t.append(' ').append(s).append(s == 1 ? " clause" : " clauses").append(": ns p50 (p99), B/op |"));
        t.append("\n|---|").append("---|".repeat(sizes.size())).append('\n');
        for (String name : names) {
            t.append("| ").append(name).append(" |");
            for (int size : sizes) {
                results.stream().filter(x -> x.clauses() == size && (x.library() + ": " + x.translator()).equals(name))
                        .findFirst().ifPresentOrElse(
                                x -> t.append(String.format(Locale.ROOT, " %,.0f (%,.0f), %,.0f |", x.p50Nanos(),
                                        x.p99Nanos(), x.bytesPerOp())),
                                () -> t.append(" – |"));
            }
            t.append('\n');
        }
        return t.toString();
    }

    private static String ingestTable(List<IngestResult> results) {
        StringBuilder t = new StringBuilder("| system | path | rows | rows/s | load s | index s | peak heap MiB "
                + "| allocated B/row |\n|---|---|---|---|---|---|---|---|\n");
        for (IngestResult i : results) {
            t.append(String.format(Locale.ROOT, "| %s | %s | %,d | %,.0f | %.1f | %s | %.0f | %,d |%n", i.system(),
                    i.path(), i.rows(), i.rowsPerSecond(), i.loadSeconds(),
                    Double.isNaN(i.indexSeconds()) ? "–" : String.format(Locale.ROOT, "%.1f", i.indexSeconds()),
                    i.peakHeapBytes() / (double) (1 << 20), i.allocatedBytesPerRow()));
        }
        return t.toString();
    }

    private static String jmhNote(BenchmarkConfig c) {
        return switch (c.jmh()) {
            case FULL -> "JMH 1.37 through `org.openjdk.jmh.runner.Runner`, sample time (single calls timed), "
                    + "1 fork, 3 × 1 s warm-up, 5 × 1 s measurement, `GCProfiler` (B/op = `gc.alloc.rate.norm`). Each "
                    + "library starts from its own filter object, built once. Each cell: the median call in ns, the "
                    + "99th percentile in brackets (on a 2-core machine shared with the servers, the tail holds the "
                    + "pauses; the median is what to compare).";
            case TINY -> "JMH ran in-process with one 100 ms iteration (a smoke run): these numbers only prove the "
                    + "table fills; they are not timings.";
            case SKIP -> "JMH was skipped in this run.";
        };
    }

    private static String notes() {
        try (InputStream in = Report.class.getResourceAsStream(NOTES_RESOURCE)) {
            if (in == null) {
                return "";
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void write(BenchmarkReport r) throws IOException {
        Files.createDirectories(r.config().outputDir());
        List<String> charts = Charts.write(r.config().imageDir(), r.search(), r.ingest(), r.translation());
        Files.writeString(r.config().markdownFile(), markdown(r, charts), StandardCharsets.UTF_8);
    }

    private static String num(double v) {
        return Double.isNaN(v) ? "–" : (v == Math.rint(v) ? String.format(Locale.ROOT, "%.0f", v)
                : String.format(Locale.ROOT, "%.2f", v));
    }

    private static String fmt2(double v) {
        return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, "%.2f", v);
    }

    private static String fmt3(double v) {
        return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, "%.3f", v);
    }

    private static String pct(double v) {
        return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, "%.1f%%", 100 * v);
    }

    private static String ns(double v) {
        return String.format(Locale.ROOT, "%,.0f ns", v);
    }
}
