package dev.portafilter.pinecone;

import com.google.protobuf.Struct;
import dev.portafilter.core.internal.Durations;
import dev.portafilter.core.InvalidSchemaException;
import dev.portafilter.core.StoreException;
import dev.portafilter.core.StoreTimeoutException;
import dev.portafilter.core.UnsupportedCapabilityException;
import dev.portafilter.core.WriteConflictException;
import dev.portafilter.core.filter.Filter;
import dev.portafilter.core.metadata.FieldSpec;
import dev.portafilter.core.metadata.FieldType;
import dev.portafilter.core.metadata.MetadataSchema;
import dev.portafilter.core.store.Capability;
import dev.portafilter.core.store.SearchHit;
import dev.portafilter.core.store.SearchRequest;
import dev.portafilter.core.store.VectorRecord;
import dev.portafilter.core.store.VectorStore;
import dev.portafilter.core.internal.Failures;
import dev.portafilter.core.internal.Vectors;
import io.pinecone.clients.Index;
import io.pinecone.proto.DescribeIndexStatsResponse;
import io.pinecone.proto.NamespaceSummary;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.pinecone.proto.Vector;
import io.pinecone.unsigned_indices_model.ScoredVectorWithUnsignedIndices;
import io.pinecone.unsigned_indices_model.VectorWithUnsignedIndices;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * A {@link VectorStore} on a Pinecone index (cosine metric), through the official Java client's {@link Index}.
 *
 * <p><b>Tenants.</b> Built with {@link Builder#namespacePerTenant}, every record is written to the namespace of its
 * tenant ({@code <prefix>.<tenant id>}, see {@link NamespaceLayout}), Pinecone's recommended isolation.
 * {@link #partitionForTenant} returns a store bound to that one namespace, which never names another; a
 * {@link dev.portafilter.core.tenant.TenantScope} view uses it and also ANDs the tenant filter onto everything. The
 * unscoped store reads every namespace of its prefix (those the index reports plus those this process wrote) and
 * merges their top-k; it costs one request per namespace, so serve tenants through their partitions.
 *
 * <p><b>Identity.</b> Unscoped, ids are unique across namespaces: an upsert first fetches its ids from every
 * namespace and, when a record moves to another tenant, deletes the old copy after writing the new one (when that
 * delete fails, {@code failedIds()} names the moved records whose old copy may remain: repeating the upsert removes
 * it). A tenant partition sees only its own namespace, so it cannot know that another tenant uses the same id: its write then
 * creates the tenant's own record and never touches the other (the unscoped store would show both).
 *
 * <p><b>Filters.</b> Search, count and deleteWhere filters are evaluated by Pinecone after
 * {@link PineconeFilterTranslator}; the filters of {@code delete(ids, filter)} and of upsert guards are evaluated on
 * the fetched records by the reference evaluator (Pinecone cannot filter a fetch by id).
 *
 * <p><b>Capabilities.</b> DELETE_WHERE and WRITE, not COUNT: serverless indexes do not filter index statistics, and
 * a query returns at most 10,000 ids (Pinecone's max {@code top_k}), so Pinecone cannot count the records a filter
 * matches in general; a filtered count throws {@link UnsupportedCapabilityException}. An unfiltered {@code count()}
 * sums the namespace record counts from {@code describe_index_stats}. deleteWhere queries the matching ids and
 * deletes them by id, 10,000 at a time until none match, which also yields the exact number deleted (Pinecone's
 * delete-by-filter reports none).
 *
 * <p><b>Scores.</b> On a cosine index Pinecone's score is the cosine similarity itself, in [-1, 1]; it is returned
 * unchanged. {@link Builder#build} refuses an index whose reported metric is not cosine.
 *
 * <p><b>Writes are not atomic.</b> A batch is validated entirely first (schema, ids, numbers, metadata size) and then
 * sent in requests within Pinecone's limits (1,000 records, 2 MB), per namespace. If a request still fails after
 * the retries, the {@link StoreException} lists the ids of that request and of every later one as not written;
 * earlier requests stay written. When the look-up before the write fails (the fetch of a guarded upsert, as every
 * tenant view's is, or of an unscoped one across namespaces), it lists the whole batch: nothing was sent. The guard
 * check (fetch, then write) is not atomic either: a concurrent writer can change a record between the two.
 *
 * <p><b>Timeouts.</b> Each attempt of each call has the gRPC deadline {@link Builder#callTimeout} (default 10 s),
 * retried by the {@link RetryPolicy}; when the last attempt misses it the call throws
 * {@link dev.portafilter.core.StoreTimeoutException}. A query is answered whole or fails: a connection cut
 * mid-answer is {@code UNAVAILABLE}, never a shorter list.
 *
 * <p><b>Consistency.</b> Pinecone is eventually consistent: a serverless index may take a moment before a write is
 * visible to queries and statistics.
 *
 * <p>The store does not own the {@link Index}: {@link #close()} does nothing, close the index yourself.
 */
public final class PineconeStore implements VectorStore {
    public static final String DEFAULT_TEXT_KEY = "_text";
    /** Default {@link Builder#callTimeout}: well above a 2 MB upsert or a 10,000-match query on a busy index. */
    public static final Duration DEFAULT_CALL_TIMEOUT = Duration.ofSeconds(10);
    /** Above this top-k, metadata is fetched for the final hits only, to stay under Pinecone's 4 MB query result. */
    static final int INLINE_METADATA_MAX_TOP_K = 50;
    private static final Comparator<Match> BEST_FIRST =
            Comparator.comparingDouble(Match::score).reversed().thenComparing(Match::id).thenComparing(Match::namespace);

    /** The configuration this store was built from, for its partitions. */
    private final Builder builder;
    private final Index index;
    private final MetadataSchema schema;
    private final int dimension;
    private final NamespaceLayout layout;
    private final RetryPolicy retry;
    private final Duration callTimeout;
    private final PineconeFilterTranslator translator;
    private final RecordCodec codec;
    /** Namespaces this store and its partitions wrote to, shared with them. */
    private final Set<String> written;
    /** A query vector for filter-only queries (count, deleteWhere): any vector works when top-k covers every match. */
    private final List<Float> probe;

    private PineconeStore(Builder b, NamespaceLayout layout, Set<String> written) {
        this.builder = b;
        this.index = b.index;
        this.schema = b.schema;
        this.dimension = b.dimension;
        this.layout = layout;
        this.retry = b.retry;
        this.callTimeout = b.callTimeout;
        this.translator = new PineconeFilterTranslator(b.schema);
        this.codec = new RecordCodec(b.schema, b.textKey);
        this.written = written;
        List<Float> unit = new ArrayList<>(dimension);
        for (int i = 0; i < dimension; i++) {
            unit.add(i == 0 ? 1f : 0f);
        }
        this.probe = List.copyOf(unit);
    }

    /** A store on this index: the schema of its metadata and the index's dimension. */
    public static Builder builder(Index index, MetadataSchema schema, int dimension) {
        return new Builder(index, schema, dimension);
    }

    @Override
    public String backend() {
        return PineconeFilterTranslator.BACKEND;
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
        return EnumSet.of(Capability.DELETE_WHERE, Capability.WRITE);
    }

    /** The translator this store uses, e.g. to show the Pinecone filter a portable filter becomes. */
    public PineconeFilterTranslator translator() {
        return translator;
    }

    @Override
    public void upsert(List<VectorRecord> records) {
        upsertBatch(records, Optional.empty());
    }

    @Override
    public void upsert(List<VectorRecord> records, Filter guard) {
        upsertBatch(records, Optional.of(Objects.requireNonNull(guard, "guard")));
    }

    private void upsertBatch(List<VectorRecord> records, Optional<Filter> guard) {
        List<VectorRecord> valid = Vectors.validateBatch(records, this);
        guard.ifPresent(schema::validate);
        if (valid.isEmpty()) {
            return;
        }
        Map<String, List<VectorWithUnsignedIndices>> byNamespace = new LinkedHashMap<>();
        Map<String, String> target = new LinkedHashMap<>();
        for (VectorRecord r : valid) {
            String namespace = layout.namespaceFor(r);
            Struct metadata = codec.encode(r);
            target.put(r.id(), namespace);
            byNamespace.computeIfAbsent(namespace, n -> new ArrayList<>())
                    .add(new VectorWithUnsignedIndices(r.id(), floats(r.vector()), metadata, null));
        }
        // Existing copies matter to a guard, and, across namespaces, to records that change tenant.
        Map<String, Map<String, Struct>> existing = guard.isPresent() || layout.spansNamespaces()
                ? existingCopies(List.copyOf(target.keySet())) : Map.of();
        if (guard.isPresent()) {
            Set<String> conflicts = new LinkedHashSet<>();
            existing.forEach((namespace, found) -> found.forEach((id, metadata) -> {
                if (!guard.get().test(codec.decode(id, metadata))) {
                    conflicts.add(id);
                }
            }));
            if (!conflicts.isEmpty()) {
                throw new WriteConflictException(List.copyOf(conflicts));
            }
        }
        write(byNamespace);
        Map<String, List<String>> stale = new LinkedHashMap<>();
        existing.forEach((namespace, found) -> found.keySet().stream()
                .filter(id -> !target.get(id).equals(namespace))
                .forEach(id -> stale.computeIfAbsent(namespace, n -> new ArrayList<>()).add(id)));
        // a record whose old copy may remain is under two tenants until the call is repeated: name it, and every
        // record whose old copy was not deleted yet
        List<String> moving = new ArrayList<>();
        stale.values().forEach(moving::addAll);
        int deleted = 0;
        for (Map.Entry<String, List<String>> e : stale.entrySet()) {
            try {
                deleteIds(e.getKey(), e.getValue());
            } catch (StoreException failure) {
                throw Failures.naming(failure, "the batch was written, but the previous copies of " + e.getValue()
                        + " in namespace '" + e.getKey() + "' (their former tenant) could not be deleted; repeat the "
                        + "upsert of the records named", moving.subList(deleted, moving.size()));
            }
            deleted += e.getValue().size();
        }
    }

    @Override
    public List<SearchHit> search(SearchRequest request) {
        float[] query = Vectors.queryVector(request, dimension);
        int k = request.topK();
        if (k > PineconeLimits.MAX_TOP_K) {
            throw new IllegalArgumentException("topK " + k + " exceeds Pinecone's limit of " + PineconeLimits.MAX_TOP_K);
        }
        Struct filter = request.filter().map(translator::translate).orElse(null);
        boolean inline = k <= INLINE_METADATA_MAX_TOP_K;
        List<Float> vector = floats(query);
        List<Match> matches = new ArrayList<>();
        for (String namespace : readNamespaces()) {
            call("query", List.of(), () -> orIfNamespaceMissing(
                            () -> index.query(k, vector, null, null, null, namespace, filter, false, inline).getMatchesList(),
                            List.<ScoredVectorWithUnsignedIndices>of()))
                    .forEach(m -> matches.add(new Match(namespace, m.getId(), m.getScore(), m.getMetadata())));
        }
        matches.sort(BEST_FIRST);
        List<Match> best = matches.subList(0, Math.min(k, matches.size()));
        if (!inline) {
            best = withMetadata(best);
        }
        return best.stream()
                .map(m -> new SearchHit(m.id(), m.score(), codec.text(m.metadata()), codec.decode(m.id(), m.metadata())))
                .toList();
    }

    @Override
    public long count() {
        DescribeIndexStatsResponse stats = stats();
        Map<String, NamespaceSummary> counts = stats.getNamespacesMap();
        return layout.namespaces(counts.keySet(), written).stream().mapToLong(n -> vectorCount(counts, n)).sum();
    }

    /** Validates the filter, then refuses: see {@link #capabilities()}. */
    @Override
    public long count(Filter filter) {
        schema.validate(Objects.requireNonNull(filter, "filter"));
        throw new UnsupportedCapabilityException(backend(), Capability.COUNT, "Pinecone counts filtered records "
                + "only up to a query's top_k of " + PineconeLimits.MAX_TOP_K + ", and serverless indexes do not filter "
                + "index statistics; count() without a filter works");
    }

    @Override
    public long delete(Collection<String> ids) {
        return deleteByIds(ids, Optional.empty());
    }

    @Override
    public long delete(Collection<String> ids, Filter filter) {
        return deleteByIds(ids, Optional.of(Objects.requireNonNull(filter, "filter")));
    }

    private long deleteByIds(Collection<String> ids, Optional<Filter> filter) {
        filter.ifPresent(schema::validate);
        // An id Pinecone cannot store cannot be there.
        Set<String> wanted = new LinkedHashSet<>();
        ids.stream().filter(id -> !id.isEmpty() && PineconeLimits.idProblem(id) == null).forEach(wanted::add);
        if (wanted.isEmpty()) {
            return 0;
        }
        long total = 0;
        try {
            for (Map.Entry<String, Map<String, Struct>> e : fetch(wanted, readNamespaces()).entrySet()) {
                List<String> doomed = e.getValue().entrySet().stream()
                        .filter(r -> filter.map(f -> f.test(codec.decode(r.getKey(), r.getValue()))).orElse(true))
                        .map(Map.Entry::getKey)
                        .toList();
                deleteIds(e.getKey(), doomed);
                total += doomed.size();
            }
        } catch (StoreException e) {
            // deleting them again converges
            throw Failures.naming(e, "the ids given may or may not be deleted", List.copyOf(wanted));
        }
        return total;
    }

    @Override
    public long deleteWhere(Filter filter) {
        Struct f = translator.translate(filter);
        long total = 0;
        for (String namespace : readNamespaces()) {
            // Repeat while a full page came back: more than top_k records may match.
            Set<String> deleted = new HashSet<>();
            while (true) {
                List<String> ids = matchingIds(namespace, f);
                List<String> fresh = ids.stream().filter(id -> !deleted.contains(id)).toList();
                if (fresh.isEmpty()) {
                    break;
                }
                deleteIds(namespace, fresh);
                deleted.addAll(fresh);
                if (ids.size() < PineconeLimits.MAX_TOP_K) {
                    break;
                }
            }
            total += deleted.size();
        }
        return total;
    }

    @Override
    public VectorStore partitionForTenant(String tenantField, String tenantId) {
        return layout.partition(tenantField, tenantId)
                .<VectorStore>map(p -> p.equals(layout) ? this : new PineconeStore(builder, p, written))
                .orElse(this);
    }

    /**
     * Deletes every namespace this store reads (for a tenant partition: its one namespace), with all their records.
     * For scratch stores, such as an audit's; it never touches namespaces outside this store's layout.
     */
    public void dropNamespaces() {
        for (String namespace : readNamespaces()) {
            call("delete_all", List.of(), () -> orIfNamespaceMissing(() -> index.deleteAll(namespace), null));
        }
    }

    /**
     * The namespace that {@link Builder#namespacePerTenant} with this prefix gives the records of a tenant, for tools
     * that read an index written by such a store.
     */
    public static String tenantNamespace(String prefix, String tenantId) {
        return new NamespaceLayout.PerTenant("tenant", prefix).namespaceOf(tenantId);
    }

    /**
     * The tenant whose records {@link Builder#namespacePerTenant} with this prefix keeps in this namespace, or empty
     * when it is no such namespace: the inverse of {@link #tenantNamespace}.
     */
    public static Optional<String> tenantOfNamespace(String prefix, String namespace) {
        return new NamespaceLayout.PerTenant("tenant", prefix).tenantOf(namespace);
    }

    /** Does nothing: the caller owns the {@link Index}. */
    @Override
    public void close() {
    }

    // ---- Pinecone calls ----

    /** One call with the store's retries, each attempt under the store's call timeout. */
    private <T> T call(String what, List<String> notWritten, Supplier<T> call) {
        return retry.call(what, notWritten, callTimeout, call);
    }

    private List<String> readNamespaces() {
        if (!layout.spansNamespaces()) {
            return layout.namespaces(List.of(), List.of());
        }
        return layout.namespaces(stats().getNamespacesMap().keySet(), written);
    }

    private DescribeIndexStatsResponse stats() {
        return call("describe_index_stats", List.of(), index::describeIndexStats);
    }

    /** The default namespace is reported as "" or, from API version 2025-04, as "__default__". */
    private static long vectorCount(Map<String, NamespaceSummary> counts, String namespace) {
        NamespaceSummary summary = counts.get(namespace);
        if (summary == null && (namespace.isEmpty() || namespace.equals("__default__"))) {
            summary = counts.get(namespace.isEmpty() ? "__default__" : "");
        }
        return summary == null ? 0 : summary.getVectorCount();
    }

    /** Sends the records in requests within Pinecone's per-request limits. */
    private void write(Map<String, List<VectorWithUnsignedIndices>> byNamespace) {
        List<String> pending = new ArrayList<>();
        byNamespace.values().forEach(vs -> vs.forEach(v -> pending.add(v.getId())));
        int sent = 0;
        for (Map.Entry<String, List<VectorWithUnsignedIndices>> e : byNamespace.entrySet()) {
            String namespace = e.getKey();
            for (List<VectorWithUnsignedIndices> request : requests(e.getValue())) {
                List<String> notWritten = List.copyOf(pending.subList(sent, pending.size()));
                written.add(namespace);
                call("upsert of " + request.size() + " records into namespace '" + namespace + "' ("
                        + sent + " of " + pending.size() + " records were written before it)", notWritten,
                        () -> index.upsert(request, namespace));
                sent += request.size();
            }
        }
    }

    private List<List<VectorWithUnsignedIndices>> requests(List<VectorWithUnsignedIndices> vectors) {
        List<List<VectorWithUnsignedIndices>> out = new ArrayList<>();
        List<VectorWithUnsignedIndices> current = new ArrayList<>();
        long bytes = 0;
        for (VectorWithUnsignedIndices v : vectors) {
            // id, packed floats and metadata, plus field tags and length prefixes
            long size = v.getId().length() + 4L * dimension + v.getMetadata().getSerializedSize() + 32;
            if (!current.isEmpty() && (current.size() == PineconeLimits.MAX_UPSERT_RECORDS
                    || bytes + size > PineconeLimits.MAX_UPSERT_BYTES)) {
                out.add(current);
                current = new ArrayList<>();
                bytes = 0;
            }
            current.add(v);
            bytes += size;
        }
        out.add(current);
        return out;
    }

    /**
     * The stored copies of a batch's records, before it is written; a failure names the whole batch in
     * {@code failedIds()}: none of it was sent (a tenant view's upsert is guarded, so it always looks first).
     */
    private Map<String, Map<String, Struct>> existingCopies(List<String> ids) {
        try {
            return fetch(ids, readNamespaces());
        } catch (StoreException e) {
            throw Failures.naming(e, "nothing of the batch was written", ids);
        }
    }

    /** The stored metadata of those ids that exist, per namespace. */
    private Map<String, Map<String, Struct>> fetch(Collection<String> ids, List<String> namespaces) {
        Map<String, Map<String, Struct>> out = new LinkedHashMap<>();
        for (String namespace : namespaces) {
            for (List<String> chunk : chunks(List.copyOf(ids))) {
                call("fetch", List.of(), () -> orIfNamespaceMissing(
                                () -> index.fetch(chunk, namespace).getVectorsMap(), Map.<String, Vector>of()))
                        .forEach((id, v) -> out.computeIfAbsent(namespace, n -> new LinkedHashMap<>())
                                .put(id, v.getMetadata()));
            }
        }
        return out;
    }

    private void deleteIds(String namespace, List<String> ids) {
        for (List<String> chunk : chunks(ids)) {
            call("delete", List.of(), () -> orIfNamespaceMissing(() -> index.deleteByIds(chunk, namespace), null));
        }
    }

    private List<String> matchingIds(String namespace, Struct filter) {
        return call("query", List.of(), () -> orIfNamespaceMissing(() -> index.query(PineconeLimits.MAX_TOP_K,
                        probe, null, null, null, namespace, filter, false, false).getMatchesList(),
                        List.<ScoredVectorWithUnsignedIndices>of()))
                .stream().map(ScoredVectorWithUnsignedIndices::getId).toList();
    }

    /** A namespace that does not exist (yet, or any more) holds no records; Pinecone answers NOT_FOUND for it. */
    private static <T> T orIfNamespaceMissing(Supplier<T> call, T empty) {
        try {
            return call.get();
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
                return empty;
            }
            throw e;
        }
    }

    /** The hits with their metadata, fetched by id; a record deleted in between is left out. */
    private List<Match> withMetadata(List<Match> hits) {
        Map<String, List<String>> idsByNamespace = new LinkedHashMap<>();
        hits.forEach(h -> idsByNamespace.computeIfAbsent(h.namespace(), n -> new ArrayList<>()).add(h.id()));
        Map<String, Map<String, Struct>> found = new LinkedHashMap<>();
        idsByNamespace.forEach((namespace, ids) -> found.putAll(fetch(ids, List.of(namespace))));
        List<Match> out = new ArrayList<>(hits.size());
        for (Match h : hits) {
            Struct metadata = found.getOrDefault(h.namespace(), Map.of()).get(h.id());
            if (metadata != null) {
                out.add(new Match(h.namespace(), h.id(), h.score(), metadata));
            }
        }
        return out;
    }

    private static List<List<String>> chunks(List<String> ids) {
        List<List<String>> out = new ArrayList<>();
        for (int i = 0; i < ids.size(); i += PineconeLimits.MAX_IDS_PER_REQUEST) {
            out.add(ids.subList(i, Math.min(ids.size(), i + PineconeLimits.MAX_IDS_PER_REQUEST)));
        }
        return out;
    }

    private static List<Float> floats(float[] vector) {
        List<Float> out = new ArrayList<>(vector.length);
        for (float f : vector) {
            out.add(f);
        }
        return out;
    }

    private record Match(String namespace, String id, double score, Struct metadata) {
    }

    /** Configures a {@link PineconeStore}; {@link #build()} checks the index's dimension and metric. */
    public static final class Builder {
        private final Index index;
        private final MetadataSchema schema;
        private final int dimension;
        private NamespaceLayout layout = new NamespaceLayout.Single("");
        private String textKey = DEFAULT_TEXT_KEY;
        private RetryPolicy retry = RetryPolicy.defaults();
        private Duration callTimeout = DEFAULT_CALL_TIMEOUT;

        private Builder(Index index, MetadataSchema schema, int dimension) {
            this.index = Objects.requireNonNull(index, "index");
            this.schema = Objects.requireNonNull(schema, "schema");
            if (dimension < 1 || dimension > PineconeLimits.MAX_DIMENSION) {
                throw new IllegalArgumentException("dimension must be 1 to " + PineconeLimits.MAX_DIMENSION
                        + ", was " + dimension);
            }
            this.dimension = dimension;
        }

        /** Every record in this one namespace ({@code ""}, the default namespace, unless set). */
        public Builder namespace(String namespace) {
            this.layout = new NamespaceLayout.Single(Objects.requireNonNull(namespace, "namespace"));
            return this;
        }

        /**
         * One namespace per tenant, {@code <prefix>.<tenant id>}. The tenant field must be a required STRING field of
         * the schema; the prefix (1 to 64 of {@code A-Z a-z 0-9 _ -}) keeps this store's namespaces apart from
         * everything else in the index.
         */
        public Builder namespacePerTenant(String tenantField, String prefix) {
            FieldSpec spec = schema.field(tenantField).orElseThrow(() -> new InvalidSchemaException(tenantField,
                    "the tenant field is not declared in the schema"));
            if (spec.type() != FieldType.STRING || !spec.required()) {
                throw new InvalidSchemaException(tenantField, "the tenant field must be a required STRING field");
            }
            this.layout = new NamespaceLayout.PerTenant(tenantField, prefix);
            return this;
        }

        /** The metadata key that holds a record's text; the schema may not declare it. */
        public Builder textKey(String key) {
            if (key == null || key.isEmpty() || key.startsWith("$")) {
                throw new IllegalArgumentException("invalid text key: " + key);
            }
            this.textKey = key;
            return this;
        }

        public Builder retryPolicy(RetryPolicy policy) {
            this.retry = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /**
         * The gRPC deadline of each attempt of each call (default 10 s), whatever the {@link Index}'s channel sets
         * (the sooner applies). A missed deadline is retried like {@code UNAVAILABLE}; when the last attempt misses
         * it too, the call throws {@link dev.portafilter.core.StoreTimeoutException}. A store call thus ends within
         * about {@code maxAttempts} times this plus the backoffs.
         */
        public Builder callTimeout(Duration callTimeout) {
            this.callTimeout = Durations.atLeastOneMilli(callTimeout, "callTimeout");
            return this;
        }

        /**
         * Checks the configuration and that the index has this dimension and the cosine metric: a schema field named
         * like the text key is an {@link InvalidSchemaException}, an index of another dimension or metric a
         * {@link StoreException}.
         */
        public PineconeStore build() {
            if (schema.field(textKey).isPresent()) {
                throw new InvalidSchemaException(textKey, "this metadata key holds the record text in Pinecone; "
                        + "rename the field or choose another textKey");
            }
            DescribeIndexStatsResponse stats = retry.call("describe_index_stats", List.of(), callTimeout,
                    index::describeIndexStats);
            if (stats.getDimension() != 0 && stats.getDimension() != dimension) {
                throw new StoreException("the Pinecone index has dimension " + stats.getDimension()
                        + ", the store was configured with " + dimension, null);
            }
            if (!stats.getMetric().isEmpty() && !stats.getMetric().equalsIgnoreCase("cosine")) {
                throw new StoreException("the Pinecone index uses the " + stats.getMetric() + " metric; "
                        + "this store needs cosine, whose score is the cosine similarity", null);
            }
            return new PineconeStore(this, layout, ConcurrentHashMap.newKeySet());
        }
    }
}
