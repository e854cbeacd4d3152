package dev.portafilter.cli.inspect;

import dev.portafilter.bedrock.BedrockKnowledgeBaseStore;
import dev.portafilter.core.metadata.FieldType;
import dev.portafilter.core.metadata.MetadataSchema;
import dev.portafilter.core.metadata.StringValue;
import dev.portafilter.core.store.SearchHit;
import dev.portafilter.core.store.SearchRequest;
import dev.portafilter.core.tenant.TenantScope;
import software.amazon.awssdk.core.document.Document;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.bedrockagent.BedrockAgentClient;
import software.amazon.awssdk.services.bedrockagent.model.DataSource;
import software.amazon.awssdk.services.bedrockagent.model.DataSourceSummary;
import software.amazon.awssdk.services.bedrockagent.model.KnowledgeBase;
import software.amazon.awssdk.services.bedrockagent.model.ListDataSourcesResponse;
import software.amazon.awssdk.services.bedrockagent.model.RdsConfiguration;
import software.amazon.awssdk.services.bedrockagent.model.ResourceNotFoundException;
import software.amazon.awssdk.services.bedrockagent.model.StorageConfiguration;
import software.amazon.awssdk.services.bedrockagentruntime.BedrockAgentRuntimeClient;
import software.amazon.awssdk.services.bedrockagentruntime.model.KnowledgeBaseRetrievalResult;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * A Bedrock knowledge base, read with bedrock-agent's {@code GetKnowledgeBase}, {@code ListDataSources} and
 * {@code GetDataSource} and bedrock-agent-runtime's {@code Retrieve} only. Bedrock cannot list a knowledge base's
 * chunks: the census is what unfiltered Retrieve calls return (complete for a knowledge base of up to 100 chunks,
 * a lower bound above that), and searches are query texts, as Bedrock embeds them itself.
 */
public final class BedrockInspector implements Inspector {
    /** Retrieve's largest page. */
    private static final int RESULTS = BedrockKnowledgeBaseStore.MAX_RESULTS;
    /** Census queries at most, and how many in a row may bring no new chunk before it stops. */
    private static final int PROBES = 20;
    private static final int IDLE_PROBES = 5;
    private static final String CHUNK_ID = "x-amz-bedrock-kb-chunk-id";
    private static final String DATA_SOURCE_ID = "x-amz-bedrock-kb-data-source-id";
    /** The length of the random vectors Measurement draws; each becomes a query text of words of the chunks. */
    private static final int QUERY_WORDS = 8;

    private final BedrockAgentRuntimeClient runtime;
    private final String knowledgeBaseId;
    private final String tenantField;
    private final String endpoint;
    private final KnowledgeBase knowledgeBase;
    private final List<DataSource> dataSources = new ArrayList<>();
    /** Chunk id to its tenant (null: none) and data source, from the census. */
    private final Map<String, String[]> chunks = new LinkedHashMap<>();
    private final List<String> vocabulary = new ArrayList<>();
    private int retrieveCalls;
    private BedrockKnowledgeBaseStore store;

    public BedrockInspector(BedrockAgentClient agent, BedrockAgentRuntimeClient runtime, String knowledgeBaseId,
                            String tenantField, String endpoint) {
        this.runtime = runtime;
        this.knowledgeBaseId = knowledgeBaseId;
        this.tenantField = tenantField;
        this.endpoint = endpoint;
        this.knowledgeBase = call("GetKnowledgeBase", () -> agent.getKnowledgeBase(r -> r.knowledgeBaseId(knowledgeBaseId)))
                .knowledgeBase();
        String token = null;
        do {
            String next = token;
            ListDataSourcesResponse page = call("ListDataSources", () -> agent.listDataSources(r -> r
                    .knowledgeBaseId(knowledgeBaseId).nextToken(next)));
            for (DataSourceSummary s : page.dataSourceSummaries()) {
                dataSources.add(call("GetDataSource", () -> agent.getDataSource(r -> r.knowledgeBaseId(knowledgeBaseId)
                        .dataSourceId(s.dataSourceId()))).dataSource());
            }
            token = page.nextToken();
        } while (token != null && !token.isEmpty());
        readChunks();
    }

