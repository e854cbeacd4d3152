package dev.portafilter.cli.inspect;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.portafilter.core.metadata.FieldType;
import dev.portafilter.core.metadata.MetadataSchema;
import dev.portafilter.core.metadata.StringValue;
import dev.portafilter.core.store.SearchHit;
import dev.portafilter.core.tenant.TenantScope;
import dev.portafilter.pinecone.PineconeStore;
import io.pinecone.clients.Index;
import io.pinecone.proto.DescribeIndexStatsResponse;
import io.pinecone.proto.ListItem;
import io.pinecone.proto.ListResponse;
import io.pinecone.proto.Vector;
import io.pinecone.unsigned_indices_model.ScoredVectorWithUnsignedIndices;
import org.openapitools.db_control.client.model.IndexModel;
import org.openapitools.db_control.client.model.PodSpec;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A Pinecone index, read with {@code describe_index_stats}, {@code list}, {@code fetch} and {@code query} only. The
 * tenant is a metadata key; records are placed either one namespace per tenant, as {@link PineconeStore}'s
 * {@code namespacePerTenant(field, prefix)} writes them ({@code <prefix>.<tenant>}), or together in one namespace
 * and told apart by the metadata filter alone. {@code list} is served by serverless indexes only.
 */
public final class PineconeInspector implements Inspector {
    /** {@code list}'s page and {@code fetch}'s batch. */
    private static final int PAGE = 100;
    /** A namespace prefix of {@code PineconeStore.namespacePerTenant}. */
    private static final Pattern PREFIX = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    private final Index index;
    private final String host;
    private final String tenantField;
    private final IndexModel description;
    private final int dimension;
    private final String metric;
    /** The tenant values in each namespace inspected (null: records without one), and how many records hold each. */
    private final Map<String, Map<String, Long>> tenantsPerNamespace = new TreeMap<>();
    /** The per-tenant prefix: given, or the one prefix every namespace has; null when the records are not so placed. */
    private final String prefix;
    private PineconeStore store;

    /**
     * @param namespacePrefix the prefix of a per-tenant store, to inspect only its namespaces; null for every
     *                        namespace of the index
     * @param description     the index as the control plane's {@code describe_index} gives it, or null when not read
     */
    public PineconeInspector(Index index, String host, String tenantField, String namespacePrefix,
                             IndexModel description) {
        this.index = index;
        this.host = host;
        this.tenantField = tenantField;
        this.description = description;
        if (namespacePrefix != null && !PREFIX.matcher(namespacePrefix).matches()) {
            throw new InspectionException(InspectionException.Kind.BAD_INPUT, "--namespace-prefix " + namespacePrefix
                    + ": a prefix is 1 to 64 of A-Z a-z 0-9 _ -", null);
        }
        DescribeIndexStatsResponse stats = call("describe_index_stats", index::describeIndexStats);
        this.dimension = stats.getDimension();
        this.metric = stats.getMetric();
        for (String namespace : stats.getNamespacesMap().keySet()) {
            if (namespacePrefix == null || namespace.startsWith(namespacePrefix + ".")) {
                tenantsPerNamespace.put(namespace, read(namespace));
            }
        }
        if (tenantsPerNamespace.isEmpty()) {
            throw new InspectionException(InspectionException.Kind.BAD_INPUT, "the Pinecone index at " + host
                    + " has no records" + (namespacePrefix == null ? "" : " in namespaces " + namespacePrefix + ".*"),
                    null);
        }
        this.prefix = namespacePrefix != null ? namespacePrefix : commonPrefix(tenantsPerNamespace.keySet());
    }

    /** The tenant value of every record of a namespace, read with list and fetch. */
    private Map<String, Long> read(String namespace) {
        Map<String, Long> counts = new TreeMap<>(Comparator.nullsFirst(Comparator.naturalOrder()));
        String token = null;
        do {
            String next = token;
            ListResponse page = call("list", () -> next == null ? index.list(namespace, PAGE)
                    : index.list(namespace, PAGE, next));
            List<String> ids = page.getVectorsList().stream().map(ListItem::getId).toList();
            if (!ids.isEmpty()) {
                Map<String, Vector> vectors = call("fetch", () -> index.fetch(ids, namespace)).getVectorsMap();
                vectors.values().forEach(v -> counts.merge(tenantOf(v.getMetadata()), 1L, Long::sum));
            }
            token = page.hasPagination() && !page.getPagination().getNext().isEmpty()
                    ? page.getPagination().getNext() : null;
        } while (token != null);
        return counts;
    }

    private String tenantOf(Struct metadata) {
        Value v = metadata.getFieldsMap().get(tenantField);
        return v != null && v.hasStringValue() && !v.getStringValue().isEmpty() ? v.getStringValue() : null;
    }

