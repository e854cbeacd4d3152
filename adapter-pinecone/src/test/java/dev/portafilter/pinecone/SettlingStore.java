package dev.portafilter.pinecone;

import dev.portafilter.core.filter.Filter;
import dev.portafilter.core.store.ForwardingVectorStore;
import dev.portafilter.core.store.VectorRecord;
import dev.portafilter.core.store.VectorStore;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * Waits after every write until an eventually consistent index has had time to show it to queries, so that the
 * contracts' read-after-write steps hold on a real Pinecone index. Test code only.
 */
final class SettlingStore extends ForwardingVectorStore {
    private final Duration settle;

    SettlingStore(VectorStore delegate, Duration settle) {
        super(delegate);
        this.settle = settle;
    }

    @Override
    public void upsert(List<VectorRecord> records, Optional<Filter> guard) {
        super.upsert(records, guard);
        settle();
    }

    @Override
    public long delete(Collection<String> ids, Optional<Filter> filter) {
        long deleted = super.delete(ids, filter);
        settle();
        return deleted;
    }

    @Override
    public long deleteWhere(Filter filter) {
        long deleted = super.deleteWhere(filter);
        settle();
        return deleted;
    }

    @Override
    public VectorStore partitionForTenant(String tenantField, String tenantId) {
        return new SettlingStore(super.partitionForTenant(tenantField, tenantId), settle);
    }

    private void settle() {
        try {
            Thread.sleep(settle.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
