package dev.portafilter.bedrock;

import dev.portafilter.core.internal.Durations;
import dev.portafilter.ingest.MetadataJson;
import com.fasterxml.jackson.databind.JsonNode;
import dev.portafilter.core.StoreException;
import dev.portafilter.core.StoreTimeoutException;
import dev.portafilter.core.UnsupportedCapabilityException;
import dev.portafilter.core.filter.Filter;
import dev.portafilter.core.internal.FilterJsonCodec;
import dev.portafilter.core.metadata.FieldType;
import dev.portafilter.core.metadata.FieldSpec;
import dev.portafilter.core.metadata.Metadata;
import dev.portafilter.core.metadata.MetadataSchema;
import dev.portafilter.core.metadata.MetadataValue;
import dev.portafilter.core.store.Capability;
import dev.portafilter.core.store.SearchHit;
import dev.portafilter.core.store.SearchRequest;
import dev.portafilter.core.store.VectorRecord;
import dev.portafilter.core.store.VectorStore;
import software.amazon.awssdk.core.document.Document;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.bedrockagentruntime.BedrockAgentRuntimeClient;
import software.amazon.awssdk.services.bedrockagentruntime.model.KnowledgeBaseRetrievalResult;
import software.amazon.awssdk.services.bedrockagentruntime.model.KnowledgeBaseVectorSearchConfiguration;
import software.amazon.awssdk.services.bedrockagentruntime.model.RetrievalResultLocation;
import software.amazon.awssdk.services.bedrockagentruntime.model.RetrieveRequest;
import software.amazon.awssdk.services.bedrockagentruntime.model.RetrieveResponse;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A read-only store over an Amazon Bedrock knowledge base: {@link #search(String, int, Filter)} calls the
 * {@code Retrieve} API with the query text (Bedrock embeds it), {@code numberOfResults} and the filter translated by
 * {@link RetrievalFilterCodec}, so a filter means on Bedrock exactly what it means on every other store.
 *
 * <pre>{@code
 * try (BedrockKnowledgeBaseStore kb = BedrockKnowledgeBaseStore.builder()
 *         .region(Region.US_EAST_1).knowledgeBaseId("KB12345678").schema(schema).build()) {
 *     List<KnowledgeBaseHit> hits = kb.search("What was prescribed to patient P003?", 5,
 *             Filters.eq("customer", "CustomerA"));
 * }
 * }</pre>
 *
 * <p>As a {@link VectorStore} it searches by the request's query text ({@link SearchRequest#ofText}), so
 * {@code TenantScope.of(kb, "customer").forTenant("CustomerA").search(SearchRequest.ofText(question, 5))} runs a
 * Retrieve confined to one tenant. It offers none of the optional capabilities: writes, counts and deletes throw
 * {@link UnsupportedCapabilityException} (after checking the filter).
 *
 * <p>Each Retrieve, its retries included, has the store's {@link Builder#callTimeout} (default 30 s), also on a
 * client passed in: a call that runs out of it is a {@link StoreTimeoutException}, never a hang.
 */
public final class BedrockKnowledgeBaseStore implements VectorStore {
    /** Retrieve's largest {@code numberOfResults}. */
    public static final int MAX_RESULTS = 100;
    /** Default {@link Builder#callTimeout}: far above a Retrieve's seconds, short of a caller that looks hung. */
    public static final Duration DEFAULT_CALL_TIMEOUT = Duration.ofSeconds(30);
    static final String CHUNK_ID_KEY = "x-amz-bedrock-kb-chunk-id";
    static final String SOURCE_URI_KEY = "x-amz-bedrock-kb-source-uri";

    private final BedrockAgentRuntimeClient client;
    private final boolean ownsClient;
    private final String knowledgeBaseId;
    private final MetadataSchema schema;
    private final Duration callTimeout;

    private BedrockKnowledgeBaseStore(BedrockAgentRuntimeClient client, boolean ownsClient, Builder b) {
        this.client = client;
        this.ownsClient = ownsClient;
        this.knowledgeBaseId = b.knowledgeBaseId;
        this.schema = b.schema;
        this.callTimeout = b.callTimeout;
    }

    public static Builder builder() {
        return new Builder();
    }

    public String knowledgeBaseId() {
        return knowledgeBaseId;
    }

    /**
     * The best {@code k} chunks for the query text among those the filter matches, best first. The filter is
     * validated and translated before any request, so an invalid or inexpressible filter never reaches Bedrock.
     *
     * @param k 1 to {@link #MAX_RESULTS}
     */
    public List<KnowledgeBaseHit> search(String queryText, int k, Filter filter) {
        return retrieve(queryText, k, Optional.of(Objects.requireNonNull(filter, "filter")));
    }

    /**
     * The best {@code k} chunks for the query text, best first, as {@link #search(String, int, Filter)} without a
     * filter.
     *
     * @param k 1 to {@link #MAX_RESULTS}
     */
    public List<KnowledgeBaseHit> search(String queryText, int k) {
        return retrieve(queryText, k, Optional.empty());
    }

    private List<KnowledgeBaseHit> retrieve(String queryText, int k, Optional<Filter> filter) {
        if (queryText == null || queryText.isBlank()) {
            throw new IllegalArgumentException("the query text must not be blank");
        }
        if (k < 1 || k > MAX_RESULTS) {
            throw new IllegalArgumentException("k must be between 1 and " + MAX_RESULTS + ", was " + k);
        }
        KnowledgeBaseVectorSearchConfiguration.Builder config = KnowledgeBaseVectorSearchConfiguration.builder()
                .numberOfResults(k);
        filter.ifPresent(f -> config.filter(RetrievalFilterCodec.toSdk(f, schema)));
        RetrieveRequest request = RetrieveRequest.builder()
                .knowledgeBaseId(knowledgeBaseId)
                .retrievalQuery(q -> q.text(queryText))
                .retrievalConfiguration(c -> c.vectorSearchConfiguration(config.build()))
                .overrideConfiguration(o -> o.apiCallTimeout(callTimeout))
                .build();
        RetrieveResponse response;
        try {
            response = client.retrieve(request);
        } catch (ApiCallTimeoutException e) {
            throw new StoreTimeoutException("Bedrock Retrieve on knowledge base " + knowledgeBaseId + " did not answer "
                    + "within " + callTimeout, callTimeout, List.of(), e);
        } catch (SdkException e) {
            throw new StoreException("Bedrock Retrieve on knowledge base " + knowledgeBaseId + " failed: "
                    + e.getMessage(), e);
        }
        List<KnowledgeBaseHit> hits = new ArrayList<>();
        for (KnowledgeBaseRetrievalResult result : response.retrievalResults()) {
            hits.add(hit(result, hits.size()));
        }
        return hits.size() > k ? List.copyOf(hits.subList(0, k)) : hits;
    }

    @Override
    public String backend() {
        return RetrievalFilterCodec.BACKEND;
    }

    @Override
    public MetadataSchema schema() {
        return schema;
    }

    /** 0: Bedrock embeds queries itself, and the knowledge base's dimension is not this store's concern. */
    @Override
    public int dimension() {
        return 0;
    }

    @Override
    public Set<Capability> capabilities() {
        return EnumSet.noneOf(Capability.class);
    }

    /**
     * Runs the request's query text with its {@code topK} and filter, as {@link #search(String, int, Filter)}; a
     * vector in the request is not used (Bedrock embeds the text itself).
     *
     * @throws IllegalArgumentException for a request without a query text, before any request to Bedrock
     */
    @Override
    public List<SearchHit> search(SearchRequest request) {
        request.filter().ifPresent(schema::validate);
        String queryText = request.text().orElseThrow(() -> new IllegalArgumentException("Bedrock knowledge base "
                + knowledgeBaseId + " embeds the query text itself and cannot search by vector: "
                + "search with SearchRequest.ofText(text, k), or add the text with withText(text)"));
        return retrieve(queryText, request.topK(), request.filter()).stream().map(KnowledgeBaseHit::toSearchHit)
                .toList();
    }

    @Override
    public void upsert(List<VectorRecord> records) {
        throw readOnly(Capability.WRITE);
    }

    @Override
    public void upsert(List<VectorRecord> records, Filter guard) {
        Objects.requireNonNull(guard, "guard");
        upsert(records);
    }

    @Override
    public long count() {
        throw readOnly(Capability.COUNT);
    }

    @Override
    public long count(Filter filter) {
        schema.validate(Objects.requireNonNull(filter, "filter"));
        return count();
    }

    @Override
    public long delete(Collection<String> ids) {
        throw readOnly(Capability.WRITE);
    }

    @Override
    public long delete(Collection<String> ids, Filter filter) {
        schema.validate(Objects.requireNonNull(filter, "filter"));
        return delete(ids);
    }

    @Override
    public long deleteWhere(Filter filter) {
        schema.validate(filter);
        throw readOnly(Capability.DELETE_WHERE);
    }

    /** Closes the client if the builder made it; a client passed in belongs to the caller. */
    @Override
    public void close() {
        if (ownsClient) {
            client.close();
        }
    }

    private UnsupportedCapabilityException readOnly(Capability capability) {
        return new UnsupportedCapabilityException(backend(), capability, "a Bedrock knowledge base is read-only "
                + "through Retrieve; its data source is synced by Bedrock ingestion");
    }

    private KnowledgeBaseHit hit(KnowledgeBaseRetrievalResult result, int rank) {
        Map<String, Document> raw = result.hasMetadata() ? result.metadata() : Map.of();
        String sourceUri = sourceUri(result.location(), raw);
        String chunkId = raw.containsKey(CHUNK_ID_KEY) && raw.get(CHUNK_ID_KEY).isString()
                ? raw.get(CHUNK_ID_KEY).asString() : null;
        String id = chunkId != null ? chunkId : sourceUri != null ? sourceUri : "result-" + rank;
        Map<String, MetadataValue> values = new LinkedHashMap<>();
        for (Map.Entry<String, Document> e : raw.entrySet()) {
            String key = e.getKey();
            FieldSpec spec = schema.field(key).orElse(null);
            JsonNode value = SdkJson.toJson(e.getValue());
            // x-amz-* keys are Bedrock's own (chunk id, source URI, data source), not the document's metadata
            if (value.isNull() || spec == null && (!schema.allowsUndeclared() || key.startsWith("x-amz-"))) {
                continue;
            }
            try {
                MetadataValue v = MetadataJson.value(value, spec != null ? spec.type() : MetadataJson.undeclaredType(value));
                if (v != null) {
                    values.put(key, v);
                }
            } catch (IllegalArgumentException ex) {
                throw new StoreException("Bedrock result " + id + ", metadata '" + key + "' does not fit the schema: "
                        + ex.getMessage(), ex);
            }
        }
        String text = result.content() == null ? null : result.content().text();
        double score = result.score() == null ? Double.NaN : result.score();
        return new KnowledgeBaseHit(id, score, text, Metadata.of(values), sourceUri);
    }

    private static String sourceUri(RetrievalResultLocation location, Map<String, Document> metadata) {
        if (location != null && location.type() != null) {
            String uri = switch (location.type()) {
                case S3 -> location.s3Location() == null ? null : location.s3Location().uri();
                case WEB -> location.webLocation() == null ? null : location.webLocation().url();
                case CONFLUENCE -> location.confluenceLocation() == null ? null : location.confluenceLocation().url();
                case SALESFORCE -> location.salesforceLocation() == null ? null : location.salesforceLocation().url();
                case SHAREPOINT -> location.sharePointLocation() == null ? null : location.sharePointLocation().url();
                case ONEDRIVE -> location.oneDriveLocation() == null ? null : location.oneDriveLocation().url();
                case GOOGLEDRIVE -> location.googleDriveLocation() == null ? null : location.googleDriveLocation().url();
                case KENDRA -> location.kendraDocumentLocation() == null ? null
                        : location.kendraDocumentLocation().uri();
                case CUSTOM -> location.customDocumentLocation() == null ? null
                        : location.customDocumentLocation().id();
                default -> null;
            };
            if (uri != null) {
                return uri;
            }
        }
        Document fromMetadata = metadata.get(SOURCE_URI_KEY);
        return fromMetadata != null && fromMetadata.isString() ? fromMetadata.asString() : null;
    }

    public static final class Builder {
        private BedrockAgentRuntimeClient client;
        private Region region;
        private String knowledgeBaseId;
        private MetadataSchema schema;
        private Duration callTimeout = DEFAULT_CALL_TIMEOUT;

        private Builder() {
        }

        /** How long one Retrieve may take, retries included; {@link #DEFAULT_CALL_TIMEOUT} by default. */
        public Builder callTimeout(Duration callTimeout) {
            this.callTimeout = Durations.atLeastOneMilli(callTimeout, "callTimeout");
            return this;
        }

        /** A client you configured (endpoint, credentials, retries); the store never closes it. */
        public Builder client(BedrockAgentRuntimeClient client) {
            this.client = client;
            return this;
        }

        /**
         * Instead of {@link #client}: a client for this region with the SDK's default credentials chain, which the
         * store closes.
         */
        public Builder region(Region region) {
            this.region = region;
            return this;
        }

        public Builder knowledgeBaseId(String knowledgeBaseId) {
            this.knowledgeBaseId = knowledgeBaseId;
            return this;
        }

        /** The knowledge base's metadata fields; it decides which are lists and which numbers are integers. */
        public Builder schema(MetadataSchema schema) {
            this.schema = schema;
            return this;
        }

        public BedrockKnowledgeBaseStore build() {
            if (knowledgeBaseId == null || knowledgeBaseId.isBlank()) {
                throw new IllegalArgumentException("a knowledge base id is required");
            }
            Objects.requireNonNull(schema, "schema");
            if ((client == null) == (region == null)) {
                throw new IllegalArgumentException("give either a client or a region");
            }
            if (client != null) {
                return new BedrockKnowledgeBaseStore(client, false, this);
            }
            BedrockAgentRuntimeClient owned = BedrockAgentRuntimeClient.builder()
                    .region(region)
                    .httpClient(UrlConnectionHttpClient.create())
                    .build();
            return new BedrockKnowledgeBaseStore(owned, true, this);
        }
    }
}