    /** The prefix P when every namespace is {@code P.<tenant>} as a per-tenant store names it, else null. */
    private static String commonPrefix(Iterable<String> namespaces) {
        String common = null;
        for (String namespace : namespaces) {
            int dot = namespace.indexOf('.');
            String p = dot > 0 ? namespace.substring(0, dot) : null;
            if (p == null || !PREFIX.matcher(p).matches() || PineconeStore.tenantOfNamespace(p, namespace).isEmpty()
                    || common != null && !common.equals(p)) {
                return null;
            }
            common = p;
        }
        return common;
    }

    /**
     * The tenant a namespace is named after: {@code <prefix>.<tenant>} (under the common prefix, or its own), or the
     * tenant value itself; else null.
     */
    private String namedTenant(String namespace) {
        int dot = namespace.indexOf('.');
        String own = prefix != null ? prefix : dot > 0 ? namespace.substring(0, dot) : null;
        if (own != null && PREFIX.matcher(own).matches()) {
            Optional<String> tenant = PineconeStore.tenantOfNamespace(own, namespace);
            if (tenant.isPresent()) {
                return tenant.get();
            }
        }
        return tenantsPerNamespace.get(namespace).containsKey(namespace) ? namespace : null;
    }

    @Override
    public String backend() {
        return "pinecone";
    }

    @Override
    public String describe() {
        return "Pinecone index " + (description != null ? description.getName() + " " : "") + "at " + host
                + " (dimension " + dimension + ", " + metric + "; " + tenantsPerNamespace.size() + " namespaces"
                + (prefix != null ? ", one per tenant under the prefix " + prefix : "") + ")";
    }

    @Override
    public String readOnlyEvidence() {
        return "describe_index_stats, list, fetch and query requests only"
                + (description != null ? ", and describe_index on the control plane" : "");
    }

    @Override
    public int dimension() {
        return dimension;
    }

    @Override
    public Census census() {
        Map<String, Long> perTenant = new TreeMap<>();
        long without = 0;
        for (Map<String, Long> counts : tenantsPerNamespace.values()) {
            for (Map.Entry<String, Long> e : counts.entrySet()) {
                if (e.getKey() == null) {
                    without += e.getValue();
                } else {
                    perTenant.merge(e.getKey(), e.getValue(), Long::sum);
                }
            }
        }
        return new Census(perTenant, without);
    }

    @Override
    public List<Finding> configuration(Census census, int k) {
        List<Finding> out = new ArrayList<>();
        long misplaced = 0;
        List<String> examples = new ArrayList<>();
        List<String> shared = new ArrayList<>();
        for (Map.Entry<String, Map<String, Long>> ns : tenantsPerNamespace.entrySet()) {
            String named = namedTenant(ns.getKey());
            TreeSet<String> tenants = new TreeSet<>(ns.getValue().keySet().stream().filter(Objects::nonNull).toList());
            if (named != null) {
                for (String t : tenants) {
                    if (!t.equals(named)) {
                        long n = ns.getValue().get(t);
                        misplaced += n;
                        examples.add("namespace '" + ns.getKey() + "' holds " + n + " records of "
                                + TenantFindings.quoted(t));
                    }
                }
            } else if (tenants.size() > 1) {
                shared.add("'" + ns.getKey() + "' (" + tenants.size() + " tenants)");
            }
        }
        if (misplaced > 0) {
            out.add(new Finding(Finding.Severity.HIGH, "namespace-tenant-mismatch", misplaced + " records sit in "
                    + "the namespace of another tenant than their '" + tenantField + "': " + String.join("; ",
                    examples.subList(0, Math.min(5, examples.size()))) + ". A query of that namespace without a "
                    + "metadata filter returns them to the namespace's tenant.",
                    "Move each record to the namespace of its tenant (or correct its metadata), and write through "
                    + "PineconeStore.namespacePerTenant, which picks the namespace from the tenant value."));
        }
        if (!shared.isEmpty()) {
            out.add(new Finding(Finding.Severity.MEDIUM, "tenants-share-namespace", "The namespaces "
                    + String.join(", ", shared) + " hold several tenants, told apart only by a metadata filter on '"
                    + tenantField + "' in every query: a query that forgets it, or filters on another key, "
                    + "returns every tenant's records.",
                    "Give each tenant its own namespace (PineconeStore.builder(...).namespacePerTenant(\""
                    + tenantField + "\", prefix)); until then query only through TenantScope."));
        }
        metadataIndexing(description, tenantField).ifPresent(out::add);
        return out;
    }

