package dev.portafilter.core.store;

import dev.portafilter.core.filter.Filter;
import dev.portafilter.core.metadata.MetadataSchema;

import java.util.Collection;
import java.util.List;
import java.util.Set;

/**
 * A store that forwards every call to another; extend it and override what a decorator changes (metrics, logging,
 * waiting for an eventually consistent index). Each overload forwards to the same overload of the delegate: a
 * decorator that changes writes overrides both {@code upsert}s (and both {@code delete}s), not one of them.
 */
public abstract class ForwardingVectorStore implements VectorStore {
    private final VectorStore delegate;

    protected ForwardingVectorStore(VectorStore delegate) {
        this.delegate = delegate;
    }

    protected final VectorStore delegate() {
        return delegate;
    }

    @Override
    public String backend() {
        return delegate.backend();
    }

    @Override
    public MetadataSchema schema() {
        return delegate.schema();
    }

    @Override
    public int dimension() {
        return delegate.dimension();
    }

    @Override
    public Set<Capability> capabilities() {
        return delegate.capabilities();
    }

    @Override
    public void upsert(List<VectorRecord> records) {
        delegate.upsert(records);
    }

    @Override
    public void upsert(List<VectorRecord> records, Filter guard) {
        delegate.upsert(records, guard);
    }

    @Override
    public List<SearchHit> search(SearchRequest request) {
        return delegate.search(request);
    }

    @Override
    public long count() {
        return delegate.count();
    }

    @Override
    public long count(Filter filter) {
        return delegate.count(filter);
    }

    @Override
    public long delete(Collection<String> ids) {
        return delegate.delete(ids);
    }

    @Override
    public long delete(Collection<String> ids, Filter filter) {
        return delegate.delete(ids, filter);
    }

    @Override
    public long deleteWhere(Filter filter) {
        return delegate.deleteWhere(filter);
    }

    /**
     * This decorator when the delegate has no narrower partition; otherwise the delegate's partition, undecorated:
     * override this to wrap it too.
     */
    @Override
    public VectorStore partitionForTenant(String tenantField, String tenantId) {
        VectorStore partition = delegate.partitionForTenant(tenantField, tenantId);
        return partition == delegate ? this : partition;
    }

    @Override
    public void close() {
        delegate.close();
    }
}
