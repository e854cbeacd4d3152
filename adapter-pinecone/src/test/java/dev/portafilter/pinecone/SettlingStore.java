package dev.portafilter.pinecone;

import dev.portafilter.core.filter.Filter;
import dev.portafilter.core.metadata.MetadataSchema;
import dev.portafilter.core.store.Capability;
import dev.portafilter.core.store.SearchHit;
import dev.portafilter.core.store.SearchRequest;
import dev.portafilter.core.store.VectorRecord;
import dev.portafilter.core.store.VectorStore;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Waits after every write until an eventually consistent index has had time to show it to queries, so that the
 * contracts' read-after-write steps hold on a real Pinecone index. Test code only.
 */
final class SettlingStore implements VectorStore {
    private final VectorStore delegate;
    private final Duration settle;

    SettlingStore(VectorStore delegate, Duration settle) {
        this.delegate = delegate;
        this.settle = settle;
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
    public void upsert(List<VectorRecord> records, Optional<Filter> guard) {
        delegate.upsert(records, guard);
        settle();
    }

    @Override
    public List<SearchHit> search(SearchRequest request) {
        return delegate.search(request);
    }

    @Override
    public long count(Optional<Filter> filter) {
        return delegate.count(filter);
    }

    @Override
    public long delete(Collection<String> ids, Optional<Filter> filter) {
        long deleted = delegate.delete(ids, filter);
        settle();
        return deleted;
    }

    @Override
    public long deleteWhere(Filter filter) {
        long deleted = delegate.deleteWhere(filter);
        settle();
        return deleted;
    }

    @Override
    public VectorStore partitionForTenant(String tenantField, String tenantId) {
        return new SettlingStore(delegate.partitionForTenant(tenantField, tenantId), settle);
    }

    @Override
    public void close() {
        delegate.close();
    }

    private void settle() {
        try {
            Thread.sleep(settle.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
