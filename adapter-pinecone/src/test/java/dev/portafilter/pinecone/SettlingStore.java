package dev.portafilter.pinecone;

import dev.portafilter.conformance.Poll;
import dev.portafilter.core.filter.Filter;
import dev.portafilter.core.store.ForwardingVectorStore;
import dev.portafilter.core.store.SearchHit;
import dev.portafilter.core.store.SearchRequest;
import dev.portafilter.core.store.VectorRecord;
import dev.portafilter.core.store.VectorStore;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Waits after every write until an eventually consistent index shows it to queries, so that the contracts'
 * read-after-write steps hold on a real Pinecone index: polls with searches until the written records come back
 * as written, or the deleted ones no longer do, for at most the timeout. A write still not visible then is left for
 * the test's own assertions to report. Test code only.
 */
final class SettlingStore extends ForwardingVectorStore {
    private final Duration timeout;

    SettlingStore(VectorStore delegate, Duration timeout) {
        super(delegate);
        this.timeout = timeout;
    }

    @Override
    public void upsert(List<VectorRecord> records) {
        super.upsert(records);
        awaitWritten(records);
    }

    @Override
    public void upsert(List<VectorRecord> records, Filter guard) {
        super.upsert(records, guard);
        awaitWritten(records);
    }

    @Override
    public long delete(Collection<String> ids) {
        return awaitDeleted(ids, Optional.empty(), super.delete(ids));
    }

    @Override
    public long delete(Collection<String> ids, Filter filter) {
        return awaitDeleted(ids, Optional.of(filter), super.delete(ids, filter));
    }

    @Override
    public long deleteWhere(Filter filter) {
        long deleted = super.deleteWhere(filter);
        if (deleted > 0) {
            Poll.until(timeout, () -> delegate().search(everything(Optional.of(filter))).isEmpty());
        }
        return deleted;
    }

    @Override
    public VectorStore partitionForTenant(String tenantField, String tenantId) {
        return new SettlingStore(super.partitionForTenant(tenantField, tenantId), timeout);
    }

    private void awaitWritten(List<VectorRecord> records) {
        if (!records.isEmpty()) {
            Poll.until(timeout, () -> {
                List<SearchHit> all = everything();
                return records.stream().allMatch(r -> shows(all, r));
            });
        }
    }

    /** Waits until searches no longer return the deleted records; returns how many were deleted. */
    private long awaitDeleted(Collection<String> ids, Optional<Filter> filter, long deleted) {
        if (deleted > 0) {
            Set<String> wanted = Set.copyOf(ids);
            Poll.until(timeout, () -> everything().stream().noneMatch(h -> wanted.contains(h.id())
                    && filter.map(f -> f.test(h.metadata())).orElse(true)));
        }
        return deleted;
    }

    /** Every record the store's searches return now. */
    private List<SearchHit> everything() {
        return delegate().search(everything(Optional.empty()));
    }

    /** A search for as many records as Pinecone returns, with the filter. */
    private SearchRequest everything(Optional<Filter> filter) {
        float[] query = new float[dimension()];
        query[0] = 1;
        SearchRequest all = SearchRequest.of(query, PineconeLimits.MAX_TOP_K);
        return filter.map(all::withFilter).orElse(all);
    }

    /** Whether the hits hold the record, and no other version of it, as searches return what was written. */
    private boolean shows(List<SearchHit> hits, VectorRecord written) {
        List<SearchHit> copies = hits.stream().filter(h -> h.id().equals(written.id())).toList();
        return !copies.isEmpty() && copies.stream().allMatch(h -> Objects.equals(h.text(), written.text())
                && h.metadata().equals(schema().validateRecord(written.id(), written.metadata())));
    }
}