    /**
     * A pod-based index whose {@code metadata_config.indexed} leaves out the tenant field cannot filter on it (by
     * default, and on serverless, every key is indexed).
     */
    public static Optional<Finding> metadataIndexing(IndexModel description, String tenantField) {
        PodSpec pod = description == null || description.getSpec() == null ? null : description.getSpec().getPod();
        if (pod == null || pod.getMetadataConfig() == null || pod.getMetadataConfig().getIndexed() == null
                || pod.getMetadataConfig().getIndexed().contains(tenantField)) {
            return Optional.empty();
        }
        return Optional.of(new Finding(Finding.Severity.HIGH, "tenant-not-indexed", "The pod-based index "
                + description.getName() + " indexes only the metadata " + pod.getMetadataConfig().getIndexed()
                + " (metadata_config.indexed), not '" + tenantField + "': a filter on the tenant cannot use it.",
                "Recreate the index (from a collection) with '" + tenantField + "' in metadata_config.indexed, or "
                + "move to one namespace per tenant."));
    }

    @Override
    public List<Shape> shapes() {
        List<Shape> shapes = new ArrayList<>();
        MetadataSchema schema = MetadataSchema.builder().required(tenantField, FieldType.STRING).build();
        boolean cosine = metric.isEmpty() || metric.equalsIgnoreCase("cosine");
        if (prefix != null) {
            if (cosine) {
                store = PineconeStore.builder(index, schema, dimension).namespacePerTenant(tenantField, prefix).build();
                shapes.add(libraryShape("a PineconeStore with one namespace per tenant (prefix " + prefix + ")"));
            }
            shapes.add(new Shape("namespace-only", "query the namespace " + prefix + ".<tenant> without a metadata "
                    + "filter: the namespace taken as the wall", false, "namespace-tenant-mismatch",
                    (tenant, vector, k) -> query(PineconeStore.tenantNamespace(prefix, tenant), vector, k, null)));
            shapes.add(new Shape("no-namespace", "query the default namespace with {" + tenantField + ": {$eq: "
                    + "tenant}}: the namespace forgotten", false, null,
                    (tenant, vector, k) -> query("", vector, k, eq(tenant))));
        } else if (tenantsPerNamespace.size() == 1) {
            String namespace = tenantsPerNamespace.keySet().iterator().next();
            if (cosine) {
                store = PineconeStore.builder(index, schema, dimension).namespace(namespace).build();
                shapes.add(libraryShape("a PineconeStore on the namespace '" + namespace + "'"));
            }
            shapes.add(new Shape("metadata-eq", "query the namespace '" + namespace + "' with {" + tenantField
                    + ": {$eq: tenant}}", false, null, (tenant, vector, k) -> query(namespace, vector, k, eq(tenant))));
            shapes.add(new Shape("no-filter", "query the namespace '" + namespace + "' without the filter",
                    false, "tenants-share-namespace", (tenant, vector, k) -> query(namespace, vector, k, null)));
        } else {
            // namespaces named after the tenant values themselves, or a mix: the namespace of the tenant's name
            shapes.add(new Shape("namespace-only", "query the namespace named like the tenant, without a metadata "
                    + "filter", false, "namespace-tenant-mismatch", (tenant, vector, k) -> query(tenant, vector, k,
                    null)));
        }
        return shapes;
    }

    private Shape libraryShape(String on) {
        TenantScope scope = TenantScope.of(store, tenantField);
        return new Shape("tenant-scope", "TenantScope.forTenant(tenant).search(vector, k) on " + on, true, null,
                (tenant, vector, k) -> scope.forTenant(tenant).search(vector, k).stream().map(SearchHit::metadata)
                        .map(m -> m.get(tenantField).map(v -> ((StringValue) v).value()).orElse(null)).toList());
    }

    private Struct eq(String tenant) {
        Struct condition = Struct.newBuilder().putFields("$eq", Value.newBuilder().setStringValue(tenant).build())
                .build();
        return Struct.newBuilder().putFields(tenantField, Value.newBuilder().setStructValue(condition).build()).build();
    }

    /** The tenant value of each match (null where it has none); a namespace that does not exist holds none. */
    private List<String> query(String namespace, float[] vector, int k, Struct filter) {
        List<Float> values = new ArrayList<>(vector.length);
        for (float f : vector) {
            values.add(f);
        }
        List<ScoredVectorWithUnsignedIndices> matches = call("query", () -> index.query(k, values, null, null, null,
                namespace, filter, false, true).getMatchesList());
        return matches.stream().map(m -> tenantOf(m.getMetadata())).toList();
    }

    private <T> T call(String what, Supplier<T> request) {
        try {
            return request.get();
        } catch (RuntimeException e) {
            throw new InspectionException(InspectionException.Kind.BACKEND_FAILED, "Pinecone: " + what + " at " + host
                    + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        // the index is the caller's
    }
}
