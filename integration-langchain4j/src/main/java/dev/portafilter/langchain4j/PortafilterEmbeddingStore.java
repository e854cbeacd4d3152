package dev.portafilter.langchain4j;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.store.embedding.EmbeddingMatch;
import dev.langchain4j.store.embedding.EmbeddingSearchRequest;
import dev.langchain4j.store.embedding.EmbeddingSearchResult;
import dev.langchain4j.store.embedding.EmbeddingStore;
import dev.langchain4j.store.embedding.RelevanceScore;
import dev.portafilter.core.InvalidRecordException;
import dev.portafilter.core.TenantIsolationException;
import dev.portafilter.core.UnsupportedCapabilityException;
import dev.portafilter.core.filter.Filter;
import dev.portafilter.core.metadata.FieldSpec;
import dev.portafilter.core.metadata.Metadata;
import dev.portafilter.core.metadata.MetadataValue;
import dev.portafilter.core.metadata.ScalarValue;
import dev.portafilter.core.store.Capability;
import dev.portafilter.core.store.SearchHit;
import dev.portafilter.core.store.SearchRequest;
import dev.portafilter.core.store.VectorRecord;
import dev.portafilter.core.store.VectorStore;
import dev.portafilter.core.tenant.TenantScope;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;

import static dev.langchain4j.internal.ValidationUtils.ensureNotEmpty;
import static dev.langchain4j.internal.ValidationUtils.ensureNotNull;

/**
 * A LangChain4j {@link EmbeddingStore} over any Portafilter {@link VectorStore}: the in-memory store, pgvector,
 * OpenSearch, Pinecone, or a Bedrock knowledge base (read-only: every write and removal throws
 * {@link UnsupportedCapabilityException} for {@link Capability#WRITE}). Swap it in where an application builds its
 * LangChain4j store; filters are translated by {@link LangChain4jFilters} and mean what {@code docs/semantics.md}
 * says on every backend.
 *
 * <pre>{@code
 * EmbeddingStore<TextSegment> store = PortafilterEmbeddingStore.over(pgvectorStore);
 * // or, every call scoped to the tenant of the current request:
 * EmbeddingStore<TextSegment> store = PortafilterEmbeddingStore.perTenant(
 *         TenantScope.of(pgvectorStore, "customer"), () -> RequestContext.current().customerId());
 * }</pre>
 *
 * <p><b>Records.</b> A {@link TextSegment}'s text is the record's text and its metadata the record's metadata; an
 * embedding added without a segment is a record with no text and no metadata, and comes back with no segment. The
 * store's schema must accept the keys the application writes: an undeclared key needs a schema that
 * {@linkplain dev.portafilter.core.metadata.MetadataSchema.Builder#allowUndeclared() allows undeclared fields}.
 *
 * <p><b>Metadata values.</b> LangChain4j's String, UUID, Integer, Long, Float and Double are written as a string (a
 * UUID as its {@code toString()}), an integer (Integer and Long) or a double (a Float is widened to the double it is,
 * so {@code 1.1f} is stored as {@code 1.100000023841858}). On read a segment's metadata holds String, Long and Double
 * values: {@code getUUID}, {@code getInteger} and {@code getFloat} convert them back exactly for every value that was
 * written as UUID, Integer or Float. A boolean or a list of strings (written by other tools) has no LangChain4j form:
 * reading such a record throws an {@link InvalidRecordException} naming the record and the field, never drops it.
 * Backends whose undeclared numbers are 64-bit floats (OpenSearch, Pinecone) refuse integers beyond ±(2^53 − 1) in
 * undeclared keys, as {@code docs/semantics.md} says.
 *
 * <p><b>Search.</b> LangChain4j's score is a relevance in [0, 1]: {@code (cosine + 1) / 2}
 * ({@link RelevanceScore#fromCosineSimilarity}); the {@code minScore} of a request applies to it. Matches carry no
 * embedding ({@link EmbeddingMatch#embedding()} is null): Portafilter's search results hold no vectors. A request's
 * query text is passed along, for stores that embed queries themselves (a Bedrock knowledge base).
 *
 * <p><b>Tenants.</b> A store made with {@link #perTenant} resolves the tenant on every call and works through
 * {@code scope.forTenant(tenant)}: every add is stamped with the tenant, every search and removal is restricted to
 * it, a filter naming the tenant field is refused ({@code TenantIsolationException}), and the tenant field is left
 * out of the metadata a search returns (the application never wrote it). A resolver that returns null or a blank
 * string is a {@link TenantIsolationException}: the call never runs unscoped.
 */
