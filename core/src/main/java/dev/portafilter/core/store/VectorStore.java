package dev.portafilter.core.store;

import dev.portafilter.core.filter.Filter;
import dev.portafilter.core.metadata.MetadataSchema;

import java.util.Collection;
import java.util.List;
import java.util.Set;

/**
 * The store API that every backend implements. Filters mean exactly what {@code docs/semantics.md} says on
 * every implementation; the conformance suite proves it.
 *
 * <p>Implementations validate every filter against {@link #schema()} and every record with
 * {@link MetadataSchema#validateRecord} before anything reaches the backend.
 */
public interface VectorStore extends AutoCloseable {

    /** A short backend name for messages and reports, e.g. {@code pgvector}. */
    String backend();

    MetadataSchema schema();

    /** The vector dimension this store holds. */
    int dimension();

    /** Optional operations this store offers. */
    Set<Capability> capabilities();

    /**
     * Inserts or replaces records by id. The whole batch is validated first; a batch is all-or-nothing where
     * the backend allows it (see the adapter's documentation where it does not).
     */
    void upsert(List<VectorRecord> records);

    /**
     * Inserts or replaces records by id, as {@link #upsert(List)}, but an existing record is replaced only if it
     * matches the guard; if any does not, the call throws {@link dev.portafilter.core.WriteConflictException} and
     * writes nothing. Tenant views use this so that a write can never overwrite another tenant's record that
     * happens to share an id.
     *
     * @throws NullPointerException without a guard (use {@link #upsert(List)})
     */
    void upsert(List<VectorRecord> records, Filter guard);

    /** Top-k by cosine similarity, best first, among the records the request's filter matches. */
    List<SearchHit> search(SearchRequest request);

    /** How many records the store holds. */
    long count();

    /**
     * How many records match the filter.
     *
     * @throws NullPointerException without a filter (use {@link #count()})
     */
    long count(Filter filter);

    /** Deletes the records with these ids; returns how many were deleted. */
    long delete(Collection<String> ids);

    /**
     * Deletes the records with these ids that also match the filter; returns how many were deleted.
     *
     * @throws NullPointerException without a filter (use {@link #delete(Collection)})
     */
    long delete(Collection<String> ids, Filter filter);

    /** Deletes every record the filter matches; returns how many were deleted. */
    long deleteWhere(Filter filter);

    /**
     * The physical partition for one tenant, for backends that isolate tenants below the filter too
     * (Pinecone namespaces, PostgreSQL row-level security, OpenSearch routing). {@link
     * dev.portafilter.core.tenant.TenantScope} calls it and still ANDs the tenant filter onto everything.
     * The default is this store itself.
     */
    default VectorStore partitionForTenant(String tenantField, String tenantId) {
        return this;
    }

    default List<SearchHit> search(float[] vector, int topK) {
        return search(SearchRequest.of(vector, topK));
    }

    default List<SearchHit> search(float[] vector, int topK, Filter filter) {
        return search(SearchRequest.of(vector, topK, filter));
    }

    /** Releases connections; never deletes data. */
    @Override
    default void close() {
    }
}
