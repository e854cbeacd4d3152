package dev.portafilter.cli.inspect;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portafilter.cli.OpenSearchHttp;
import dev.portafilter.core.InvalidSchemaException;
import dev.portafilter.core.metadata.FieldType;
import dev.portafilter.core.metadata.MetadataSchema;
import dev.portafilter.core.metadata.StringValue;
import dev.portafilter.core.store.SearchHit;
import dev.portafilter.core.tenant.TenantScope;
import dev.portafilter.opensearch.OpenSearchIndexLayout;
import dev.portafilter.opensearch.OpenSearchStore;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * An OpenSearch index, read with GET requests and {@code _search} only. The tenant field is a top-level field, or
 * {@code object.field} one level down (as Spring AI's {@code metadata.customer}).
 */
public final class OpenSearchInspector implements Inspector {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Above this many distinct tenants the census asks for more buckets than OpenSearch's default limit. */
    private static final int MAX_TENANTS = 10_000;

    private final String url;
    private final String username;
    private final String password;
    private final OpenSearchHttp http;
    private final String index;
    private final String tenantField;
    private final JsonNode settings;
    private final JsonNode aliases;
    private final JsonNode mapping;
    private final JsonNode tenantMapping;
    /** The field a {@code term} compares exactly: the tenant field if keyword, its keyword subfield if text. */
    private final String exactTenantPath;
    private final String vectorField;
    private final JsonNode vectorMapping;
    /** The store behind the TenantScope shape, once opened. */
    private OpenSearchStore store;

    public OpenSearchInspector(String url, String username, String password, String index, String tenantField) {
        this.http = new OpenSearchHttp(url, username, password, Duration.ofSeconds(60));
        this.url = http.url();
        this.username = username;
        this.password = password;
        this.tenantField = tenantField;
        JsonNode all = get("/" + OpenSearchHttp.encode(index) + "?flat_settings=true");
        if (all.size() != 1) {
            throw new InspectionException(InspectionException.Kind.BAD_INPUT, "--index " + index + " names "
                    + all.size() + " indexes: name one", null);
        }
        this.index = all.fieldNames().next();
        JsonNode body = all.get(this.index);
        this.settings = body.path("settings");
        this.aliases = body.path("aliases");
        this.mapping = body.path("mappings");
        this.tenantMapping = property(tenantField);
        if (tenantMapping == null) {
            throw new InspectionException(InspectionException.Kind.BAD_INPUT, "--tenant-field " + tenantField
                    + ": index " + this.index + " does not map it", null);
        }
        this.exactTenantPath = exactPath(tenantField, tenantMapping);
        Map.Entry<String, JsonNode> vector = null;
        for (Iterator<Map.Entry<String, JsonNode>> it = mapping.path("properties").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> p = it.next();
            if (vector == null && p.getValue().path("type").asText().equals("knn_vector")) {
                vector = p;
            }
        }
        if (vector == null) {
            throw new InspectionException(InspectionException.Kind.BAD_INPUT, "index " + this.index
                    + " has no top-level knn_vector field", null);
        }
        this.vectorField = vector.getKey();
        this.vectorMapping = vector.getValue();
    }

    /** The mapping of a field, {@code name} or {@code object.name}, or null. */
    private JsonNode property(String path) {
        JsonNode node = mapping;
        for (String part : path.split("\\.", 2)) {
            node = node.path("properties").get(part);
            if (node == null) {
                return null;
            }
        }
        return node;
    }

    /** The path a {@code term} on this string field compares exactly, or null when it has no keyword form. */
    private static String exactPath(String path, JsonNode field) {
        String type = field.path("type").asText();
        if (type.equals("keyword")) {
            return path;
        }
        if (type.equals("text")) {
            for (Iterator<Map.Entry<String, JsonNode>> it = field.path("fields").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> sub = it.next();
                if (sub.getValue().path("type").asText().equals("keyword")) {
                    return path + "." + sub.getKey();
                }
            }
        }
        return null;
    }

    @Override
    public String backend() {
        return "opensearch";
    }

    @Override
    public String describe() {
        return "index " + index + " at " + url;
    }

    @Override
    public String readOnlyEvidence() {
        return "GET requests, and POST only to _search";
    }

    @Override
    public int dimension() {
        return vectorMapping.path("dimension").asInt();
    }

    @Override
    public Census census() {
        if (exactTenantPath == null) {
            // an analysed field has no exact values to count; the configuration finding says why
            return new Census(Map.of(), 0);
        }
        ObjectNode body = JSON.createObjectNode().put("size", 0).put("track_total_hits", true);
        ObjectNode aggs = body.putObject("aggs");
        aggs.putObject("tenants").putObject("terms").put("field", exactTenantPath).put("size", MAX_TENANTS);
        aggs.putObject("missing").putObject("missing").put("field", exactTenantPath);
        JsonNode r = search(body);
        Map<String, Long> counts = new TreeMap<>();
        long without = r.path("aggregations").path("missing").path("doc_count").asLong();
        for (JsonNode bucket : r.path("aggregations").path("tenants").path("buckets")) {
            if (bucket.path("key").asText().isEmpty()) {
                without += bucket.path("doc_count").asLong();
            } else {
                counts.put(bucket.path("key").asText(), bucket.path("doc_count").asLong());
            }
        }
        return new Census(counts, without);
    }

    @Override
    public List<Finding> configuration(Census census, int k) {
        List<Finding> out = new ArrayList<>();
        String type = tenantMapping.path("type").asText();
        if (type.equals("text")) {
            out.add(new Finding(Finding.Severity.HIGH, "tenant-field-analysed", "The tenant field " + tenantField + " is mapped as analysed text"
                    + (exactTenantPath == null ? " with no keyword form: nothing can filter it exactly." : " (its "
                    + "keyword form is " + exactTenantPath + "): a match or query_string on it matches the tokens of "
                    + "other tenants' values, so 'tenant_1' also finds 'TENANT_1' and 'tenant_1-eu'."),
                    "Map the tenant field as keyword and reindex; until then filter with term on " + (exactTenantPath
                    == null ? "a keyword subfield you add" : exactTenantPath) + ", never match."));
        } else if (!type.equals("keyword")) {
            out.add(new Finding(Finding.Severity.MEDIUM, "tenant-field-type", "The tenant field " + tenantField
                    + " is mapped as " + type + ", not keyword.", "Map it as keyword and reindex."));
        }
        List<String> noKeyword = new ArrayList<>();
        collectTextWithoutKeyword("", mapping.path("properties"), noKeyword);
        noKeyword.remove(tenantField);
        if (!noKeyword.isEmpty()) {
            out.add(new Finding(Finding.Severity.LOW, "strings-without-keyword", "These string fields are analysed "
                    + "text with no keyword form: " + String.join(", ", noKeyword) + ". No filter on them is exact.",
                    "Map the fields you filter on as keyword (or add a keyword subfield) and reindex."));
        }
        knn(out);
        int shards = settings.path("index.number_of_shards").asInt(1);
        if (shards > 1 && !mapping.path("_routing").path("required").asBoolean(false)) {
            out.add(new Finding(Finding.Severity.LOW, "shards-without-routing", "The index has " + shards
                    + " shards and no required routing: every tenant's search visits every shard, and a document "
                    + "indexed without routing can sit on any of them.", "Route documents and searches by tenant "
                    + "(_routing required), or use one shard for an index of this size."));
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = aliases.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> alias = it.next();
            JsonNode filter = alias.getValue().get("filter");
            if (filter != null && analysedClauseOnTenant(filter)) {
                out.add(new Finding(Finding.Severity.HIGH, "alias-filter-analysed", "The filtered alias "
                        + alias.getKey() + " selects its tenant with " + filter + ": an analysed query, which "
                        + "matches other tenants' values too.", "Recreate the alias with a term filter on "
                        + Optional.ofNullable(exactTenantPath).orElse("a keyword form of " + tenantField) + "."));
            }
        }
        return out;
    }

    private void knn(List<Finding> out) {
        JsonNode method = vectorMapping.path("method");
        String engine = method.path("engine").asText("faiss");
        String space = method.path("space_type").asText(vectorMapping.path("space_type").asText("l2"));
        if (engine.equals("nmslib")) {
            out.add(new Finding(Finding.Severity.HIGH, "knn-engine", "The vector field " + vectorField + " uses "
                    + "the nmslib engine (" + space + "), which cannot filter during the search: a tenant filter "
                    + "applies after the top k are picked, and a small tenant gets almost nothing.",
                    "Reindex into a lucene or faiss HNSW field, and filter inside the knn query."));
        }
        int efSearch = settings.path("index.knn.algo_param.ef_search").asInt(0);
        if (!engine.equals("lucene") && efSearch > 0 && efSearch < 100) {
            out.add(new Finding(Finding.Severity.LOW, "knn-ef-search", "index.knn.algo_param.ef_search is "
                    + efSearch + " on the " + engine + " engine: a filtered search over a large tenant loses recall.",
                    "Raise index.knn.algo_param.ef_search to 100 or more."));
        }
    }

    private static void collectTextWithoutKeyword(String prefix, JsonNode properties, List<String> out) {
        for (Iterator<Map.Entry<String, JsonNode>> it = properties.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> p = it.next();
            String path = prefix + p.getKey();
            if (p.getValue().has("properties")) {
                collectTextWithoutKeyword(path + ".", p.getValue().path("properties"), out);
            } else if (p.getValue().path("type").asText().equals("text") && exactPath(path, p.getValue()) == null) {
                out.add(path);
            }
        }
    }

    /** Whether a query holds a match-like (analysed) clause on the tenant field itself. */
    private boolean analysedClauseOnTenant(JsonNode query) {
        if (query.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = query.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                boolean analysed = List.of("match", "match_phrase", "match_phrase_prefix", "query_string",
                        "simple_query_string").contains(e.getKey());
                if (analysed && (e.getValue().has(tenantField) || e.getValue().toString().contains(tenantField))) {
                    return true;
                }
                if (analysedClauseOnTenant(e.getValue())) {
                    return true;
                }
            }
        } else if (query.isArray()) {
            for (JsonNode n : query) {
                if (analysedClauseOnTenant(n)) {
                    return true;
                }
            }
        }
        return false;
    }

    @Override
    public List<Shape> shapes() {
        List<Shape> shapes = new ArrayList<>();
        libraryShape().ifPresent(shapes::add);
        if (exactTenantPath != null) {
            shapes.add(new Shape("post-filter", "bool { must: knn { k }, filter: term { " + exactTenantPath
                    + " } }: the filter applies after the k nearest are picked", false, null, (tenant, vector, k) -> {
                ObjectNode body = body(k);
                ObjectNode bool = body.putObject("query").putObject("bool");
                knnClause(bool.putArray("must").addObject(), vector, k);
                bool.putArray("filter").addObject().putObject("term").put(exactTenantPath, tenant);
                return tenantsOf(search(body));
            }));
        }
        if (tenantMapping.path("type").asText().equals("text")) {
            shapes.add(new Shape("analysed-match", "knn { k, filter: match { " + tenantField + " } }", false,
                    "tenant-field-analysed", (tenant, vector, k) -> {
                ObjectNode body = body(k);
                knnClause(body.putObject("query"), vector, k).putObject("filter").putObject("match")
                        .put(tenantField, tenant);
                return tenantsOf(search(body));
            }));
        }
        return shapes;
    }

    /** TenantScope over an {@link OpenSearchStore} opened on this index as it is mapped. */
    private Optional<Shape> libraryShape() {
        String[] path = tenantField.split("\\.", 2);
        String field = path[path.length - 1];
        MetadataSchema schemaOfTenant = MetadataSchema.builder().required(field, FieldType.STRING).build();
        OpenSearchIndexLayout.Builder layout = OpenSearchIndexLayout.builder(index, schemaOfTenant, dimension())
                .vectorField(vectorField);
        if (path.length == 2) {
            layout.metadataObject(path[0]);
        }
        String space = vectorMapping.path("method").path("space_type").asText(vectorMapping.path("space_type")
                .asText("l2"));
        for (OpenSearchIndexLayout.SpaceType s : OpenSearchIndexLayout.SpaceType.values()) {
            if (s.wireName().equals(space)) {
                layout.spaceType(s);
            }
        }
        OpenSearchStore.Builder builder = OpenSearchStore.builder(layout.build()).url(url);
        if (username != null) {
            builder.basicAuth(username, password);
        }
        TenantScope scope;
        try {
            store = builder.build();
            scope = TenantScope.of(store, field);
        } catch (InvalidSchemaException e) {
            // the mapping cannot answer exactly (analysed with no keyword form): a configuration finding says so
            return Optional.empty();
        }
        return Optional.of(new Shape("tenant-scope", "TenantScope.forTenant(tenant).search(vector, k) on an "
                + "OpenSearchStore", true, null, (tenant, vector, k) -> scope.forTenant(tenant).search(vector, k)
                .stream().map(SearchHit::metadata).map(m -> m.get(field).map(v -> ((StringValue) v).value())
                        .orElse(null)).toList()));
    }

    private ObjectNode body(int k) {
        ObjectNode body = JSON.createObjectNode().put("size", k);
        body.putArray("_source").add(tenantField);
        return body;
    }

    /** {@code knn: {<vector field>: {vector, k}}} in {@code parent}; returns the inner object. */
    private ObjectNode knnClause(ObjectNode parent, float[] vector, int k) {
        ObjectNode knn = parent.putObject("knn").putObject(vectorField);
        var v = knn.putArray("vector");
        for (float f : vector) {
            v.add(f);
        }
        return knn.put("k", k);
    }

    /** The tenant value of each hit (null where it has none). */
    private List<String> tenantsOf(JsonNode response) {
        List<String> out = new ArrayList<>();
        for (JsonNode hit : response.path("hits").path("hits")) {
            JsonNode value = hit.path("_source");
            for (String part : tenantField.split("\\.", 2)) {
                value = value.path(part);
            }
            out.add(value.isTextual() ? value.asText() : null);
        }
        return out;
    }

    private JsonNode search(ObjectNode body) {
        return send(() -> http.postJson("/" + OpenSearchHttp.encode(index) + "/_search", body.toString()), "_search");
    }

    private JsonNode get(String path) {
        return send(() -> http.get(path), "GET " + path);
    }

    private JsonNode send(Request request, String what) {
        try {
            HttpResponse<String> r = request.send();
            if (r.statusCode() == 404) {
                throw new InspectionException(InspectionException.Kind.BAD_INPUT, "--index: OpenSearch at " + url
                        + " has no such index (" + what + ")", null);
            }
            if (r.statusCode() != 200) {
                throw new InspectionException(InspectionException.Kind.BACKEND_FAILED, "OpenSearch: " + what
                        + " answered HTTP " + r.statusCode() + ": " + r.body(), null);
            }
            return JSON.readTree(r.body());
        } catch (IOException e) {
            throw new InspectionException(InspectionException.Kind.BACKEND_FAILED, "OpenSearch: " + what
                    + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InspectionException(InspectionException.Kind.BACKEND_FAILED, "interrupted", e);
        }
    }

    @FunctionalInterface
    private interface Request {
        HttpResponse<String> send() throws IOException, InterruptedException;
    }

    @Override
    public void close() {
        if (store != null) {
            store.close();
        }
    }
}
