package dev.portafilter.core.store;

import dev.portafilter.core.WriteConflictException;
import dev.portafilter.core.internal.Vectors;
import dev.portafilter.core.filter.Filter;
import dev.portafilter.core.filter.ReferenceEvaluator;
import dev.portafilter.core.metadata.MetadataSchema;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Predicate;

/**
 * The embedded default: exact cosine search over records held in memory, filtered by the reference evaluator.
 * Thread-safe; every batch is all-or-nothing.
 */
public final class InMemoryVectorStore implements VectorStore {
    private static final Comparator<SearchHit> BEST_FIRST =
            Comparator.comparingDouble(SearchHit::score).reversed().thenComparing(SearchHit::id);

    private final MetadataSchema schema;
    private final int dimension;
    private final Map<String, VectorRecord> records = new LinkedHashMap<>();
    private final ReadWriteLock lock = new ReentrantReadWriteLock();

    public InMemoryVectorStore(MetadataSchema schema, int dimension) {
        if (dimension < 1) {
            throw new IllegalArgumentException("dimension must be positive, was " + dimension);
        }
        this.schema = schema;
        this.dimension = dimension;
    }

    @Override
    public String backend() {
        return "memory";
    }

    @Override
    public MetadataSchema schema() {
        return schema;
    }

    @Override
    public int dimension() {
        return dimension;
    }

    @Override
    public Set<Capability> capabilities() {
        return EnumSet.allOf(Capability.class);
    }

    @Override
    public void upsert(List<VectorRecord> batch) {
        write(batch, Optional.empty());
    }

    @Override
    public void upsert(List<VectorRecord> batch, Filter guard) {
        write(batch, Optional.of(Objects.requireNonNull(guard, "guard")));
    }

    private void write(List<VectorRecord> batch, Optional<Filter> guard) {
        List<VectorRecord> valid = Vectors.validateBatch(batch, this);
        Optional<Filter> g = validated(guard);
        lock.writeLock().lock();
        try {
            List<String> conflicts = valid.stream()
                    .map(r -> records.get(r.id()))
                    .filter(existing -> existing != null && !matches(g, existing))
                    .map(VectorRecord::id)
                    .toList();
            if (!conflicts.isEmpty()) {
                throw new WriteConflictException(conflicts);
            }
            valid.forEach(r -> records.put(r.id(), r));
        } finally {
            lock.writeLock().unlock();
        }
    }

    @Override
    public List<SearchHit> search(SearchRequest request) {
        float[] query = Vectors.queryVector(request, dimension);
        Optional<Filter> filter = validated(request.filter());
        List<SearchHit> hits = new ArrayList<>();
        lock.readLock().lock();
        try {
            for (VectorRecord r : records.values()) {
                if (matches(filter, r)) {
                    hits.add(new SearchHit(r.id(), Vectors.cosine(query, r.vector()), r.text(), r.metadata()));
                }
            }
        } finally {
            lock.readLock().unlock();
        }
        hits.sort(BEST_FIRST);
        return List.copyOf(hits.subList(0, Math.min(request.topK(), hits.size())));
    }

    @Override
    public long count() {
        return countMatching(Optional.empty());
    }

    @Override
    public long count(Filter filter) {
        return countMatching(Optional.of(Objects.requireNonNull(filter, "filter")));
    }

    private long countMatching(Optional<Filter> filter) {
        Optional<Filter> f = validated(filter);
        lock.readLock().lock();
        try {
            return records.values().stream().filter(r -> matches(f, r)).count();
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public long delete(Collection<String> ids) {
        return deleteIds(ids, Optional.empty());
    }

    @Override
    public long delete(Collection<String> ids, Filter filter) {
        return deleteIds(ids, Optional.of(Objects.requireNonNull(filter, "filter")));
    }

    private long deleteIds(Collection<String> ids, Optional<Filter> filter) {
        Optional<Filter> f = validated(filter);
        Set<String> wanted = new HashSet<>(ids);
        return removeIf(r -> wanted.contains(r.id()) && matches(f, r));
    }

    @Override
    public long deleteWhere(Filter filter) {
        Optional<Filter> f = validated(Optional.of(Objects.requireNonNull(filter, "filter")));
        return removeIf(r -> matches(f, r));
    }

    private long removeIf(Predicate<VectorRecord> condition) {
        lock.writeLock().lock();
        try {
            int before = records.size();
            records.values().removeIf(condition);
            return before - records.size();
        } finally {
            lock.writeLock().unlock();
        }
    }

    private Optional<Filter> validated(Optional<Filter> filter) {
        filter.ifPresent(schema::validate);
        return filter;
    }

    private static boolean matches(Optional<Filter> filter, VectorRecord r) {
        return filter.map(f -> ReferenceEvaluator.matches(f, r.metadata())).orElse(true);
    }
}
