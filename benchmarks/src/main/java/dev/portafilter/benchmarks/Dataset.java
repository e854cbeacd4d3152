package dev.portafilter.benchmarks;

import dev.portafilter.core.metadata.FieldType;
import dev.portafilter.core.metadata.Metadata;
import dev.portafilter.core.metadata.MetadataSchema;
import dev.portafilter.core.store.VectorRecord;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;

/**
 * The benchmark's rows and queries, generated deterministically from a seed: clustered, normalized vectors and
 * skewed tenants, so that tenants exist holding about 0.1%, 1%, 10% and 50% of the rows. Every system loads
 * exactly these rows; every id is a name-based UUID, because LangChain4j and Spring AI key rows by UUID.
 */
public final class Dataset {
    /** Tenants with a fixed share of the rows; the rest of the rows belong to a long tail of small tenants. */
    public static final Map<String, Double> SIZED_TENANTS = sizedTenants();
    public static final List<String> DOCUMENT_TYPES = List.of("pdf", "html", "email", "ticket", "wiki", "contract");
    private static final double[] DOCUMENT_TYPE_WEIGHTS = {0.30, 0.25, 0.15, 0.15, 0.10, 0.05};
    public static final List<String> REGIONS = List.of("EU", "US", "APAC", "LATAM", "MEA");
    private static final List<String> TAGS = List.of("finance", "legal", "hr", "support", "sales", "product",
            "security", "ops", "research", "marketing", "internal", "public");
    public static final int FIRST_YEAR = 2000;
    public static final int LAST_YEAR = 2025;
    private static final int TAIL_TENANTS = 200;
    private static final int CLUSTERS = 100;

    /** The metadata schema every Portafilter store is created with. */
    /** The same records with no field declared: every filter reads the metadata document (the undeclared path). */
    public static final MetadataSchema UNDECLARED = MetadataSchema.builder().allowUndeclared().build();

    public static final MetadataSchema SCHEMA = MetadataSchema.builder()
            .required("tenant", FieldType.STRING)
            .required("documentType", FieldType.STRING)
            .required("publicationYear", FieldType.LONG)
            .required("region", FieldType.STRING)
            .required("tags", FieldType.STRING_LIST)
            .build();

    private final long seed;
    private final int dimension;
    private final float[][] vectors;
    private final float[][] queries;
    private final String[] ids;
    private final String[] tenants;
    private final String[] documentTypes;
    private final int[] years;
    private final String[] regions;
    private final String[][] tags;