    /** Unfiltered Retrieve calls, the first with a neutral text, then with words of the chunks seen so far. */
    private void readChunks() {
        Set<String> probes = new LinkedHashSet<>(List.of("document"));
        int idle = 0;
        for (int i = 0; i < PROBES && idle < IDLE_PROBES && i < probes.size(); i++) {
            String text = new ArrayList<>(probes).get(i);
            int before = chunks.size();
            for (KnowledgeBaseRetrievalResult r : retrieve(text)) {
                String id = string(r.metadata(), CHUNK_ID);
                String key = id != null ? id : r.location() != null ? r.location().toString() : "chunk-" + chunks.size();
                chunks.putIfAbsent(key, new String[] {string(r.metadata(), tenantField),
                        string(r.metadata(), DATA_SOURCE_ID)});
                if (r.content() != null && r.content().text() != null) {
                    for (String word : r.content().text().toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+")) {
                        if (word.length() > 2 && probes.size() < PROBES) {
                            probes.add(word);
                        }
                        if (word.length() > 2 && !vocabulary.contains(word)) {
                            vocabulary.add(word);
                        }
                    }
                }
            }
            idle = chunks.size() == before ? idle + 1 : 0;
        }
        if (chunks.isEmpty()) {
            throw new InspectionException(InspectionException.Kind.BAD_INPUT, "knowledge base " + knowledgeBaseId
                    + " returned no chunk to an unfiltered Retrieve: nothing to inspect (is a data source synced?)",
                    null);
        }
    }

    private List<KnowledgeBaseRetrievalResult> retrieve(String text) {
        retrieveCalls++;
        return call("Retrieve", () -> runtime.retrieve(r -> r.knowledgeBaseId(knowledgeBaseId)
                .retrievalQuery(q -> q.text(text))
                .retrievalConfiguration(c -> c.vectorSearchConfiguration(v -> v.numberOfResults(RESULTS)))))
                .retrievalResults();
    }

    private static String string(Map<String, Document> metadata, String key) {
        Document d = metadata == null ? null : metadata.get(key);
        return d != null && d.isString() && !d.asString().isEmpty() ? d.asString() : null;
    }

    @Override
    public String backend() {
        return "bedrock";
    }

    @Override
    public String describe() {
        return "Bedrock knowledge base " + knowledgeBaseId + (endpoint != null ? " at " + endpoint : "") + " ("
                + storage() + "; " + dataSources.size() + " data sources; " + chunks.size() + " chunks seen in "
                + retrieveCalls + " unfiltered Retrieve calls)";
    }

    /** The vector store and its field mapping, as GetKnowledgeBase describes them. */
    private String storage() {
        StorageConfiguration s = knowledgeBase.storageConfiguration();
        if (s == null) {
            return "no storage configuration";
        }
        String type = s.typeAsString();
        if (s.opensearchServerlessConfiguration() != null) {
            var c = s.opensearchServerlessConfiguration();
            return type + " index " + c.vectorIndexName() + " (vector " + c.fieldMapping().vectorField() + ", text "
                    + c.fieldMapping().textField() + ", metadata " + c.fieldMapping().metadataField() + ")";
        }
        if (s.rdsConfiguration() != null) {
            RdsConfiguration c = s.rdsConfiguration();
            return type + " table " + c.tableName() + " (vector " + c.fieldMapping().vectorField() + ", text "
                    + c.fieldMapping().textField() + ", metadata " + c.fieldMapping().metadataField()
                    + (c.fieldMapping().customMetadataField() != null ? ", custom metadata "
                    + c.fieldMapping().customMetadataField() : "") + ")";
        }
        if (s.pineconeConfiguration() != null) {
            var c = s.pineconeConfiguration();
            return type + " namespace '" + c.namespace() + "' (text " + c.fieldMapping().textField() + ", metadata "
                    + c.fieldMapping().metadataField() + ")";
        }
        return type;
    }

    @Override
    public String readOnlyEvidence() {
        return "GetKnowledgeBase, ListDataSources, GetDataSource and Retrieve only";
    }

    /** Query texts, not vectors: Measurement's random vectors pick the words. */
    @Override
    public int dimension() {
        return QUERY_WORDS;
    }

    @Override
    public Census census() {
        Map<String, Long> perTenant = new TreeMap<>();
        long without = 0;
        for (String[] c : chunks.values()) {
            if (c[0] == null) {
                without++;
            } else {
                perTenant.merge(c[0], 1L, Long::sum);
            }
        }
        return new Census(perTenant, without);
    }