public final class PortafilterEmbeddingStore implements EmbeddingStore<TextSegment> {
    private final Supplier<VectorStore> target;
    /** The tenant field that scoped reads leave out; empty for an unscoped store. */
    private final Optional<String> tenantField;

    private PortafilterEmbeddingStore(Supplier<VectorStore> target, Optional<String> tenantField) {
        this.target = target;
        this.tenantField = tenantField;
    }

    /** Every call on this store itself, unscoped. */
    public static PortafilterEmbeddingStore over(VectorStore store) {
        Objects.requireNonNull(store, "store");
        return new PortafilterEmbeddingStore(() -> store, Optional.empty());
    }

    /**
     * Every call scoped to {@code scope.forTenant(tenantResolver.get())}, the resolver asked once per call (from a
     * request context, a security principal, a thread-local...). The resolver must return a non-blank tenant id.
     */
    public static PortafilterEmbeddingStore perTenant(TenantScope scope, Supplier<String> tenantResolver) {
        Objects.requireNonNull(scope, "scope");
        Objects.requireNonNull(tenantResolver, "tenantResolver");
        return new PortafilterEmbeddingStore(() -> {
            String tenant = tenantResolver.get();
            if (tenant == null || tenant.isBlank()) {
                throw new TenantIsolationException("the tenant resolver returned " + (tenant == null ? "null"
                        : "a blank string") + " for tenant field '" + scope.tenantField() + "'; the call was refused "
                        + "rather than run for every tenant");
            }
            return scope.forTenant(tenant);
        }, Optional.of(scope.tenantField()));
    }

    @Override
    public String add(Embedding embedding) {
        String id = UUID.randomUUID().toString();
        add(id, embedding);
        return id;
    }

    @Override
    public void add(String id, Embedding embedding) {
        addAll(List.of(id), List.of(embedding), null);
    }

    @Override
    public String add(Embedding embedding, TextSegment segment) {
        String id = UUID.randomUUID().toString();
        addAll(List.of(id), List.of(embedding), segment == null ? null : List.of(segment));
        return id;
    }

    @Override
    public List<String> addAll(List<Embedding> embeddings) {
        List<String> ids = generateIds(embeddings.size());
        addAll(ids, embeddings, null);
        return ids;
    }

    /** One upsert of the whole batch; {@code segments} may be null (no text, no metadata). */
    @Override
    public void addAll(List<String> ids, List<Embedding> embeddings, List<TextSegment> segments) {
        ensureNotNull(ids, "ids");
        ensureNotNull(embeddings, "embeddings");
        if (ids.size() != embeddings.size() || (segments != null && segments.size() != embeddings.size())) {
            throw new IllegalArgumentException("ids, embeddings and segments must be lists of one size, were "
                    + ids.size() + ", " + embeddings.size() + " and " + (segments == null ? "none" : segments.size()));
        }
        VectorStore store = writable();
        List<VectorRecord> records = new ArrayList<>(ids.size());
        for (int i = 0; i < ids.size(); i++) {
            TextSegment segment = segments == null ? null : segments.get(i);
            String id = ids.get(i);
            records.add(new VectorRecord(id, embeddings.get(i).vector(), segment == null ? null : segment.text(),
                    segment == null ? Metadata.empty() : portable(id, segment.metadata())));
        }
        store.upsert(records);
    }

