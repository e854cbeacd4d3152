package dev.portafilter.core.tenant;

import dev.portafilter.core.InvalidSchemaException;
import dev.portafilter.core.TenantIsolationException;
import dev.portafilter.core.WriteConflictException;
import dev.portafilter.core.filter.Filter;
import dev.portafilter.core.filter.FilterVisitor;
import dev.portafilter.core.metadata.FieldSpec;
import dev.portafilter.core.metadata.FieldType;
import dev.portafilter.core.metadata.MetadataValue;
import dev.portafilter.core.metadata.StringValue;
import dev.portafilter.core.store.Capability;
import dev.portafilter.core.store.SearchHit;
import dev.portafilter.core.store.SearchRequest;
import dev.portafilter.core.store.VectorRecord;
import dev.portafilter.core.store.VectorStore;
import dev.portafilter.core.metadata.MetadataSchema;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Turns a store and its tenant field into per-tenant views. Through a view every search, count and delete is
 * ANDed with {@code tenantField $eq tenantId} before it reaches the store, a filter that names the tenant field
 * (or a look-alike of it) is rejected, upserts are stamped with the tenant, and nothing leads back to the
 * unscoped store.
 *
 * <pre>{@code
 * TenantScope scope = TenantScope.of(store, "customer");
 * VectorStore customerA = scope.forTenant("CustomerA");
 * customerA.search(queryVector, 5, Filters.eq("documentType", "case-report"));
 * }</pre>
 */
public final class TenantScope {
    private final VectorStore store;
    private final String tenantField;

    private TenantScope(VectorStore store, String tenantField) {
        this.store = store;
        this.tenantField = tenantField;
    }

    /**
     * The tenant field must be declared in the store's schema as a required STRING, else an
     * {@link InvalidSchemaException} naming it.
     */
    public static TenantScope of(VectorStore store, String tenantField) {
        FieldSpec spec = store.schema().field(tenantField).orElseThrow(() -> new InvalidSchemaException(
                tenantField, "the tenant field is not declared in the schema"));
        if (spec.type() != FieldType.STRING || !spec.required()) {
            throw new InvalidSchemaException(tenantField, "the tenant field must be a required STRING field, is "
                    + (spec.required() ? "required " : "optional ") + spec.type());
        }
        return new TenantScope(store, tenantField);
    }

    public String tenantField() {
        return tenantField;
    }

    /** A view that sees, counts, writes and deletes only this tenant's records. */
    public VectorStore forTenant(String tenantId) {
        if (tenantId == null || tenantId.isEmpty()) {
            throw new IllegalArgumentException("a tenant id must be a non-empty string");
        }
        return new TenantView(store.partitionForTenant(tenantField, tenantId), tenantField, tenantId);
    }

    /** Folds case, compatibility forms, whitespace and invisible characters, to catch look-alike field names. */
    static String fold(String name) {
        String n = Normalizer.normalize(name, Normalizer.Form.NFKC);
        StringBuilder out = new StringBuilder(n.length());
        n.codePoints()
                .filter(cp -> !Character.isWhitespace(cp) && !Character.isSpaceChar(cp)
                        && Character.getType(cp) != Character.FORMAT)
                .forEach(out::appendCodePoint);
        return out.toString().toLowerCase(Locale.ROOT);
    }

    private static final class TenantView implements VectorStore {
        private final VectorStore partition;
        private final String tenantField;
        private final String foldedTenantField;
        private final String tenantId;
        private final Filter tenantFilter;

        TenantView(VectorStore partition, String tenantField, String tenantId) {
            this.partition = partition;
            this.tenantField = tenantField;
            this.foldedTenantField = fold(tenantField);
            this.tenantId = tenantId;
            this.tenantFilter = new Filter.Eq(tenantField, new StringValue(tenantId));
        }

        @Override
        public String backend() {
            return partition.backend();
        }

        @Override
        public MetadataSchema schema() {
            return partition.schema();
        }

        @Override
        public int dimension() {
            return partition.dimension();
        }

        @Override
        public Set<Capability> capabilities() {
            return partition.capabilities();
        }

        @Override
        public void upsert(List<VectorRecord> records) {
            write(records, Optional.empty());
        }

        @Override
        public void upsert(List<VectorRecord> records, Filter guard) {
            write(records, Optional.of(Objects.requireNonNull(guard, "guard")));
        }

