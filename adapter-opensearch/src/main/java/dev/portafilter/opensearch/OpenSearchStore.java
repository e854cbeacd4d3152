package dev.portafilter.opensearch;

import dev.portafilter.core.filter.Filters;
import dev.portafilter.core.metadata.FieldSpec;
import dev.portafilter.core.InvalidSchemaException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portafilter.core.PartialResultException;
import dev.portafilter.core.StoreException;
import dev.portafilter.core.StoreTimeoutException;
import dev.portafilter.core.WriteConflictException;
import dev.portafilter.core.filter.Filter;
import dev.portafilter.core.metadata.MetadataSchema;
import dev.portafilter.core.store.Capability;
import dev.portafilter.core.store.SearchHit;
import dev.portafilter.core.store.SearchRequest;
import dev.portafilter.core.store.VectorRecord;
import dev.portafilter.core.store.VectorStore;
import dev.portafilter.core.internal.Vectors;
import jakarta.json.stream.JsonParser;
import org.apache.hc.client5.http.auth.AuthScope;
import org.apache.hc.client5.http.auth.UsernamePasswordCredentials;
import org.apache.hc.client5.http.impl.auth.BasicCredentialsProvider;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.util.Timeout;
import org.opensearch.client.json.JsonData;
import org.opensearch.client.json.JsonpMapper;
import org.opensearch.client.json.jackson.JacksonJsonpMapper;
import org.opensearch.client.opensearch.OpenSearchClient;
import org.opensearch.client.opensearch._types.BulkByScrollFailure;
import org.opensearch.client.opensearch._types.Conflicts;
import org.opensearch.client.opensearch._types.ErrorCause;
import org.opensearch.client.opensearch._types.OpenSearchException;
import org.opensearch.client.opensearch._types.Refresh;
import org.opensearch.client.opensearch._types.ShardStatistics;
import org.opensearch.client.opensearch._types.mapping.Property;
import org.opensearch.client.opensearch._types.query_dsl.Query;
import org.opensearch.client.opensearch.core.BulkResponse;
import org.opensearch.client.opensearch.core.CountResponse;
import org.opensearch.client.opensearch.core.DeleteByQueryResponse;
import org.opensearch.client.opensearch.core.SearchResponse;
import org.opensearch.client.opensearch.core.bulk.BulkOperation;
import org.opensearch.client.opensearch.core.bulk.BulkResponseItem;
import org.opensearch.client.opensearch.core.search.Hit;
import org.opensearch.client.opensearch.indices.GetMappingResponse;
import org.opensearch.client.transport.OpenSearchTransport;
import org.opensearch.client.transport.httpclient5.ApacheHttpClient5TransportBuilder;
import org.opensearch.client.transport.httpclient5.ResponseException;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.StringReader;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A {@link VectorStore} on OpenSearch with the k-NN plugin, through the official {@code opensearch-java} client.
 *
 * <pre>{@code
 * OpenSearchIndexLayout layout = OpenSearchIndexLayout.builder("docs", schema, 384).build();
 * try (OpenSearchStore store = OpenSearchStore.builder(layout).url("http://127.0.0.1:9200").build()) {
 *     store.createIndex();
 *     store.upsert(records);
 *     store.search(query, 5, Filters.eq("customer", "CustomerA"));
 * }
 * }</pre>
 *
 * <p>Search runs the {@code knn} query with the filter inside it (efficient filtering), so a selective tenant
 * filter still fills k; {@link SearchMode#EXACT} scores every filtered document with the {@code knn_score}
 * script instead. Scores are converted to cosine similarity.
 *
 * <p>With the lucene engine the plugin chooses between exact and approximate search itself, per segment: it asks
 * Lucene for max(k, ef_search) candidates; Lucene scores the filtered documents exactly when there are no more of
 * them than that, and otherwise walks the HNSW graph, switching to exact scoring once the walk has visited more
 * nodes than the filter matches. Measured on 100,000 documents (docs/search-strategy.md): k on every query and
 * recall@10 1.000 from 0.1% to 10% selectivity, 0.997 at 50%. A count of the filter before each search, to send
 * small tenants to {@link SearchMode#EXACT}, saved 1 – 4.5 ms at 2% – 7% but cost 0.5 ms everywhere else, so the
 * store does not do it.
 *
 * <p>Writes go through the bulk API in batches. A bulk is not atomic: when an item fails, the call throws
 * {@link StoreException} whose {@link StoreException#failedIds()} names every record not written (the failed
 * items and the batches not sent). Reads, counts and deletes see a write once the index has refreshed: with the
 * default {@link Refresh#WaitFor} that is when {@code upsert} returns.
 *
 * <p>A guarded upsert first looks up the batch's ids and refuses, writing nothing, if an existing record does
 * not match the guard. That look-up is a search, so it cannot see a record written by someone else after it, or
 * not yet refreshed. To close that race the writes are conditional: an id the look-up found is replaced only
 * if its sequence number is unchanged, and an id it did not find is only created. A record written in between
 * makes its item fail with a version conflict, reported as a {@link StoreException}; it is never overwritten.
 * (With {@link Refresh#False} that also refuses a guarded rewrite of a record not yet refreshed: safe, not blind.)
 *
 * <p>{@code delete} and {@code deleteWhere} are one {@code _delete_by_query} each (the server needs the reindex
 * module, which every full distribution ships), followed by a refresh. A record changed between the server's
 * scroll and its delete stops the call ({@code conflicts=abort}) with a {@link StoreException}: it is neither
 * deleted blindly nor skipped silently. The call is not atomic: the records deleted before a failure stay
 * deleted, and the exception says how many there were.
 *
 * <p><b>Complete answers or none.</b> A search, count or guard look-up on which a shard failed, or which the server
 * cut short at the {@link Builder#callTimeout} ({@code timed_out}), throws {@link PartialResultException} naming
 * the shards that failed of those asked; it never returns the part that answered as the whole answer. Shards the
 * server skipped ({@code _shards.skipped}) are no failure: OpenSearch skips only shards it proved hold no match.
 *
 * <p><b>Timeouts.</b> Every request has the {@link Builder#callTimeout} (default 30 s): a search sends it as its
 * {@code timeout}, so that the server stops and says so; the connection the store opens waits for a response that
 * long plus one second (the server's own answer comes first), and at most {@link Builder#connectTimeout} (default
 * 5 s) for a connection. A request that runs out of time throws {@link StoreTimeoutException}. A client passed to
 * {@link Builder#client} keeps its own transport timeouts; the search timeout still applies.
 */
public final class OpenSearchStore implements VectorStore {
    /** Default {@link Builder#callTimeout}: long enough for a bulk batch of 500 records on a busy node. */
    public static final Duration DEFAULT_CALL_TIMEOUT = Duration.ofSeconds(30);
    /** Default {@link Builder#connectTimeout}. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    /** How much longer than the call timeout the store's connection waits, so that the server's own timeout answers. */
    private static final Duration RESPONSE_GRACE = Duration.ofSeconds(1);
    /** The most hits OpenSearch returns for one search ({@code index.max_result_window}, the k-NN limit on k). */
    public static final int MAX_TOP_K = 10_000;
    private static final String OUTSIDE_GUARD = "portafilter_outside_guard";

    /** How {@link #search} finds neighbours. */
    public enum SearchMode {
        /** The HNSW {@code knn} query with the filter inside it: fast, approximate, fills k. */
        APPROXIMATE,
        /** The {@code knn_score} script over every filtered document: exact, for small or selective sets. */
        EXACT
    }

    private final OpenSearchClient client;
    private final OpenSearchTransport ownedTransport;
    private final OpenSearchIndexLayout layout;
    private final OpenSearchFilterTranslator translator;
    private final DocumentCodec codec;
    private final Refresh refresh;
    private final int batchSize;
    private final SearchMode searchMode;
    private final int efSearch;
    private final Duration callTimeout;
    /** Set on a tenant partition of a layout routed by tenant: every read and delete goes to that shard only. */
    private final String routing;

    private OpenSearchStore(Builder b, OpenSearchClient client, OpenSearchTransport ownedTransport, ObjectMapper json,
                            MappedFields fields) {
        this.client = client;
        this.ownedTransport = ownedTransport;
        this.layout = b.layout;
        this.translator = new OpenSearchFilterTranslator(b.layout, fields, new JacksonJsonpMapper(json));
        this.codec = new DocumentCodec(b.layout, fields, json);
        this.refresh = b.refresh;
        this.batchSize = b.batchSize;
        this.searchMode = b.searchMode;
        this.efSearch = b.efSearch;
        this.callTimeout = b.callTimeout;
        this.routing = null;
    }

    /** A tenant partition: the same client and settings, every read and delete routed to the tenant's shard. */
    private OpenSearchStore(OpenSearchStore base, String routing) {
        this.client = base.client;
        this.ownedTransport = null;
        this.layout = base.layout;
        this.translator = base.translator;
        this.codec = base.codec;
        this.refresh = base.refresh;
        this.batchSize = base.batchSize;
        this.searchMode = base.searchMode;
        this.efSearch = base.efSearch;
        this.callTimeout = base.callTimeout;
        this.routing = routing;
    }

    public static Builder builder(OpenSearchIndexLayout layout) {
        return new Builder(layout);
    }

    public OpenSearchIndexLayout layout() {
        return layout;
    }

    /** The translator this store uses, e.g. to print a filter's query. */
    public OpenSearchFilterTranslator translator() {
        return translator;
    }

    /** Creates the index of the layout; a {@link StoreException} if it exists already. */
    public void createIndex() {
        call("create index " + layout.indexName(), () -> client.indices().create(layout.createIndexRequest()));
    }

    /** Creates the index of the layout unless it exists; returns whether it was created. */
    public boolean createIndexIfMissing() {
        String name = layout.indexName();
        if (call("check index " + name, () -> client.indices().exists(e -> e.index(name)).value())) {
            return false;
        }
        createIndex();
        return true;
    }

    /**
     * Declares a new field on the live index: put-mapping adds its field (documents already there simply lack it),
     * and the returned layout reads and writes it; build a store on it. Refused with an
     * {@link dev.portafilter.core.InvalidSchemaException} naming the field, changing nothing, for a required field on
     * an index that holds documents, and for a field that documents hold as an undeclared one: their values sit in
     * the nested key/value objects, where a new mapped field would hide them (only a reindex could move them).
     */
    public OpenSearchIndexLayout addField(FieldSpec spec) {
        OpenSearchIndexLayout grown = layout.withField(spec);
        if (spec.required() && count() > 0) {
            throw new InvalidSchemaException(spec.name(), "a required field can be added only to an empty index: add it "
                    + "as optional");
        }
        if (layout.undeclaredField().isPresent() && count(Filters.exists(spec.name())) > 0) {
            throw new InvalidSchemaException(spec.name(), "documents already hold it as an undeclared field, whose "
                    + "values a mapped field would hide: reindex to declare it");
        }
        Property field = OpenSearchIndexLayout.property(spec.type());
        call("put mapping " + layout.indexName(), () -> client.indices().putMapping(p -> p.index(layout.indexName())
                .properties(layout.metadataObject().orElse(spec.name()), layout.metadataObject().isEmpty() ? field
                        : Property.of(o -> o.object(m -> m.properties(spec.name(), field))))));
        return grown;
    }

    /** Deletes the index and all its data; returns false if there was none. Never called by {@link #close()}. */
    public boolean deleteIndex() {
        String name = layout.indexName();
        boolean exists = call("check index " + name, () -> client.indices().exists(e -> e.index(name)).value());
        if (exists) {
            call("delete index " + name, () -> client.indices().delete(d -> d.index(name)));
        }
        return exists;
    }

    @Override
    public String backend() {
        return "opensearch";
    }

    @Override
    public MetadataSchema schema() {
        return layout.schema();
    }

    @Override
    public int dimension() {
        return layout.dimension();
    }

    @Override
    public Set<Capability> capabilities() {
        return EnumSet.allOf(Capability.class);
    }

    @Override
    public void upsert(List<VectorRecord> records) {
        write(records, Optional.empty());
    }

    @Override
    public void upsert(List<VectorRecord> records, Filter guard) {
        write(records, Optional.of(Objects.requireNonNull(guard, "guard")));
    }

    private void write(List<VectorRecord> records, Optional<Filter> guard) {
        List<VectorRecord> batch = Vectors.validateBatch(records, this);
        batch.forEach(codec::check);
        Optional<Query> guardQuery = guard.map(translator::translate);
        if (batch.isEmpty()) {
            return;
        }
        Map<String, Existing> existing = guardQuery.isPresent() || layout.routingField().isPresent()
                ? existingOrNotWritten(batch, guardQuery) : Map.of();
        List<String> conflicts = batch.stream()
                .filter(r -> existing.containsKey(r.id()) && !existing.get(r.id()).replaceableBy(routingOf(r)))
                .map(VectorRecord::id)
                .toList();
        if (!conflicts.isEmpty()) {
            throw new WriteConflictException(conflicts);
        }
        List<BulkOperation> operations = batch.stream()
                .map(r -> operation(r, guardQuery.isPresent(), existing.get(r.id())))
                .toList();
        bulk(operations, batch.stream().map(VectorRecord::id).toList());
    }

    @Override
    public List<SearchHit> search(SearchRequest request) {
        float[] vector = Vectors.queryVector(request, dimension());
        int k = request.topK();
        if (k > MAX_TOP_K) {
            throw new IllegalArgumentException("OpenSearch returns at most " + MAX_TOP_K + " hits, topK was " + k);
        }
        Optional<Query> filter = request.filter().map(translator::translate);
        List<Float> query = new ArrayList<>(vector.length);
        for (float f : codec.queryForm(vector)) {
            query.add(f);
        }
        Query neighbours = searchMode == SearchMode.APPROXIMATE ? knn(query, k, filter) : exact(query, filter);
        List<String> excluded = new ArrayList<>(List.of(layout.vectorField()));
        layout.metadataField().ifPresent(excluded::add);
        String what = "search " + layout.indexName();
        SearchResponse<ObjectNode> response = call(what, () -> client.search(s -> s
                .index(layout.indexName())
                .size(k)
                .query(neighbours)
                .source(src -> src.filter(f -> f.excludes(excluded)))
                .timeout(serverTimeout())
                .routing(routing), ObjectNode.class));
        List<SearchHit> hits = response.hits().hits().stream()
                .map(h -> new SearchHit(h.id(), layout.spaceType().cosineFromScore(h.score()),
                        codec.textOf(h.source()), codec.metadataOf(h.id(), h.source())))
                .toList();
        requireComplete(what, response.shards(), response.timedOut(), hits);
        return hits;
    }

    @Override
    public long count() {
        return countWhere(Optional.empty());
    }

    @Override
    public long count(Filter filter) {
        return countWhere(Optional.of(Objects.requireNonNull(filter, "filter")));
    }

    private long countWhere(Optional<Filter> filter) {
        Optional<Query> query = filter.map(translator::translate);
        String what = "count " + layout.indexName();
        CountResponse response = call(what, () -> client.count(c -> {
            c.index(layout.indexName()).query(query.orElse(null));
            return routing == null ? c : c.routing(routing);
        }));
        requireComplete(what, response.shards(), false, List.of());
        return response.count();
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
        Optional<Query> query = filter.map(translator::translate);
        if (ids.isEmpty()) {
            return 0;
        }
        List<Query> clauses = new ArrayList<>(List.of(Query.of(q -> q.ids(i -> i.values(List.copyOf(ids))))));
        query.ifPresent(clauses::add);
        return deleteByQuery(Query.of(q -> q.bool(b -> b.filter(clauses))));
    }

    @Override
    public long deleteWhere(Filter filter) {
        return deleteByQuery(translator.translate(filter));
    }

    /** With a layout routed by this tenant field, a partition whose reads and deletes touch only the tenant's shard. */
    @Override
    public VectorStore partitionForTenant(String tenantField, String tenantId) {
        return layout.routingField().filter(tenantField::equals).isPresent()
                ? new OpenSearchStore(this, Objects.requireNonNull(tenantId, "tenantId")) : this;
    }

    /** Closes the connection this store opened; a client passed to the builder stays open. */
    @Override
    public void close() {
        if (ownedTransport != null) {
            call("close the connection", () -> {
                ownedTransport.close();
                return null;
            });
        }
    }

    private Query knn(List<Float> vector, int k, Optional<Query> filter) {
        // ef_search below k would cap the candidates at ef_search; Lucene's default gives poor recall
        int ef = Math.max(efSearch, k);
        return Query.of(q -> q.knn(n -> n.field(layout.vectorField()).vector(vector).k(k)
                .filter(filter.orElse(null))
                .methodParameters("ef_search", JsonData.of(ef))));
    }

    private Query exact(List<Float> vector, Optional<Query> filter) {
        Query candidates = filter.orElseGet(() -> Query.of(q -> q.matchAll(m -> m)));
        return Query.of(q -> q.scriptScore(ss -> ss.query(candidates).script(s -> s.inline(i -> i
                .source("knn_score")
                .lang(l -> l.custom("knn"))
                .params("field", JsonData.of(layout.vectorField()))
                .params("query_value", JsonData.of(vector))
                .params("space_type", JsonData.of(layout.spaceType().wireName()))))));
    }

    /**
     * {@link #existing}, whose failure fails the write before anything of it was sent: the exception names every
     * record of the batch as not written, as any failed write does, keeping a timeout a timeout.
     */
    private Map<String, Existing> existingOrNotWritten(List<VectorRecord> batch, Optional<Query> guard) {
        try {
            return existing(batch, guard);
        } catch (StoreException e) {
            List<String> ids = batch.stream().map(VectorRecord::id).toList();
            String message = "write to " + layout.indexName() + " not sent: " + e.getMessage();
            throw e instanceof StoreTimeoutException t ? new StoreTimeoutException(message, t.timeout(), ids, e)
                    : new StoreException(message, ids, e);
        }
    }

    /** The existing documents with the batch's ids: version, routing and whether each lies outside the guard. */
    private Map<String, Existing> existing(List<VectorRecord> batch, Optional<Query> guard) {
        Map<String, Existing> found = new HashMap<>();
        List<String> ids = batch.stream().map(VectorRecord::id).toList();
        for (int from = 0; from < ids.size(); from += batchSize) {
            List<String> chunk = ids.subList(from, Math.min(ids.size(), from + batchSize));
            // one search: the ids filter selects, the named must_not(guard) clause marks the records outside it
            Query lookup = Query.of(q -> q.bool(b -> {
                b.filter(f -> f.ids(i -> i.values(chunk)));
                guard.ifPresent(g -> b.should(s -> s.bool(n -> n.mustNot(g).queryName(OUTSIDE_GUARD))));
                return b;
            }));
            // an incomplete look-up would miss records the guard must see, and let the write replace them
            String what = "look up existing records in " + layout.indexName();
            SearchResponse<ObjectNode> response = call(what,
                    () -> client.search(s -> s.index(layout.indexName()).size(chunk.size()).query(lookup)
                            .timeout(serverTimeout())
                            .seqNoPrimaryTerm(true).source(src -> src.fetch(false)), ObjectNode.class));
            requireComplete(what, response.shards(), response.timedOut(), List.of());
            for (Hit<ObjectNode> hit : response.hits().hits()) {
                found.put(hit.id(), new Existing(hit.seqNo(), hit.primaryTerm(), hit.routing(),
                        hit.matchedQueries() != null && hit.matchedQueries().contains(OUTSIDE_GUARD)));
            }
        }
        return found;
    }

    private BulkOperation operation(VectorRecord r, boolean guarded, Existing existing) {
        ObjectNode doc = codec.encode(r);
        String route = routingOf(r);
        if (!guarded) {
            return BulkOperation.of(o -> o.index(i -> i.index(layout.indexName()).id(r.id()).routing(route).document(doc)));
        }
        if (existing == null) {
            return BulkOperation.of(o -> o.create(c -> c.index(layout.indexName()).id(r.id()).routing(route).document(doc)));
        }
        return BulkOperation.of(o -> o.index(i -> i.index(layout.indexName()).id(r.id()).routing(route).document(doc)
                .ifSeqNo(existing.seqNo()).ifPrimaryTerm(existing.primaryTerm())));
    }

    private String routingOf(VectorRecord r) {
        return layout.routingField().map(f -> (String) r.metadata().get(f).orElseThrow().toJava()).orElse(null);
    }

    /** Sends the operations in batches; stops at the first batch with a failed item and names every id not written. */
    private void bulk(List<BulkOperation> operations, List<String> ids) {
        for (int from = 0; from < operations.size(); from += batchSize) {
            int to = Math.min(operations.size(), from + batchSize);
            List<BulkOperation> chunk = operations.subList(from, to);
            List<String> unsent = ids.subList(to, ids.size());
            BulkResponse response;
            try {
                response = client.bulk(b -> b.operations(chunk).refresh(refresh));
            } catch (IOException | RuntimeException e) {
                throw failure("bulk write to " + layout.indexName() + " failed; the records of this call from this "
                        + "batch on may not have been written", ids.subList(from, ids.size()), e);
            }
            if (response.errors()) {
                List<String> failed = new ArrayList<>();
                List<String> reasons = new ArrayList<>();
                for (BulkResponseItem item : response.items()) {
                    if (item.error() != null) {
                        failed.add(item.id());
                        if (reasons.size() < 3) {
                            reasons.add(item.id() + ": " + item.error().type() + ": " + item.error().reason());
                        }
                    }
                }
                failed.addAll(unsent);
                throw new StoreException("bulk write to " + layout.indexName() + ": " + failed.size()
                        + " records were not written " + reasons + (unsent.isEmpty() ? "" : ", and "
                        + unsent.size() + " of them were not sent"), failed, null);
            }
        }
    }

    /** One {@code _delete_by_query} (routed like every read of this store), then a refresh; returns the count deleted. */
    private long deleteByQuery(Query query) {
        String what = "delete from " + layout.indexName();
        DeleteByQueryResponse response;
        try {
            response = client.deleteByQuery(d -> {
                d.index(layout.indexName()).query(query).conflicts(Conflicts.Abort).refresh(Refresh.True);
                return routing == null ? d : d.routing(routing);
            });
        } catch (ResponseException e) {
            response = failedDeleteByQuery(what, e);
        } catch (IOException | RuntimeException e) {
            throw failure("OpenSearch: " + what + " failed: " + e.getMessage(), List.of(), e);
        }
        boolean timedOut = Boolean.TRUE.equals(response.timedOut());
        if (response.failures().isEmpty() && !timedOut) {
            return response.deleted();
        }
        List<String> failed = response.failures().stream().map(BulkByScrollFailure::id).filter(Objects::nonNull).toList();
        List<String> reasons = response.failures().stream().limit(3).map(OpenSearchStore::describe).toList();
        throw new StoreException("OpenSearch: " + what + " stopped after deleting " + response.deleted() + " records"
                + (timedOut ? ", timed out" : "") + (reasons.isEmpty() ? "" : ": " + response.failures().size()
                + " failures " + reasons), failed, null);
    }

    /**
     * The response of a {@code _delete_by_query} that failed (409 on a version conflict, 5xx on a search failure).
     * The server sends its usual response body, but the transport throws before decoding it and keeps it only
     * in the exception's message, after the last line break (the JSON body is one line).
     */
    private DeleteByQueryResponse failedDeleteByQuery(String what, ResponseException e) {
        String message = e.getMessage();
        JsonpMapper mapper = client._transport().jsonpMapper();
        DeleteByQueryResponse response;
        try (JsonParser parser = mapper.jsonProvider().createParser(
                new StringReader(message.substring(message.lastIndexOf('\n') + 1)))) {
            response = DeleteByQueryResponse._DESERIALIZER.deserialize(parser, mapper);
        } catch (RuntimeException notAResponse) {
            e.addSuppressed(notAResponse);
            throw new StoreException("OpenSearch: " + what + " failed: " + message, e);
        }
        // an error body ({"error": ..., "status": 503}, e.g. no shard copy or no cluster manager) reads as a response
        // with every field missing: it is a failure, never a delete of nothing
        if (response.deleted() == null) {
            throw new StoreException("OpenSearch: " + what + " failed: " + message, e);
        }
        return response;
    }

    private static String describe(BulkByScrollFailure failure) {
        ErrorCause cause = failure.cause() != null ? failure.cause() : failure.reason();
        String where = failure.id() != null ? failure.id() : "shard " + failure.shard();
        return where + ": " + (cause == null ? "status " + failure.status() : cause.type() + ": " + cause.reason());
    }

    private <T> T call(String what, ClientCall<T> call) {
        try {
            return call.run();
        } catch (IOException | RuntimeException e) {
            throw failure("OpenSearch: " + what + " failed: " + e.getMessage(), List.of(), e);
        }
    }

    /**
     * A {@link StoreTimeoutException} when the transport gave up waiting, else a {@link StoreException}. The
     * transport wraps what is neither I/O nor OpenSearch's answer (a response cut off mid-way: a protocol error) in
     * a plain RuntimeException, so every exception of a call counts.
     */
    private StoreException failure(String message, List<String> notWritten, Exception e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            // the response and connect timeouts of HttpClient 5 are both interrupted I/O
            if (t instanceof InterruptedIOException) {
                return new StoreTimeoutException(message + " (no answer within the call timeout of " + callTimeout
                        + ")", callTimeout, notWritten, e);
            }
        }
        return new StoreException(message, notWritten, e);
    }

    /** The search body's {@code timeout}: the server stops collecting then and reports {@code timed_out}. */
    private String serverTimeout() {
        return callTimeout.toMillis() + "ms";
    }

    /** Throws {@link PartialResultException} unless every shard asked answered in full. */
    private void requireComplete(String what, ShardStatistics shards, Boolean timedOut, List<SearchHit> found) {
        boolean outOfTime = Boolean.TRUE.equals(timedOut);
        if (shards.failed() == 0 && !outOfTime) {
            return;
        }
        List<String> reasons = shards.failures().stream().limit(3)
                .map(f -> f.index() + "[" + f.shard() + "]: " + f.reason().type() + ": " + f.reason().reason())
                .toList();
        throw new PartialResultException(backend(), what, shards.failed(), shards.total(), outOfTime, found,
                String.join("; ", reasons));
    }

    @FunctionalInterface
    private interface ClientCall<T> {
        T run() throws IOException;
    }

    /** A stored record with a batch's id, as the pre-write look-up saw it. */
    private record Existing(long seqNo, long primaryTerm, String routing, boolean outsideGuard) {
        /** Whether a write may replace it: inside the guard, and not moving it to another tenant's routing. */
        boolean replaceableBy(String newRouting) {
            return !outsideGuard && Objects.equals(routing, newRouting);
        }
    }

    public static final class Builder {
        private final OpenSearchIndexLayout layout;
        private List<String> urls;
        private String username;
        private String password;
        private OpenSearchClient client;
        private Refresh refresh = Refresh.WaitFor;
        private int batchSize = 500;
        private SearchMode searchMode = SearchMode.APPROXIMATE;
        private int efSearch = 100;
        private Duration callTimeout = DEFAULT_CALL_TIMEOUT;
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;

        private Builder(OpenSearchIndexLayout layout) {
            this.layout = Objects.requireNonNull(layout, "layout");
        }

        /** The server, e.g. {@code http://127.0.0.1:9200}; the store opens and closes its own connection. */
        public Builder url(String url) {
            // null leaves none, as before: build() then says a url or a client is required
            this.urls = url == null ? null : List.of(url);
            return this;
        }

        /**
         * Several nodes of one cluster, e.g. {@code http://10.0.0.1:9200} and {@code http://10.0.0.2:9200}, all with
         * the same path: requests go round the nodes, and a request a node cannot take (refused, reset, 502/503/504)
         * goes to the next one, the failed node set aside for a while. The store opens and closes its own connection.
         */
        public Builder urls(List<String> urls) {
            if (urls.isEmpty()) {
                throw new IllegalArgumentException("urls must name at least one node");
            }
            this.urls = List.copyOf(urls);
            return this;
        }

        /** Basic authentication for clusters with the security plugin. */
        public Builder basicAuth(String username, String password) {
            this.username = Objects.requireNonNull(username, "username");
            this.password = Objects.requireNonNull(password, "password");
            return this;
        }

        /** An existing client (instead of {@link #url}); the caller keeps and closes it. */
        public Builder client(OpenSearchClient client) {
            this.client = client;
            return this;
        }

        /** When writes become visible: {@link Refresh#WaitFor} (default), {@link Refresh#True} or {@link Refresh#False}. */
        public Builder refresh(Refresh refresh) {
            this.refresh = Objects.requireNonNull(refresh, "refresh");
            return this;
        }

        /** Records per bulk request, and ids per look-up request; 500 by default. */
        public Builder batchSize(int batchSize) {
            if (batchSize < 1 || batchSize > MAX_TOP_K) {
                throw new IllegalArgumentException("batchSize must be between 1 and " + MAX_TOP_K + ", was " + batchSize);
            }
            this.batchSize = batchSize;
            return this;
        }

        public Builder searchMode(SearchMode searchMode) {
            this.searchMode = Objects.requireNonNull(searchMode, "searchMode");
            return this;
        }

        /**
         * HNSW candidates per approximate search ({@code method_parameters.ef_search}), at least k; 100 by default.
         * Also where Lucene searches a filtered segment exactly (no more matching documents than this). Measured:
         * 200 raised recall at 50% selectivity only from 0.997 to 0.999 and made 10% three times slower (the walk
         * runs longer before it gives way to exact scoring).
         */
        public Builder efSearch(int efSearch) {
            if (efSearch < 1) {
                throw new IllegalArgumentException("efSearch must be positive, was " + efSearch);
            }
            this.efSearch = efSearch;
            return this;
        }

        /**
         * How long one request may take (default 30 s): the {@code timeout} of every
         * search, after which the server answers {@code timed_out} and the store throws
         * {@link PartialResultException}; and, on the connection the store opens from a {@link #url}, the wait for
         * a response (one second more), after which it throws {@link StoreTimeoutException}.
         */
        public Builder callTimeout(Duration callTimeout) {
            this.callTimeout = positive(callTimeout, "callTimeout");
            return this;
        }

        /** How long the connection the store opens from a {@link #url} waits to connect (default 5 s). */
        public Builder connectTimeout(Duration connectTimeout) {
            this.connectTimeout = positive(connectTimeout, "connectTimeout");
            return this;
        }

        private static Duration positive(Duration d, String name) {
            if (d.isNegative() || d.isZero() || d.toMillis() == 0) {
                throw new IllegalArgumentException(name + " must be at least 1 ms, was " + d);
            }
            return d;
        }

        /**
         * The store. On an index that exists it reads the mapping and checks it against the schema and the layout
         * (see {@link OpenSearchIndexLayout#springAi}): an {@link InvalidSchemaException} names a field the index
         * cannot answer exactly; a string the mapping keeps as analysed text is filtered on its keyword subfield.
         * Nothing in the index changes.
         */
        public OpenSearchStore build() {
            ObjectMapper json = new ObjectMapper();
            if (client != null) {
                if (urls != null || username != null) {
                    throw new IllegalStateException("give either a client or a url (with credentials), not both");
                }
                return new OpenSearchStore(this, client, null, json, fields(client));
            }
            if (urls == null) {
                throw new IllegalStateException("a url or a client is required");
            }
            OpenSearchTransport transport = transport(json);
            OpenSearchClient owned = new OpenSearchClient(transport);
            try {
                return new OpenSearchStore(this, owned, transport, json, fields(owned));
            } catch (RuntimeException e) {
                try {
                    transport.close();
                } catch (IOException closing) {
                    e.addSuppressed(closing);
                }
                throw e;
            }
        }

        /** The declared fields as the live index maps them, or as the layout will create the index. */
        private MappedFields fields(OpenSearchClient client) {
            String index = layout.indexName();
            GetMappingResponse response;
            try {
                response = client.indices().getMapping(g -> g.index(index).ignoreUnavailable(true)
                        .allowNoIndices(true));
            } catch (IOException | OpenSearchException e) {
                throw new StoreException("OpenSearch: read the mapping of " + index + " failed: " + e.getMessage(), e);
            }
            List<MappedFields> each = response.result().values().stream()
                    .map(m -> MappedFields.read(layout, m.mappings())).distinct().toList();
            if (each.size() > 1) {
                throw new StoreException("OpenSearch: " + index + " names " + response.result().size() + " indices "
                        + "whose mappings hold the declared fields differently", null);
            }
            return each.isEmpty() ? MappedFields.planned(layout) : each.get(0);
        }

        private OpenSearchTransport transport(ObjectMapper json) {
            HttpHost[] hosts = new HttpHost[urls.size()];
            URI uri = null;
            for (int i = 0; i < hosts.length; i++) {
                URI node = URI.create(urls.get(i));
                if (node.getScheme() == null || node.getHost() == null) {
                    throw new IllegalArgumentException("not an http(s) url: " + urls.get(i));
                }
                // one path prefix serves every node
                if (uri != null && !Objects.equals(uri.getPath(), node.getPath())) {
                    throw new IllegalArgumentException("the urls' paths differ: " + urls);
                }
                uri = node;
                hosts[i] = new HttpHost(node.getScheme(), node.getHost(), node.getPort());
            }
            ApacheHttpClient5TransportBuilder transport = ApacheHttpClient5TransportBuilder.builder(hosts)
                    .setMapper(new JacksonJsonpMapper(json))
                    .setConnectionConfigCallback(c -> c.setConnectTimeout(Timeout.of(connectTimeout)))
                    .setRequestConfigCallback(r -> r.setResponseTimeout(Timeout.of(callTimeout.plus(RESPONSE_GRACE))));
            if (uri.getPath() != null && !uri.getPath().isEmpty() && !uri.getPath().equals("/")) {
                transport.setPathPrefix(uri.getPath());
            }
            if (username != null) {
                BasicCredentialsProvider credentials = new BasicCredentialsProvider();
                for (HttpHost host : hosts) {
                    credentials.setCredentials(new AuthScope(host), new UsernamePasswordCredentials(username,
                            password.toCharArray()));
                }
                transport.setHttpClientConfigCallback(http -> http.setDefaultCredentialsProvider(credentials));
            }
            return transport.build();
        }
    }
}