    @Override
    public EmbeddingSearchResult<TextSegment> search(EmbeddingSearchRequest request) {
        SearchRequest portable = SearchRequest.of(request.queryEmbedding().vector(), request.maxResults());
        if (request.filter() != null) {
            portable = portable.withFilter(LangChain4jFilters.toPortafilter(request.filter()));
        }
        if (request.query() != null) {
            portable = portable.withText(request.query());
        }
        List<EmbeddingMatch<TextSegment>> matches = new ArrayList<>();
        for (SearchHit hit : target.get().search(portable)) {
            double relevance = RelevanceScore.fromCosineSimilarity(hit.score());
            if (relevance >= request.minScore()) {
                matches.add(new EmbeddingMatch<>(relevance, hit.id(), null, segment(hit)));
            }
        }
        return new EmbeddingSearchResult<>(matches);
    }

    @Override
    public void removeAll(Collection<String> ids) {
        ensureNotEmpty(ids, "ids");
        writable().delete(ids);
    }

    @Override
    public void removeAll(dev.langchain4j.store.embedding.filter.Filter filter) {
        ensureNotNull(filter, "filter");
        Filter portable = LangChain4jFilters.toPortafilter(filter);
        writable().deleteWhere(portable);
    }

    /** Every record of this store (of the tenant, for a scoped store). */
    @Override
    public void removeAll() {
        VectorStore store = writable();
        store.deleteWhere(everyRecord(store));
    }

    private VectorStore writable() {
        VectorStore store = target.get();
        if (!store.capabilities().contains(Capability.WRITE)) {
            throw new UnsupportedCapabilityException(store.backend(), Capability.WRITE,
                    "the store is read-only, so LangChain4j's add and remove cannot change it");
        }
        return store;
    }

    /**
     * A filter every record matches, for {@link #removeAll()}: {@code f exists or f does not}, on a field that a
     * tenant view lets a filter name (any field but the tenant's).
     */
    private Filter everyRecord(VectorStore store) {
        String field = store.schema().fields().stream().map(FieldSpec::name)
                .filter(name -> tenantField.map(t -> !t.equals(name)).orElse(true))
                .findFirst()
                .or(() -> store.schema().allowsUndeclared() ? Optional.of("langchain4j_remove_all") : Optional.empty())
                .orElseThrow(() -> new UnsupportedCapabilityException(store.backend(), Capability.DELETE_WHERE,
                        "removeAll() needs a metadata field besides the tenant field to name every record, and the "
                                + "schema has none"));
        return new Filter.Or(List.of(new Filter.Exists(field, true), new Filter.Exists(field, false)));
    }

    private static Metadata portable(String id, dev.langchain4j.data.document.Metadata metadata) {
        Map<String, MetadataValue> values = new LinkedHashMap<>();
        metadata.toMap().forEach((key, value) -> values.put(key, LangChain4jFilters.portableValue(value)
                .orElseThrow(() -> new InvalidRecordException(id, key, "LangChain4j metadata value " + value
                        + " of type " + value.getClass().getName() + " has no portable form"))));
        return Metadata.of(values);
    }

    private TextSegment segment(SearchHit hit) {
        if (hit.text() == null) {
            return null;
        }
        Map<String, Object> values = new LinkedHashMap<>();
        hit.metadata().asMap().forEach((key, value) -> {
            if (tenantField.map(key::equals).orElse(false)) {
                return;
            }
            if (!(value instanceof ScalarValue scalar) || scalar.kind() == ScalarValue.ValueKind.BOOLEAN) {
                throw new InvalidRecordException(hit.id(), key, "the value " + value + " has no LangChain4j form: "
                        + "LangChain4j metadata holds strings, UUIDs, integers, longs, floats and doubles only");
            }
            values.put(key, scalar.toJava());
        });
        return TextSegment.from(hit.text(), dev.langchain4j.data.document.Metadata.from(values));
    }
}