        /** Stamps the records with the tenant and writes them guarded by the tenant filter (and the guard, if any). */
        private void write(List<VectorRecord> records, Optional<Filter> guard) {
            StringValue stamp = new StringValue(tenantId);
            List<VectorRecord> stamped = new ArrayList<>(records.size());
            for (VectorRecord r : records) {
                Optional<MetadataValue> carried = r.metadata().get(tenantField);
                if (carried.isPresent() && !carried.get().equals(stamp)) {
                    throw new TenantIsolationException("record '" + r.id() + "' carries " + tenantField + "="
                            + carried.get() + ", but this view writes only for tenant '" + tenantId
                            + "'; nothing was written");
                }
                stamped.add(r.withMetadata(r.metadata().with(tenantField, stamp)));
            }
            try {
                partition.upsert(stamped, scoped(guard));
            } catch (WriteConflictException e) {
                throw new TenantIsolationException("ids " + e.conflictingIds() + " belong to records outside tenant '"
                        + tenantId + "' (or outside the guard); nothing was written");
            }
        }

        @Override
        public List<SearchHit> search(SearchRequest request) {
            List<SearchHit> hits = partition.search(request.withFilter(scoped(request.filter())));
            for (SearchHit hit : hits) {
                // Defense in depth: a backend bug must surface as an error, never as another tenant's record.
                if (!hit.metadata().get(tenantField).map(new StringValue(tenantId)::equals).orElse(false)) {
                    throw new TenantIsolationException("backend " + partition.backend() + " returned record '"
                            + hit.id() + "' outside tenant '" + tenantId + "'; no results were returned");
                }
            }
            return hits;
        }

        @Override
        public long count() {
            return partition.count(tenantFilter);
        }

        @Override
        public long count(Filter filter) {
            return partition.count(scoped(filter));
        }

        @Override
        public long delete(Collection<String> ids) {
            return partition.delete(ids, tenantFilter);
        }

        @Override
        public long delete(Collection<String> ids, Filter filter) {
            return partition.delete(ids, scoped(filter));
        }

        @Override
        public long deleteWhere(Filter filter) {
            return partition.deleteWhere(scoped(filter));
        }

        @Override
        public VectorStore partitionForTenant(String field, String id) {
            if (field.equals(tenantField) && id.equals(tenantId)) {
                return this;
            }
            throw new TenantIsolationException("a view of tenant '" + tenantId + "' cannot be narrowed to another tenant");
        }

        /** The tenant filter, ANDed with the caller's filter when there is one. */
        private Filter scoped(Optional<Filter> filter) {
            return filter.map(this::scoped).orElse(tenantFilter);
        }

        /** The tenant filter ANDed with the caller's filter, which must not name the tenant field. */
        private Filter scoped(Filter f) {
            Objects.requireNonNull(f, "filter");
            partition.schema().validate(f);
            f.accept(new FieldNames(this::checkField));
            return new Filter.And(List.of(tenantFilter, f));
        }

        private void checkField(String field) {
            if (fold(field).equals(foldedTenantField)) {
                throw new TenantIsolationException("a filter through a tenant view may not name the tenant field '"
                        + tenantField + "' (found '" + field + "'); the view already restricts to tenant '"
                        + tenantId + "'");
            }
        }
    }

    /** Calls back with every field name a filter mentions. */
    private record FieldNames(Consumer<String> sink) implements FilterVisitor<Void> {
        @Override
        public Void eq(Filter.Eq eq) {
            sink.accept(eq.field());
            return null;
        }

        @Override
        public Void ne(Filter.Ne ne) {
            sink.accept(ne.field());
            return null;
        }

        @Override
        public Void range(Filter.Range range) {
            sink.accept(range.field());
            return null;
        }

        @Override
        public Void in(Filter.In in) {
            sink.accept(in.field());
            return null;
        }

        @Override
        public Void nin(Filter.Nin nin) {
            sink.accept(nin.field());
            return null;
        }

        @Override
        public Void exists(Filter.Exists exists) {
            sink.accept(exists.field());
            return null;
        }

        @Override
        public Void and(Filter.And and) {
            and.filters().forEach(f -> f.accept(this));
            return null;
        }

        @Override
        public Void or(Filter.Or or) {
            or.filters().forEach(f -> f.accept(this));
            return null;
        }

        @Override
        public Void not(Filter.Not not) {
            return not.filter().accept(this);
        }
    }
}
