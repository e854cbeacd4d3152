package dev.portafilter.benchmarks;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.Styler;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.ToDoubleFunction;

/** The report's plots, drawn with XChart from the measured results. */
final class Charts {
    private static final int WIDTH = 1000;
    private static final int HEIGHT = 520;

    private Charts() {
    }

    /** One grouped bar chart per backend and metric; returns the files written, relative to {@code dir}'s parent. */
    static List<String> write(Path dir, List<SearchResult> search, List<IngestResult> ingest,
                              List<TranslationResult> translation) throws IOException {
        System.setProperty("java.awt.headless", "true");
        Files.createDirectories(dir);
        List<String> files = new ArrayList<>();
        for (String backend : List.of("pgvector", "opensearch")) {
            List<SearchResult> rows = search.stream().filter(r -> r.backend().equals(backend)).toList();
            if (rows.isEmpty()) {
                continue;
            }
            files.add(searchChart(dir, backend + "-p50.png", backend + ": p50 latency (ms, log scale), k = 10",
                    "ms", rows, SearchResult::p50Millis, true));
            files.add(searchChart(dir, backend + "-recall.png", backend + ": recall@10 against the exact filtered top-10",
                    "recall@10", rows, SearchResult::recall, false));
            files.add(searchChart(dir, backend + "-qps4.png", backend + ": queries per second, 4 client threads",
                    "queries/s", rows, SearchResult::qps4, false));
        }
        files.addAll(selectivityCharts(dir, search));
        for (String backend : List.of("pgvector", "opensearch")) {
            List<IngestResult> rows = ingest.stream().filter(i -> i.backend().equals(backend)).toList();
            if (rows.isEmpty()) {
                continue;
            }
            CategoryChart chart = chart(backend + " ingest: rows per second into an empty " + (backend.equals("pgvector")
                    ? "table" : "index"), "rows/s", false, 640);
            chart.getStyler().setLegendLayout(Styler.LegendLayout.Vertical);
            for (IngestResult i : rows) {
                chart.addSeries(i.system() + ": " + shortPath(i.path()) + ", " + i.rows() + " rows",
                        List.of("rows per second"), List.of(i.rowsPerSecond()));
            }
            files.add(save(chart, dir, backend.equals("pgvector") ? "ingest.png" : "ingest-opensearch.png"));
        }
        if (!translation.isEmpty()) {
            CategoryChart chart = chart("Filter translation: median ns per filter (log scale)", "ns (p50)", true, 720);
            chart.getStyler().setLegendLayout(Styler.LegendLayout.Vertical);
            chart.getStyler().setLegendFont(chart.getStyler().getLegendFont().deriveFont(11f));
            List<Integer> sizes = translation.stream().map(TranslationResult::clauses).distinct().sorted().toList();
            Set<String> names = new LinkedHashSet<>();
            translation.forEach(t -> names.add(t.library() + ": " + t.translator()));
            for (String name : names) {
                List<Double> ns = new ArrayList<>();
                for (int size : sizes) {
                    ns.add(translation.stream().filter(t -> t.clauses() == size
                                    && (t.library() + ": " + t.translator()).equals(name))
                            .mapToDouble(TranslationResult::p50Nanos).findFirst().orElse(Double.NaN));
                }
                chart.addSeries(name, sizes.stream().map(s -> s + (s == 1 ? " clause" : " clauses")).toList(), ns);
            }
            files.add(save(chart, dir, "translation.png"));
        }
        return files;
    }

    private static String searchChart(Path dir, String file, String title, String yTitle, List<SearchResult> rows,
                                      ToDoubleFunction<SearchResult> metric, boolean log) throws IOException {
        CategoryChart chart = chart(title, yTitle, log);
        List<String> cases = rows.stream().map(SearchResult::filterCase).distinct().toList();
        List<String> systems = rows.stream().map(SearchResult::system).distinct().toList();
        for (String system : systems) {
            List<Double> values = new ArrayList<>();
            for (String c : cases) {
                double v = rows.stream().filter(r -> r.system().equals(system) && r.filterCase().equals(c))
                        .mapToDouble(metric).findFirst().orElse(Double.NaN);
                // a log axis cannot show 0; a missing bar is worse than a floor value
                values.add(log ? Math.max(v, 0.01) : v);
            }
            chart.addSeries(system, cases, values);
        }
        return save(chart, dir, file);
    }

