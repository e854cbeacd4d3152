package dev.portafilter.cli.inspect;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Searches each tenant's records with random query vectors through every {@link Inspector.Shape} and counts, per
 * shape, the rows of other tenants and the searches that returned fewer of the tenant's own rows than
 * {@code min(k, records of the tenant)}.
 */
public final class Measurement {
    /** How many tenants that received foreign rows a result names, as examples. */
    private static final int EXAMPLES = 5;

    /** Called after every search, for a progress bar. */
    @FunctionalInterface
    public interface Progress {
        void searched(int done, int total);
    }

    /**
     * One shape's counts over every search; {@code examples} maps a tenant to the other tenants whose rows it got.
     */
    public record ShapeResult(String name, String description, boolean library, int searches, long rows,
                              long foreignRows, int shortSearches, Map<String, TreeSet<String>> examples) {
        public String summary() {
            return foreignRows + " foreign rows of " + rows + " returned; " + shortSearches + " of " + searches
                    + " searches short";
        }
    }

    /** The settings and the per-shape results of one run. */
    public record Result(int k, int searchesPerTenant, long seed, List<String> tenants, List<ShapeResult> shapes) {
    }

    private Measurement() {
    }

    /**
     * Runs {@code searchesPerTenant} searches per tenant and shape, for every tenant of the census or a random
     * {@code sample} of them (0: all).
     */
    public static Result run(Inspector.Census census, List<Inspector.Shape> shapes, int dimension, int k,
                             int searchesPerTenant, int sample, long seed, Progress progress) {
        Random random = new Random(seed);
        List<String> tenants = new ArrayList<>(census.recordsPerTenant().keySet());
        if (sample > 0 && sample < tenants.size()) {
            Collections.shuffle(tenants, random);
            tenants = new ArrayList<>(tenants.subList(0, sample));
            Collections.sort(tenants);
        }
        int total = tenants.size() * searchesPerTenant * shapes.size();
        long[][] counts = new long[shapes.size()][3];
        List<Map<String, TreeSet<String>>> examples = new ArrayList<>();
        shapes.forEach(s -> examples.add(new TreeMap<>()));
        int done = 0;
        for (String tenant : tenants) {
            long expected = Math.min(k, census.recordsPerTenant().get(tenant));
            for (int q = 0; q < searchesPerTenant; q++) {
                // the same query vector for every shape, so that they differ only in how they search
                float[] vector = randomVector(random, dimension);
                for (int s = 0; s < shapes.size(); s++) {
                    List<String> got = shapes.get(s).search().tenantsOfTopK(tenant, vector, k);
                    long own = got.stream().filter(tenant::equals).count();
                    counts[s][0] += got.size();
                    counts[s][1] += got.size() - own;
                    counts[s][2] += own < expected ? 1 : 0;
                    Map<String, TreeSet<String>> ex = examples.get(s);
                    got.stream().filter(t -> !tenant.equals(t)).forEach(t -> {
                        if (ex.containsKey(tenant) || ex.size() < EXAMPLES) {
                            ex.computeIfAbsent(tenant, x -> new TreeSet<>()).add(Objects.requireNonNullElse(t, "(none)"));
                        }
                    });
                    progress.searched(++done, total);
                }
            }
        }
        List<ShapeResult> results = new ArrayList<>();
        for (int s = 0; s < shapes.size(); s++) {
            Inspector.Shape shape = shapes.get(s);
            results.add(new ShapeResult(shape.name(), shape.description(), shape.library(),
                    tenants.size() * searchesPerTenant, counts[s][0], counts[s][1], (int) counts[s][2],
                    examples.get(s)));
        }
        return new Result(k, searchesPerTenant, seed, List.copyOf(tenants), results);
    }

    /**
     * The findings with the measured numbers of the shapes that bear them added, and a HIGH finding where the
     * library's own shape returned a foreign row or came up short.
     */
    public static List<Finding> annotate(List<Finding> findings, List<Inspector.Shape> shapes, Result result) {
        List<Finding> out = new ArrayList<>();
        for (Finding f : findings) {
            Finding annotated = f;
            for (int s = 0; s < shapes.size(); s++) {
                if (f.id().equals(shapes.get(s).bears())) {
                    ShapeResult r = result.shapes().get(s);
                    annotated = annotated.withMeasured(r.name() + ": " + r.summary() + ".");
                }
            }
            out.add(annotated);
        }
        for (ShapeResult r : result.shapes()) {
            if (r.library() && (r.foreignRows() > 0 || r.shortSearches() > 0)) {
                out.add(new Finding(Finding.Severity.HIGH, "tenant-scope-" + (r.foreignRows() > 0 ? "leak" : "short"),
                        "Searches through TenantScope: " + r.summary() + ".",
                        "Report it: TenantScope must return only the tenant's rows, k of them where it has k."));
            }
        }
        return out;
    }

    private static float[] randomVector(Random random, int dimension) {
        float[] v = new float[dimension];
        for (int i = 0; i < dimension; i++) {
            v[i] = (float) random.nextGaussian();
        }
        return v;
    }
}