    @Override
    public List<Finding> configuration(Census census, int k) {
        List<Finding> out = new ArrayList<>();
        StorageConfiguration s = knowledgeBase.storageConfiguration();
        RdsConfiguration rds = s == null ? null : s.rdsConfiguration();
        if (rds != null && rds.fieldMapping() != null && rds.fieldMapping().customMetadataField() == null) {
            out.add(new Finding(Finding.Severity.MEDIUM, "rds-tenant-column", "The knowledge base stores its "
                    + "vectors in the Aurora table " + rds.tableName() + " without a custom metadata column "
                    + "(fieldMapping.customMetadataField): Retrieve filters only on attributes that are columns of "
                    + "the table, so a filter on '" + tenantField + "' works only if " + rds.tableName() + " has that "
                    + "column.", "Check the table: portafilter inspect --backend pgvector --table " + rds.tableName()
                    + " --tenant-field " + tenantField + "; or set a customMetadataField (a jsonb column) that "
                    + "holds every attribute."));
        }
        Map<String, long[]> perSource = new TreeMap<>();
        for (String[] c : chunks.values()) {
            long[] n = perSource.computeIfAbsent(String.valueOf(c[1]), x -> new long[2]);
            n[0]++;
            n[1] += c[0] == null ? 1 : 0;
        }
        List<String> without = new ArrayList<>();
        for (DataSource d : dataSources) {
            long[] n = perSource.getOrDefault(d.dataSourceId(), new long[2]);
            if (n[1] > 0) {
                without.add(d.name() + " (" + d.dataSourceId() + location(d) + "): " + n[1] + " of " + n[0]);
            }
        }
        if (!without.isEmpty()) {
            out.add(new Finding(Finding.Severity.MEDIUM, "data-source-without-tenant", "Chunks without '"
                    + tenantField + "' by data source: " + String.join("; ", without) + ". Their documents have "
                    + "no <file>.metadata.json sidecar, or one without the tenant.",
                    "Give every document of these data sources a sidecar with \"metadataAttributes\": {\""
                    + tenantField + "\": ...} and sync them again."));
        }
        List<String> retain = dataSources.stream().filter(d -> "RETAIN".equals(d.dataDeletionPolicyAsString()))
                .map(d -> d.name() + " (" + d.dataSourceId() + ")").toList();
        if (!retain.isEmpty()) {
            out.add(new Finding(Finding.Severity.LOW, "data-deletion-retain", "The data sources " + String.join(", ",
                    retain) + " keep their vectors when the data source is deleted (dataDeletionPolicy RETAIN): a "
                    + "tenant's documents removed that way stay retrievable.",
                    "UpdateDataSource with dataDeletionPolicy DELETE."));
        }
        return out;
    }

    private static String location(DataSource d) {
        var config = d.dataSourceConfiguration();
        return config != null && config.s3Configuration() != null ? ", " + config.s3Configuration().bucketArn() : "";
    }

    @Override
    public List<Shape> shapes() {
        MetadataSchema schema = MetadataSchema.builder().required(tenantField, FieldType.STRING).build();
        store = BedrockKnowledgeBaseStore.builder().client(runtime).knowledgeBaseId(knowledgeBaseId).schema(schema)
                .build();
        TenantScope scope = TenantScope.of(store, tenantField);
        return List.of(
                new Shape("tenant-scope", "TenantScope.forTenant(tenant).search(SearchRequest.ofText(text, k)) on a "
                        + "BedrockKnowledgeBaseStore: Retrieve with {equals: {key: " + tenantField + "}}", true, null,
                        (tenant, vector, k) -> scope.forTenant(tenant).search(SearchRequest.ofText(text(vector), k))
                                .stream().map(SearchHit::metadata).map(m -> m.get(tenantField)
                                        .map(v -> ((StringValue) v).value()).orElse(null)).toList()),
                new Shape("no-filter", "Retrieve without a filter: the knowledge base as one pool", false, null,
                        (tenant, vector, k) -> call("Retrieve", () -> runtime.retrieve(r -> r
                                .knowledgeBaseId(knowledgeBaseId).retrievalQuery(q -> q.text(text(vector)))
                                .retrievalConfiguration(c -> c.vectorSearchConfiguration(v -> v.numberOfResults(k)))))
                                .retrievalResults().stream().map(r -> string(r.metadata(), tenantField)).toList()));
    }

    /** A query text of words of the knowledge base's chunks, picked by the vector. */
    private String text(float[] vector) {
        List<String> words = new ArrayList<>();
        for (float f : vector) {
            words.add(vocabulary.isEmpty() ? "document"
                    : vocabulary.get(Math.floorMod((int) (f * 1_000_003), vocabulary.size())));
        }
        return words.stream().distinct().collect(Collectors.joining(" "));
    }

    private <T> T call(String operation, Supplier<T> request) {
        try {
            return request.get();
        } catch (ResourceNotFoundException e) {
            throw new InspectionException(InspectionException.Kind.BAD_INPUT, "--knowledge-base-id " + knowledgeBaseId
                    + ": " + operation + " found no such knowledge base or data source (" + e.getMessage() + ")", e);
        } catch (SdkClientException e) {
            throw new InspectionException(InspectionException.Kind.UNREACHABLE, "Bedrock: " + operation
                    + " cannot reach " + (endpoint != null ? endpoint : "the regional endpoint") + ": " + e.getMessage(), e);
        } catch (SdkException e) {
            throw new InspectionException(InspectionException.Kind.BACKEND_FAILED, "Bedrock: " + operation + " on "
                    + knowledgeBaseId + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        if (store != null) {
            store.close();
        }
    }
}
