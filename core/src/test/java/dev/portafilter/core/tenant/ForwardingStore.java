package dev.portafilter.core.tenant;

import dev.portafilter.core.filter.Filter;
import dev.portafilter.core.metadata.MetadataSchema;
import dev.portafilter.core.store.Capability;
import dev.portafilter.core.store.SearchHit;
import dev.portafilter.core.store.SearchRequest;
import dev.portafilter.core.store.VectorRecord;
import dev.portafilter.core.store.VectorStore;

import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Delegates everything; tests override one method to simulate a faulty backend. */
class ForwardingStore implements VectorStore {
    private final VectorStore delegate;

    ForwardingStore(VectorStore delegate) {
        this.delegate = delegate;
    }

    @Override
    public String backend() {
        return "faulty";
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
        return delegate.delete(ids, filter);
    }

    @Override
    public long deleteWhere(Filter filter) {
        return delegate.deleteWhere(filter);
    }
}