    /**
     * Recall and p50 against the share of rows the filter matches (the tenant-only cases), one line per system, a
     * pair of plots per backend.
     */
    private static List<String> selectivityCharts(Path dir, List<SearchResult> search) throws IOException {
        List<String> files = new ArrayList<>();
        for (String backend : List.of("pgvector", "opensearch")) {
            List<SearchResult> rows = search.stream().filter(r -> r.backend().equals(backend)
                    && FilterCase.selectivityPercent(r.filterCase()).isPresent()).toList();
            if (rows.isEmpty()) {
                continue;
            }
            files.add(lineChart(dir, "selectivity-" + backend + "-p50.png", backend
                    + ": p50 latency against selectivity, k = 10 (log scales)", "ms", rows, SearchResult::p50Millis, true));
            files.add(lineChart(dir, "selectivity-" + backend + "-recall.png", backend
                    + ": recall@10 against selectivity (log x scale)", "recall@10", rows, SearchResult::recall, false));
        }
        return files;
    }

    private static String lineChart(Path dir, String file, String title, String yTitle, List<SearchResult> rows,
                                    ToDoubleFunction<SearchResult> metric, boolean logY) throws IOException {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(640).title(title)
                .xAxisTitle("rows the filter matches (% of the table)").yAxisTitle(yTitle).build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        chart.getStyler().setLegendLayout(Styler.LegendLayout.Vertical);
        chart.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
        chart.getStyler().setXAxisLogarithmic(true);
        chart.getStyler().setYAxisLogarithmic(logY);
        chart.getStyler().setMarkerSize(8);
        List<String> systems = rows.stream().map(r -> r.backend() + ": " + r.system()).distinct().toList();
        for (String system : systems) {
            List<Double> x = new ArrayList<>();
            List<Double> y = new ArrayList<>();
            rows.stream().filter(r -> (r.backend() + ": " + r.system()).equals(system))
                    .sorted(Comparator.comparingDouble(r -> FilterCase.selectivityPercent(r.filterCase()).orElseThrow()))
                    .forEach(r -> {
                        x.add(FilterCase.selectivityPercent(r.filterCase()).orElseThrow());
                        // a log axis cannot show 0
                        y.add(logY ? Math.max(metric.applyAsDouble(r), 0.01) : metric.applyAsDouble(r));
                    });
            XYSeries series = chart.addSeries(system, x, y);
            series.setLineStyle(system.contains(": Portafilter") ? SeriesLines.SOLID : SeriesLines.DASH_DASH);
        }
        BitmapEncoder.saveBitmap(chart, dir.resolve(file).toString(), BitmapEncoder.BitmapFormat.PNG);
        return dir.getFileName() + "/" + file;
    }

    private static CategoryChart chart(String title, String yTitle, boolean log) {
        return chart(title, yTitle, log, HEIGHT);
    }

    private static CategoryChart chart(String title, String yTitle, boolean log, int height) {
        CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(height).title(title).yAxisTitle(yTitle)
                .build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        chart.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
        chart.getStyler().setYAxisLogarithmic(log);
        chart.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
        chart.getStyler().setAvailableSpaceFill(0.8);
        return chart;
    }

    private static String save(CategoryChart chart, Path dir, String file) throws IOException {
        if (chart.getStyler().isYAxisLogarithmic()) {
            // bars are anchored at 0, which a log axis cannot show: start the axis at the decade below the data
            double min = chart.getSeriesMap().values().stream()
                    .flatMap(series -> series.getYData().stream())
                    .mapToDouble(Number::doubleValue).filter(v -> v > 0).min().orElse(1);
            chart.getStyler().setYAxisMin(Math.pow(10, Math.floor(Math.log10(min))));
        }
        BitmapEncoder.saveBitmap(chart, dir.resolve(file).toString(), BitmapEncoder.BitmapFormat.PNG);
        return dir.getFileName() + "/" + file;
    }

    private static String shortPath(String path) {
        int comma = path.indexOf(',');
        return comma < 0 ? path : path.substring(0, comma);
    }
}
