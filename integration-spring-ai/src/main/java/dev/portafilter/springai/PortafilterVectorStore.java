package dev.portafilter.springai;

import dev.portafilter.core.InvalidRecordException;
import dev.portafilter.core.TenantIsolationException;
import dev.portafilter.core.UnsupportedCapabilityException;
import dev.portafilter.core.filter.Filter;
import dev.portafilter.core.metadata.Metadata;
import dev.portafilter.core.metadata.MetadataValue;
import dev.portafilter.core.store.Capability;
import dev.portafilter.core.store.SearchHit;
import dev.portafilter.core.store.VectorRecord;
import dev.portafilter.core.store.VectorStore;
import dev.portafilter.core.tenant.TenantScope;
import org.springframework.ai.document.Document;
import org.springframework.ai.document.DocumentMetadata;
import org.springframework.ai.embedding.EmbeddingModel;
import org.springframework.ai.embedding.EmbeddingOptions;
import org.springframework.ai.observation.conventions.VectorStoreSimilarityMetric;
import org.springframework.ai.vectorstore.AbstractVectorStoreBuilder;
import org.springframework.ai.vectorstore.SearchRequest;
import org.springframework.ai.vectorstore.filter.Filter.Expression;
import org.springframework.ai.vectorstore.observation.AbstractObservationVectorStore;
import org.springframework.ai.vectorstore.observation.VectorStoreObservationContext;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * A Spring AI {@link org.springframework.ai.vectorstore.VectorStore} over any Portafilter store: the embedded one,
 * pgvector, OpenSearch, Pinecone, or a Bedrock knowledge base (read-only: {@link #add} throws
 * {@link UnsupportedCapabilityException}, and searches go by the query text, which Bedrock embeds itself).
 *
 * <p>Spring AI filter expressions mean what {@code docs/semantics.md} says on every backend ({@link SpringAiFilters});
 * one without a portable meaning fails with {@link SpringAiFilterException} before the store is called.
 *
 * <p>Results carry the cosine similarity as {@link Document#getScore()} and {@code 1 - score} as the
 * {@link DocumentMetadata#DISTANCE} metadata, as Spring AI's own stores do. A hit is kept when its score is at least the
 * request's similarity threshold; at {@link SearchRequest#SIMILARITY_THRESHOLD_ACCEPT_ALL} every hit is kept, negative
 * cosine similarities too.
 *
 * <pre>{@code
 * PortafilterVectorStore store = PortafilterVectorStore.builder(portafilterStore, embeddingModel)
 *         .tenantScope(TenantScope.of(portafilterStore, "customer"), () -> currentCustomer())
 *         .build();
 * }</pre>
 */
public final class PortafilterVectorStore extends AbstractObservationVectorStore {
    private final VectorStore store;
    private final TenantScope tenantScope;
    private final Supplier<String> tenantResolver;

    private PortafilterVectorStore(Builder builder) {
        super(builder);
        this.store = builder.store;
        this.tenantScope = builder.tenantScope;
        this.tenantResolver = builder.tenantResolver;
    }

    /** A store over {@code store}, embedding documents and queries with {@code embeddingModel}. */
    public static Builder builder(VectorStore store, EmbeddingModel embeddingModel) {
        return new Builder(store, embeddingModel);
    }

    @Override
    public String getName() {
        return "PortafilterVectorStore(" + store.backend() + ")";
    }

    /**
     * The Portafilter store, only where the store has no tenant scope: a scoped store never hands out the unscoped
     * one.
     */
    @Override
    @SuppressWarnings("unchecked")
    public <T> Optional<T> getNativeClient() {
        return tenantScope == null ? Optional.of((T) store) : Optional.empty();
    }

    @Override
    public void doAdd(List<Document> documents) {
        // Refused before anything is embedded: a read-only store would only waste the embedding calls.
        if (!store.capabilities().contains(Capability.WRITE)) {
            throw new UnsupportedCapabilityException(store.backend(), Capability.WRITE,
                    "the store is read-only, so Spring AI's add() cannot write to it");
        }
        VectorStore target = target();
        List<Metadata> metadata = documents.stream().map(PortafilterVectorStore::metadata).toList();
        List<float[]> vectors = embeddingModel.embed(documents, EmbeddingOptions.builder().build(), batchingStrategy);
        List<VectorRecord> records = new ArrayList<>(documents.size());
        for (int i = 0; i < documents.size(); i++) {
            Document d = documents.get(i);
            records.add(new VectorRecord(d.getId(), vectors.get(i), d.getText(), metadata.get(i)));
        }
        target.upsert(records);
    }

    @Override
    public void doDelete(List<String> idList) {
        target().delete(idList);
    }

    @Override
    protected void doDelete(Expression filterExpression) {
        Filter filter = SpringAiFilters.toPortafilter(filterExpression);
        target().deleteWhere(filter);
    }

    @Override
    public List<Document> doSimilaritySearch(SearchRequest request) {
        Optional<Filter> filter = request.hasFilterExpression()
                ? Optional.of(SpringAiFilters.toPortafilter(request.getFilterExpression()))
                : Optional.empty();
        VectorStore target = target();
        String query = request.getQuery();
        // dimension 0: the store embeds query texts itself (a Bedrock knowledge base)
        dev.portafilter.core.store.SearchRequest search = store.dimension() == 0
                ? dev.portafilter.core.store.SearchRequest.ofText(query, request.getTopK())
                : dev.portafilter.core.store.SearchRequest.of(embeddingModel.embed(query), request.getTopK());
        if (filter.isPresent()) {
            search = search.withFilter(filter.get());
        }
        double threshold = request.getSimilarityThreshold();
        boolean acceptAll = threshold == SearchRequest.SIMILARITY_THRESHOLD_ACCEPT_ALL;
        List<Document> documents = new ArrayList<>();
        for (SearchHit hit : target.search(search)) {
            if (acceptAll || hit.score() >= threshold) {
                documents.add(document(hit));
            }
        }
        return documents;
    }

    @Override
    public VectorStoreObservationContext.Builder createObservationContextBuilder(String operationName) {
        return VectorStoreObservationContext.builder("portafilter-" + store.backend(), operationName)
                .dimensions(store.dimension())
                .similarityMetric(VectorStoreSimilarityMetric.COSINE.value());
    }

    /** The store this call runs on: the tenant's view where the store is scoped, resolved anew on every call. */
    private VectorStore target() {
        if (tenantScope == null) {
            return store;
        }
        String tenant = tenantResolver.get();
        if (tenant == null || tenant.isBlank()) {
            throw new TenantIsolationException("the tenant resolver returned " + (tenant == null ? "null" : "a blank tenant")
                    + " for tenant field '" + tenantScope.tenantField() + "'; a tenant-scoped store never runs a call "
                    + "unscoped");
        }
        return tenantScope.forTenant(tenant);
    }

    private static Metadata metadata(Document document) {
        Map<String, MetadataValue> values = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : document.getMetadata().entrySet()) {
            if (e.getValue() instanceof Collection<?> list && list.isEmpty()) {
                continue; // an empty list is the field absent (docs/semantics.md)
            }
            try {
                values.put(e.getKey(), MetadataValue.of(e.getValue()));
            } catch (IllegalArgumentException ex) {
                throw new InvalidRecordException(document.getId(), e.getKey(), ex.getMessage());
            }
        }
        return Metadata.of(values);
    }

    private static Document document(SearchHit hit) {
        Map<String, Object> metadata = new HashMap<>(hit.metadata().toJava());
        metadata.put(DocumentMetadata.DISTANCE.value(), 1 - hit.score());
        return Document.builder()
                .id(hit.id())
                // a Spring AI Document needs a text; records written by other tools may have none
                .text(hit.text() == null ? "" : hit.text())
                .metadata(metadata)
                .score(hit.score())
                .build();
    }

    public static final class Builder extends AbstractVectorStoreBuilder<Builder> {
        private final VectorStore store;
        private TenantScope tenantScope;
        private Supplier<String> tenantResolver;

        private Builder(VectorStore store, EmbeddingModel embeddingModel) {
            super(embeddingModel);
            this.store = Objects.requireNonNull(store, "store");
        }

        /**
         * Scopes every add, search and delete to {@code scope.forTenant(tenantResolver.get())}, resolved on each call.
         * The scope must be over this builder's store.
         */
        public Builder tenantScope(TenantScope scope, Supplier<String> tenantResolver) {
            this.tenantScope = Objects.requireNonNull(scope, "scope");
            this.tenantResolver = Objects.requireNonNull(tenantResolver, "tenantResolver");
            return this;
        }

        @Override
        public PortafilterVectorStore build() {
            return new PortafilterVectorStore(this);
        }
    }
}