    private Dataset(long seed, int dimension, float[][] vectors, float[][] queries, String[] tenants,
                    String[] documentTypes, int[] years, String[] regions, String[][] tags) {
        this.seed = seed;
        this.dimension = dimension;
        this.vectors = vectors;
        this.queries = queries;
        this.tenants = tenants;
        this.documentTypes = documentTypes;
        this.years = years;
        this.regions = regions;
        this.tags = tags;
        this.ids = new String[vectors.length];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = idOf(seed, i);
        }
    }

    /** {@code n} rows and {@code queryCount} queries of {@code dimension} dimensions from {@code seed}. */
    public static Dataset generate(int n, int dimension, int queryCount, long seed) {
        if (n < 1_000) {
            throw new IllegalArgumentException("n must be at least 1,000 so that a 0.1% tenant exists, was " + n);
        }
        SplittableRandom random = new SplittableRandom(seed);
        float[][] centres = new float[CLUSTERS][];
        for (int c = 0; c < CLUSTERS; c++) {
            centres[c] = normalize(gaussian(random, dimension, 1.0));
        }
        // noise of norm ~1 around a unit centre: a row's cosine to its centre is ~0.7, neighbours are not trivial
        double noise = 1.0 / Math.sqrt(dimension);
        float[][] vectors = new float[n][];
        for (int i = 0; i < n; i++) {
            vectors[i] = around(centres[random.nextInt(CLUSTERS)], noise, random);
        }
        float[][] queries = new float[queryCount][];
        for (int q = 0; q < queryCount; q++) {
            queries[q] = around(centres[random.nextInt(CLUSTERS)], noise, random);
        }
        String[] tenants = tenants(n, random);
        String[] documentTypes = new String[n];
        int[] years = new int[n];
        String[] regions = new String[n];
        String[][] tags = new String[n][];
        for (int i = 0; i < n; i++) {
            documentTypes[i] = DOCUMENT_TYPES.get(weighted(random, DOCUMENT_TYPE_WEIGHTS));
            years[i] = FIRST_YEAR + random.nextInt(LAST_YEAR - FIRST_YEAR + 1);
            regions[i] = REGIONS.get(random.nextInt(REGIONS.size()));
            int tagCount = 1 + random.nextInt(3);
            List<String> chosen = new ArrayList<>(tagCount);
            while (chosen.size() < tagCount) {
                String t = TAGS.get(random.nextInt(TAGS.size()));
                if (!chosen.contains(t)) {
                    chosen.add(t);
                }
            }
            tags[i] = chosen.toArray(String[]::new);
        }
        return new Dataset(seed, dimension, vectors, queries, tenants, documentTypes, years, regions, tags);
    }

    public long seed() {
        return seed;
    }

    public int size() {
        return vectors.length;
    }

    public int dimension() {
        return dimension;
    }

    public int queryCount() {
        return queries.length;
    }

    /** Row {@code i}'s vector; callers must not modify it. */
    public float[] vector(int i) {
        return vectors[i];
    }

    /** Query {@code q}'s vector; callers must not modify it. */
    public float[] query(int q) {
        return queries[q];
    }

    public String id(int i) {
        return ids[i];
    }

    public String text(int i) {
        return "chunk " + i + " of " + tenants[i];
    }

    public String tenant(int i) {
        return tenants[i];
    }

    public String documentType(int i) {
        return documentTypes[i];
    }

    public int year(int i) {
        return years[i];
    }

    public String region(int i) {
        return regions[i];
    }

    public List<String> tags(int i) {
        return List.of(tags[i]);
    }

    /** Row {@code i}'s metadata as plain Java values (String, Long, List of String), for the peers. */
    public Map<String, Object> metadataMap(int i) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("tenant", tenants[i]);
        m.put("documentType", documentTypes[i]);
        m.put("publicationYear", (long) years[i]);
        m.put("region", regions[i]);
        m.put("tags", List.of(tags[i]));
        return m;
    }

    public Metadata metadata(int i) {
        return Metadata.of(metadataMap(i));
    }

    public VectorRecord record(int i) {
        return new VectorRecord(ids[i], vectors[i], text(i), metadata(i));
    }

    /** Rows {@code from} (inclusive) to {@code to} (exclusive) as Portafilter records. */
    public List<VectorRecord> records(int from, int to) {
        List<VectorRecord> out = new ArrayList<>(to - from);
        for (int i = from; i < to; i++) {
            out.add(record(i));
        }
        return out;
    }

    /** How many rows a tenant holds. */
    public int rowsOf(String tenant) {
        int count = 0;
        for (String t : tenants) {
            if (t.equals(tenant)) {
                count++;
            }
        }
        return count;
    }

    static String idOf(long seed, int row) {
        return UUID.nameUUIDFromBytes(("portafilter-benchmark/" + seed + "/" + row).getBytes()).toString();
    }

    private static Map<String, Double> sizedTenants() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("tenant-0.1", 0.001);
        m.put("tenant-1", 0.01);
        m.put("tenant-10", 0.10);
        m.put("tenant-50", 0.50);
        return m;
    }

    /** Exact row counts per sized tenant, the rest Zipf-distributed over the tail, in a shuffled order. */
    private static String[] tenants(int n, SplittableRandom random) {
        String[] out = new String[n];
        int filled = 0;
        for (Map.Entry<String, Double> e : SIZED_TENANTS.entrySet()) {
            int rows = (int) Math.round(n * e.getValue());
            for (int r = 0; r < rows; r++) {
                out[filled++] = e.getKey();
            }
        }
        double[] zipf = new double[TAIL_TENANTS];
        for (int t = 0; t < TAIL_TENANTS; t++) {
            zipf[t] = 1.0 / (t + 1);
        }
        while (filled < n) {
            out[filled++] = String.format("tail-%03d", weighted(random, zipf));
        }
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            String tmp = out[i];
            out[i] = out[j];
            out[j] = tmp;
        }
        return out;
    }

    private static int weighted(SplittableRandom random, double[] weights) {
        double total = 0;
        for (double w : weights) {
            total += w;
        }
        double x = random.nextDouble() * total;
        for (int i = 0; i < weights.length; i++) {
            x -= weights[i];
            if (x < 0) {
                return i;
            }
        }
        return weights.length - 1;
    }

    private static float[] around(float[] centre, double noise, SplittableRandom random) {
        double[] v = gaussian(random, centre.length, noise);
        for (int d = 0; d < v.length; d++) {
            v[d] += centre[d];
        }
        return normalize(v);
    }

    private static double[] gaussian(SplittableRandom random, int dimension, double sigma) {
        double[] v = new double[dimension];
        for (int d = 0; d < dimension; d += 2) {
            // Box-Muller: two independent normals per pair of uniforms
            double u1 = 1.0 - random.nextDouble();
            double u2 = random.nextDouble();
            double r = Math.sqrt(-2.0 * Math.log(u1)) * sigma;
            v[d] = r * Math.cos(2 * Math.PI * u2);
            if (d + 1 < dimension) {
                v[d + 1] = r * Math.sin(2 * Math.PI * u2);
            }
        }
        return v;
    }

    private static float[] normalize(double[] v) {
        double norm = 0;
        for (double x : v) {
            norm += x * x;
        }
        norm = Math.sqrt(norm);
        float[] out = new float[v.length];
        for (int d = 0; d < v.length; d++) {
            out[d] = (float) (v[d] / norm);
        }
        return out;
    }
}
