package dev.portafilter.opensearch;

import dev.portafilter.core.internal.Durations;
import dev.portafilter.core.filter.Filters;
import dev.portafilter.core.metadata.FieldSpec;
import dev.portafilter.core.InvalidSchemaException;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
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
import dev.portafilter.core.internal.Failures;
import dev.portafilter.core.internal.Vectors;
import jakarta.json.stream.JsonParser;
import org.apache.hc.client5.http.auth.AuthScope;
import org.apache.hc.client5.http.auth.UsernamePasswordCredentials;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.auth.BasicCredentialsProvider;
import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManager;
import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManagerBuilder;
import org.apache.hc.client5.http.ssl.ClientTlsStrategyBuilder;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.pool.PoolStats;
import org.apache.hc.core5.util.Timeout;
import org.opensearch.client.json.JsonpDeserializer;
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
import org.opensearch.client.opensearch.core.mget.MultiGetResponseItem;
import org.opensearch.client.opensearch.generic.Bodies;
import org.opensearch.client.opensearch.generic.Body;
import org.opensearch.client.opensearch.generic.OpenSearchGenericClient;
import org.opensearch.client.opensearch.generic.Requests;
import org.opensearch.client.opensearch.generic.Response;
import org.opensearch.client.opensearch.core.search.Hit;
import org.opensearch.client.opensearch.generic.Body;
import org.opensearch.client.opensearch.generic.Request;
import org.opensearch.client.opensearch.generic.Requests;
import org.opensearch.client.opensearch.generic.Response;
import org.opensearch.client.opensearch.indices.GetMappingResponse;
import org.opensearch.client.transport.OpenSearchTransport;
import org.opensearch.client.transport.httpclient5.ApacheHttpClient5Options;
import org.opensearch.client.transport.httpclient5.ApacheHttpClient5TransportBuilder;
import org.opensearch.client.transport.httpclient5.ResponseException;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.StringReader;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

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
 * <p><b>Search plans.</b> By default ({@link SearchMode#ADAPTIVE}) each filtered search chooses its plan
 * ({@link #explainPlan}) from a {@code _count} of the filter and of the index, routed like the search and kept for
 * {@link Builder#estimateCacheTtl} (10 s): while the filter matches at most {@link Builder#exactMaxRows} documents
 * (4,000), the {@code knn_score} script scores every one of them (exact, complete); else the {@code knn} query runs
 * with the filter inside it (efficient filtering, which fills k) and {@code method_parameters.ef_search} of
 * {@link Builder#efSearch} (100: the cheapest measured to give recall 0.99 from 10% to 50%), which
 * {@link Builder#raisedEfSearch} can raise for filters that keep a large share. A filterless search walks the
 * graph. Measured (docs/search-strategy.md, facts on 100,000 × 384): the exact script costs about 1.5 ms plus 0.7 µs per matching
 * document (1.6 ms at 100, 1.9 ms at 1,000, 8 ms at 10,000, 30 ms at 50,000); the efficient filter 1.5 – 3.2 ms,
 * with recall 0.99 – 0.995 at 10 – 50% from ef_search 100 on. A count costs a round trip (~0.5 ms), once per filter
 * and TTL. {@link SearchMode#APPROXIMATE} and {@link SearchMode#EXACT} fix one plan and count nothing. Scores are
 * converted to cosine similarity.
 *
 * <p>The search body is written by the store (see {@code SearchBody}) and sent through the client's generic API:
 * the client's typed {@code knn} query writes each float of the vector as a double, twice the bytes at 384
 * dimensions for the client to write and the server to parse.
 *
 * <p>Writes go through the bulk API in batches. A bulk is not atomic: when an item fails, the call throws
 * {@link StoreException} whose {@link StoreException#failedIds()} names every record not written (the failed
 * items and the batches not sent). Reads, counts and deletes see a write once the index has refreshed: with the
 * default {@link Refresh#WaitFor} that is when {@code upsert} returns. A call of one batch asks its bulk request to
 * wait for the next scheduled refresh; a call of several sends them without and refreshes the index once after the
 * last, instead of waiting for a refresh per batch (up to {@code index.refresh_interval} each; the benchmarks'
 * {@code OpenSearchIngestProbe} measures both).
 *
 * <p>{@link #bulkLoad} is the fast path for records with new ids, pgvector's COPY here: {@code create} operations
 * only, which cannot replace any record (so no tenant can overwrite another's, with no look-up first), in larger
 * requests, two in flight, and one refresh at the end. Its requests have their own {@link Builder#bulkLoadTimeout}.
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
 *
 * <p><b>Connections.</b> The store opened from urls keeps up to {@link Builder#maxConnections} connections per node
 * (default {@value #DEFAULT_MAX_CONNECTIONS}; the client library's own default is 10). A write waits for the next
 * refresh on its connection (up to a second), so with fewer connections than calling threads the reads queue behind
 * the writes. A request waits for a free connection until the call timeout has passed and the pool next changes (a
 * connection freed or asked for; each in use ends at its own response timeout), then throws
 * {@link StoreTimeoutException} stating the pool; never the client library's three minutes.
 */
public final class OpenSearchStore implements VectorStore {
    /** Default {@link Builder#callTimeout}: long enough for a bulk batch of 500 records on a busy node. */
    public static final Duration DEFAULT_CALL_TIMEOUT = Duration.ofSeconds(30);
    /** Default {@link Builder#connectTimeout}. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    /** Default {@link Builder#maxConnections}, per node. */
    public static final int DEFAULT_MAX_CONNECTIONS = 32;
    /** Default {@link Builder#bulkLoadTimeout}, as pgvector's: room for large requests and a final refresh on a busy node. */
    public static final Duration DEFAULT_BULK_LOAD_TIMEOUT = Duration.ofMinutes(30);
    /** Default {@link Builder#bulkLoadBytes}: well under {@code http.max_content_length} (100 MB). */
    public static final int DEFAULT_BULK_LOAD_BYTES = 8 << 20;
    /** Default {@link Builder#bulkLoadRequests}. */
    public static final int DEFAULT_BULK_LOAD_REQUESTS = 2;
    /** How much longer than the call timeout the store's connection waits, so that the server's own timeout answers. */
    private static final Duration RESPONSE_GRACE = Duration.ofSeconds(1);
    /** The most hits OpenSearch returns for one search ({@code index.max_result_window}, the k-NN limit on k). */
    public static final int MAX_TOP_K = 10_000;
    private static final String OUTSIDE_GUARD = "portafilter_outside_guard";
    /** Default {@link Builder#exactMaxRows}: where the exact script and the {@code knn} query cost the same. */
    public static final long DEFAULT_EXACT_MAX_ROWS = 4_000;

    /** How {@link #search} finds neighbours. */
    public enum SearchMode {
        /** The HNSW {@code knn} query with the filter inside it: fast, approximate, fills k. */
        APPROXIMATE,
        /** The {@code knn_score} script over every filtered document: exact, for small or selective sets. */
        EXACT,
        /**
         * Per search (the default): {@link #EXACT} while a {@code _count} of the filter (kept for
         * {@link Builder#estimateCacheTtl}) is at most {@link Builder#exactMaxRows}, else {@link #APPROXIMATE} (with
         * {@link Builder#raisedEfSearch}, if set, for filters that keep a large share); see {@link #explainPlan}.
         */
        ADAPTIVE
    }

    private final OpenSearchClient client;
    private final OpenSearchTransport ownedTransport;
    /** The connections of {@link #ownedTransport}, stated in a timeout waiting for one; null with a client given. */
    private final PoolingAsyncClientConnectionManager connectionPool;
    private final int maxConnections;
    private final OpenSearchIndexLayout layout;
    private final OpenSearchFilterTranslator translator;
    private final DocumentCodec codec;
    private final Refresh refresh;
    private final int batchSize;
    private final OpenSearchPlanner planner;
    private final SearchBody searchBody;
    private final Duration callTimeout;
    private final ObjectMapper json;
    /** The client of {@link #bulkLoad}: on a connection the store opened, its responses wait {@link Builder#bulkLoadTimeout}. */
    private final OpenSearchClient bulkClient;
    private final Duration bulkLoadTimeout;
    private final int bulkLoadBytes;
    private final int bulkLoadRequests;
    /** Set on a tenant partition of a layout routed by tenant: every read and delete goes to that shard only. */
    private final String routing;

    private OpenSearchStore(Builder b, OpenSearchClient client, OpenSearchTransport ownedTransport,
                            PoolingAsyncClientConnectionManager connectionPool, ObjectMapper json, MappedFields fields) {
        this.client = client;
        this.ownedTransport = ownedTransport;
        this.connectionPool = connectionPool;
        this.maxConnections = b.maxConnections;
        this.layout = b.layout;
        this.translator = new OpenSearchFilterTranslator(b.layout, fields, new JacksonJsonpMapper(json));
        this.codec = new DocumentCodec(b.layout, fields, json);
        this.refresh = b.refresh;
        this.batchSize = b.batchSize;
        this.planner = new OpenSearchPlanner(new OpenSearchPlanner.Options(b.searchMode, b.exactMaxRows, b.efSearch,
                b.raisedEfSearch, b.raisedEfFrom, b.estimateCacheTtl));
        this.searchBody = new SearchBody(b.layout, json);
        this.callTimeout = b.callTimeout;
        this.json = json;
        this.bulkClient = ownedTransport == null ? client : client.withTransportOptions(ApacheHttpClient5Options.DEFAULT
                .toBuilder().setRequestConfig(RequestConfig.custom()
                        .setResponseTimeout(Timeout.of(b.bulkLoadTimeout.plus(RESPONSE_GRACE))).build()).build());
        this.bulkLoadTimeout = b.bulkLoadTimeout;
        this.bulkLoadBytes = b.bulkLoadBytes;
        this.bulkLoadRequests = b.bulkLoadRequests;
        this.routing = null;
    }

    /** A tenant partition: the same client and settings, every read and delete routed to the tenant's shard. */
    private OpenSearchStore(OpenSearchStore base, String routing) {
        this.client = base.client;
        this.ownedTransport = null;
        this.connectionPool = base.connectionPool;
        this.maxConnections = base.maxConnections;
        this.layout = base.layout;
        this.translator = base.translator;
        this.codec = base.codec;
        this.refresh = base.refresh;
        this.batchSize = base.batchSize;
        this.planner = base.planner;
        this.searchBody = base.searchBody;
        this.callTimeout = base.callTimeout;
        this.json = base.json;
        this.bulkClient = base.bulkClient;
        this.bulkLoadTimeout = base.bulkLoadTimeout;
        this.bulkLoadBytes = base.bulkLoadBytes;
        this.bulkLoadRequests = base.bulkLoadRequests;
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

    /**
     * Loads records with new ids, faster than {@link #upsert(List)}: as {@code create} operations in requests of
     * about {@link Builder#bulkLoadBytes} (8 MiB), {@link Builder#bulkLoadRequests} (2) of them in flight, no refresh
     * per request and one refresh at the end, so the records are searchable when it returns. Its requests wait up to
     * {@link Builder#bulkLoadTimeout} (30 min) instead of the call timeout. Every record is checked before the first
     * request: a bad one is an {@link dev.portafilter.core.InvalidRecordException} and nothing is written.
     *
     * <p>It never replaces a record. A {@code create} of an id that exists fails on the server, whoever wrote it, so
     * it cannot overwrite another tenant's record, and it needs no look-up first (on a layout routed by tenant, where
     * an id is unique only per shard, the ids are looked up as {@code upsert} does). An existing record identical to
     * the one loaded (the same document and routing) counts as loaded, so repeating a load that failed part-way, or
     * whose outcome a timeout left unknown, converges. Any other existing record is left as it is.
     *
     * <p>Not atomic, unlike pgvector's {@code bulkLoad}: when records could not be loaded it throws
     * {@link StoreException} (a {@link StoreTimeoutException} when a request ran out of time) whose
     * {@link StoreException#failedIds()} names exactly the records that may not have been loaded: ids that exist
     * with other content, failed items, and the records of a request that failed as a whole or was never sent (the
     * load stops sending at the first such failure). When a request failed as a whole, or the final refresh failed,
     * nothing of the call was refreshed: then it names every record, since no search (nor delete) sees them until a
     * later refresh; the records loaded stay loaded, and a retry accepts them as identical and refreshes. Use
     * {@link #upsert} to replace records.
     */
    public void bulkLoad(List<VectorRecord> records) {
        List<VectorRecord> batch = Vectors.validateBatch(records, this);
        batch.forEach(codec::check);
        if (batch.isEmpty()) {
            return;
        }
        Map<String, Existing> existing = layout.routingField().isPresent()
                ? existingOrNotWritten(batch, Optional.empty()) : Map.of();
        BulkLoad load = new BulkLoad();
        List<VectorRecord> creates = new ArrayList<>(batch.size());
        for (VectorRecord r : batch) {
            Existing found = existing.get(r.id());
            if (found != null && !Objects.equals(found.routing(), routingOf(r))) {
                load.refused.add(r.id());  // another tenant's routing: a create would add a second document
            } else {
                creates.add(r);
            }
        }
        sendCreates(creates, load);
        boolean refreshed = false;
        if (load.broken == null) {
            try {
                bulkClient.indices().refresh(r -> r.index(layout.indexName()));
                refreshed = true;
            } catch (IOException | RuntimeException e) {
                load.broken = e;
            }
        }
        if (refreshed) {
            acceptIdentical(load);
        } else {
            // loaded or not, no search sees these records until a later refresh, nor a delete (_delete_by_query
            // finds only refreshed documents): all are named, and a retry finds the loaded ones identical and refreshes
            Set<String> named = new HashSet<>(load.failed);
            creates.stream().map(VectorRecord::id).filter(named::add).forEach(load.failed::add);
        }
        List<String> notLoaded = new ArrayList<>(load.refused);
        notLoaded.addAll(load.failed);
        if (notLoaded.isEmpty() && load.broken == null) {
            return;
        }
        String message = "bulk load into " + layout.indexName() + ": " + notLoaded.size() + " of " + batch.size()
                + " records may not have been loaded"
                + (load.refused.isEmpty() ? "" : "; " + load.refused.size() + " ids exist already with other content "
                        + load.refused.stream().limit(3).toList())
                + (load.reasons.isEmpty() ? "" : "; failed items " + load.reasons)
                + (load.broken == null ? "" : "; " + load.broken.getMessage());
        throw load.broken == null ? new StoreException(message, notLoaded, null)
                : failure(message, bulkLoadTimeout, notLoaded, load.broken);
    }

    /** What a {@link #bulkLoad} has found so far. */
    private static final class BulkLoad {
        /** Ids that exist with other content. */
        final List<String> refused = new ArrayList<>();
        /** Ids of failed items, of requests that failed as a whole, and of records not sent. */
        final List<String> failed = new ArrayList<>();
        /** Records whose create found the id taken: loaded already if the existing document is identical. */
        final List<VectorRecord> existing = new ArrayList<>();
        final List<String> reasons = new ArrayList<>();
        /** The failure of a request as a whole (or of the final refresh); the load stops sending. */
        Exception broken;

        boolean goesOn() {
            return broken == null && failed.isEmpty();
        }
    }

    /** A request of a bulk load, in flight. */
    private record Sent(List<VectorRecord> records, CompletableFuture<Response> response) {
    }

    /** Sends the records as create operations, encoding the next request while the last ones are in flight. */
    private void sendCreates(List<VectorRecord> records, BulkLoad load) {
        OpenSearchGenericClient generic = bulkClient.generic();
        Deque<Sent> inFlight = new ArrayDeque<>();
        int from = 0;
        while (from < records.size() && load.goesOn()) {
            ByteArrayOutputStream body = new ByteArrayOutputStream(bulkLoadBytes + (bulkLoadBytes >> 3));
            int to = encodeCreates(records, from, body);
            if (inFlight.size() == bulkLoadRequests) {
                collect(inFlight.poll(), load);
                if (!load.goesOn()) {
                    break;
                }
            }
            inFlight.add(new Sent(records.subList(from, to), generic.executeAsync(Requests.builder().method("POST")
                    .endpoint("/_bulk").body(Body.from(body.toByteArray(), "application/x-ndjson")).build())));
            from = to;
        }
        while (!inFlight.isEmpty()) {
            collect(inFlight.poll(), load);
        }
        records.subList(from, records.size()).forEach(r -> load.failed.add(r.id()));
    }

    /** Writes create operations from {@code from} on until the body holds {@link #bulkLoadBytes}; returns the end. */
    private int encodeCreates(List<VectorRecord> records, int from, ByteArrayOutputStream body) {
        int to = from;
        try (JsonGenerator g = json.getFactory().createGenerator(body)) {
            g.setRootValueSeparator(null);
            while (to < records.size() && (to == from || body.size() < bulkLoadBytes)) {
                VectorRecord r = records.get(to++);
                g.writeStartObject();
                g.writeObjectFieldStart("create");
                g.writeStringField("_index", layout.indexName());
                g.writeStringField("_id", r.id());
                String route = routingOf(r);
                if (route != null) {
                    g.writeStringField("routing", route);
                }
                g.writeEndObject();
                g.writeEndObject();
                g.writeRaw('\n');
                json.writeTree(g, codec.encode(r));
                g.writeRaw('\n');
                g.flush();
            }
        } catch (IOException e) {
            throw new IllegalStateException("records encode to memory", e);
        }
        return to;
    }

    /** Waits for a request of a bulk load and sorts its items: loaded, id taken, or failed. */
    private void collect(Sent sent, BulkLoad load) {
        List<String> ids = sent.records().stream().map(VectorRecord::id).toList();
        BulkResponse response;
        try (Response http = sent.response().get()) {
            if (http.getStatus() != 200) {
                throw new StoreException("status " + http.getStatus() + " " + http.getReason() + ": "
                        + http.getBody().map(Body::bodyAsString).orElse(""), null);
            }
            response = Bodies.json(http.getBody().orElseThrow(), BulkResponse._DESERIALIZER,
                    client._transport().jsonpMapper());
        } catch (ExecutionException e) {
            fail(load, ids, e.getCause() instanceof Exception cause ? cause : e);
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail(load, ids, e);
            return;
        } catch (IOException | RuntimeException e) {
            fail(load, ids, e);
            return;
        }
        List<BulkResponseItem> items = response.items();
        for (int i = 0; i < items.size(); i++) {
            ErrorCause error = items.get(i).error();
            if (error == null) {
                continue;
            }
            if ("version_conflict_engine_exception".equals(error.type())) {
                load.existing.add(sent.records().get(i));
            } else {
                load.failed.add(items.get(i).id());
                if (load.reasons.size() < 3) {
                    load.reasons.add(items.get(i).id() + ": " + error.type() + ": " + error.reason());
                }
            }
        }
    }

    private static void fail(BulkLoad load, List<String> ids, Exception e) {
        load.failed.addAll(ids);
        if (load.broken == null) {
            load.broken = e;
        } else {
            load.broken.addSuppressed(e);
        }
    }

    /** Of the records whose id was taken, counts as loaded those whose existing document is the one loaded. */
    private void acceptIdentical(BulkLoad load) {
        for (int from = 0; from < load.existing.size(); from += batchSize) {
            List<VectorRecord> chunk = load.existing.subList(from, Math.min(load.existing.size(), from + batchSize));
            List<MultiGetResponseItem<ObjectNode>> docs;
            try {
                docs = bulkClient.mget(m -> {
                    m.index(layout.indexName());
                    chunk.forEach(r -> m.docs(d -> d.id(r.id()).routing(routingOf(r))));
                    return m;
                }, ObjectNode.class).docs();
            } catch (IOException | RuntimeException e) {
                load.broken = e;
                load.existing.subList(from, load.existing.size()).forEach(r -> load.failed.add(r.id()));
                return;
            }
            for (int i = 0; i < chunk.size(); i++) {
                VectorRecord r = chunk.get(i);
                boolean identical = docs.get(i).isResult() && docs.get(i).result().found()
                        && Objects.equals(docs.get(i).result().routing(), routingOf(r))
                        && sameJson(docs.get(i).result().source(), codec.encode(r));
                if (!identical) {
                    load.refused.add(r.id());
                }
            }
        }
    }

    /**
     * Whether two documents are the same, each compared as parsed from its text; the vectors float by float, since
     * two writers may give one float two texts, which parse to two doubles.
     */
    private boolean sameJson(ObjectNode stored, ObjectNode loaded) {
        if (stored == null) {
            return false;
        }
        try {
            ObjectNode a = (ObjectNode) json.readTree(json.writeValueAsBytes(stored));
            ObjectNode b = (ObjectNode) json.readTree(json.writeValueAsBytes(loaded));
            JsonNode va = a.remove(layout.vectorField());
            JsonNode vb = b.remove(layout.vectorField());
            if (!a.equals(b) || va == null || !va.isArray() || va.size() != vb.size()) {
                return false;
            }
            for (int i = 0; i < vb.size(); i++) {
                if ((float) va.get(i).doubleValue() != (float) vb.get(i).doubleValue()) {
                    return false;
                }
            }
            return true;
        } catch (IOException e) {
            throw new IllegalStateException("documents in memory are JSON", e);
        }
    }

    @Override
    public List<SearchHit> search(SearchRequest request) {
        float[] vector = Vectors.queryVector(request, dimension());
        int k = request.topK();
        if (k > MAX_TOP_K) {
            throw new IllegalArgumentException("OpenSearch returns at most " + MAX_TOP_K + " hits, topK was " + k);
        }
        Optional<Query> filter = request.filter().map(translator::translate);
        OpenSearchSearchPlan plan = planner.plan(request.filter(), routing, k, this::planCount, false);
        List<String> excluded = new ArrayList<>(List.of(layout.vectorField()));
        layout.metadataField().ifPresent(excluded::add);
        byte[] body = searchBody.write(codec.queryForm(vector), k, filter, plan, excluded);
        String what = "search " + layout.indexName();
        SearchResponse<ObjectNode> response = call(what, () -> search(body));
        List<SearchHit> hits = response.hits().hits().stream()
                .map(h -> new SearchHit(h.id(), layout.spaceType().cosineFromScore(h.score()),
                        codec.textOf(h.source()), codec.metadataOf(h.id(), h.source())))
                .toList();
        requireComplete(what, response.shards(), response.timedOut(), hits);
        return hits;
    }

    /**
     * The plan a search with this filter and k runs now, and why. In {@link SearchMode#ADAPTIVE}: the exact
     * {@code knn_score} script while the filter matches at most {@link Builder#exactMaxRows} documents, else the
     * {@code knn} query with the filter inside it and an {@code ef_search} for the share of the index the filter
     * keeps. The counts are the ones searches use: kept for {@link Builder#estimateCacheTtl} per filter (and tenant
     * partition), else asked for ({@code _count} of the filter and of the index, routed like the search). A fixed
     * mode's plan shows the counts for information. A count on which a shard failed throws
     * {@link PartialResultException}.
     */
    public OpenSearchSearchPlan explainPlan(Filter filter, int k) {
        return explain(Optional.of(Objects.requireNonNull(filter, "filter")), k);
    }

    /** {@link #explainPlan(Filter, int)} for a search without a filter: always approximate, nothing counted. */
    public OpenSearchSearchPlan explainPlan(int k) {
        return explain(Optional.empty(), k);
    }

    private OpenSearchSearchPlan explain(Optional<Filter> filter, int k) {
        if (k < 1 || k > MAX_TOP_K) {
            throw new IllegalArgumentException("k must be between 1 and " + MAX_TOP_K + ", was " + k);
        }
        filter.ifPresent(translator::translate);
        return planner.plan(filter, routing, k, this::planCount, true);
    }

    /**
     * Forgets the kept counts of every filter (also of this store's partitions), e.g. after a large load changed
     * the tenants' sizes; otherwise a count is kept for {@link Builder#estimateCacheTtl}.
     */
    public void forgetEstimates() {
        planner.forgetEstimates();
    }

    /**
     * Sends a search body through the client's generic API (its transport, connection, credentials and timeouts) and
     * reads the answer as the typed search would.
     */
    private SearchResponse<ObjectNode> search(byte[] body) throws IOException {
        Map<String, String> parameters = new HashMap<>();
        parameters.put("timeout", serverTimeout());
        if (routing != null) {
            parameters.put("routing", routing);
        }
        Request request = Requests.create("POST", "/" + URLEncoder.encode(layout.indexName(), StandardCharsets.UTF_8)
                + "/_search", List.of(), parameters, Body.from(body, "application/json"));
        JsonpMapper mapper = client._transport().jsonpMapper();
        try (Response response = client.generic().execute(request);
             InputStream in = response.getBody().map(Body::body).orElseGet(InputStream::nullInputStream)) {
            if (response.getStatus() != 200) {
                throw new StoreException("HTTP " + response.getStatus() + ": " + new String(in.readAllBytes(),
                        StandardCharsets.UTF_8), null);
            }
            try (JsonParser parser = mapper.jsonProvider().createParser(in)) {
                return SearchResponse.createSearchResponseDeserializer(JsonpDeserializer.of(ObjectNode.class))
                        .deserialize(parser, mapper);
            }
        }
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
        return countWhere(filter, "count " + layout.indexName());
    }

    /** The count that chooses a search's plan: an incomplete one throws, as every count does, and chooses nothing. */
    private long planCount(Optional<Filter> filter) {
        return countWhere(filter, "count " + layout.indexName() + " to choose the search plan");
    }

    private long countWhere(Optional<Filter> filter, String what) {
        Optional<Query> query = filter.map(translator::translate);
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
        try {
            return deleteByQuery(Query.of(q -> q.bool(b -> b.filter(clauses))));
        } catch (StoreException e) {
            // deleting them again converges
            throw Failures.naming(e, "the ids given may or may not be deleted", List.copyOf(new LinkedHashSet<>(ids)));
        }
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

    /**
     * {@link #existing}, whose failure fails the write before anything of it was sent: the exception names every
     * record of the batch as not written, as any failed write does, keeping a timeout a timeout.
     */
    private Map<String, Existing> existingOrNotWritten(List<VectorRecord> batch, Optional<Query> guard) {
        try {
            return existing(batch, guard);
        } catch (StoreException e) {
            throw Failures.naming(e, "the write to " + layout.indexName() + " was not sent",
                    batch.stream().map(VectorRecord::id).toList());
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

    /**
     * Sends the operations in batches; stops at the first batch with a failed item and names every id not written.
     * A call of several batches asks no refresh of each batch but refreshes once after the last one (and after a
     * failed item, so that what was written is visible): one refresh per call instead of a wait for one per batch.
     * When that refresh does not happen (a batch failed as a whole) or fails, the call names all its records.
     */
    private void bulk(List<BulkOperation> operations, List<String> ids) {
        boolean refreshAtEnd = operations.size() > batchSize && refresh != Refresh.False;
        Refresh perBatch = refreshAtEnd ? Refresh.False : refresh;
        for (int from = 0; from < operations.size(); from += batchSize) {
            int to = Math.min(operations.size(), from + batchSize);
            List<BulkOperation> chunk = operations.subList(from, to);
            List<String> unsent = ids.subList(to, ids.size());
            BulkResponse response;
            try {
                response = client.bulk(b -> b.operations(chunk).refresh(perBatch));
            } catch (IOException | RuntimeException e) {
                // the earlier batches await the refresh at the end, which will not come: they are named too
                throw failure("bulk write to " + layout.indexName() + " failed; the records of this call from this "
                        + "batch on may not have been written" + (refreshAtEnd && from > 0 ? ", and the earlier "
                        + "ones were not refreshed" : ""), refreshAtEnd ? ids : ids.subList(from, ids.size()), e);
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
                String message = "bulk write to " + layout.indexName() + ": " + failed.size() + " records were not "
                        + "written " + reasons + (unsent.isEmpty() ? "" : ", and " + unsent.size() + " of them were "
                        + "not sent");
                if (refreshAtEnd) {
                    try {
                        refreshIndex();
                    } catch (StoreException e) {
                        throw notRefreshed(message, ids, e);
                    }
                }
                throw new StoreException(message, failed, null);
            }
        }
        if (refreshAtEnd) {
            try {
                refreshIndex();
            } catch (StoreException e) {
                throw notRefreshed("bulk write to " + layout.indexName(), ids, e);
            }
        }
    }

    /**
     * The failure of a write whose final refresh failed: what it wrote is not visible to a search until a later
     * refresh, nor to a delete ({@code _delete_by_query} finds only refreshed documents), so it names every record
     * of the call; writing them again converges and refreshes.
     */
    private static StoreException notRefreshed(String what, List<String> ids, StoreException e) {
        return Failures.naming(e, what + " not refreshed: the records written are not visible yet", ids);
    }

    private void refreshIndex() {
        call("refresh " + layout.indexName(), () -> client.indices().refresh(r -> r.index(layout.indexName())));
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
        return failure(message, callTimeout, notWritten, e);
    }

    /** The same for a request whose connection waited {@code timeout} (a bulk load's). */
    private StoreException failure(String message, Duration timeout, List<String> notWritten, Exception e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            // the pool's deadline for a free connection passed (HttpClient notices it when the pool next changes);
            // the pool's state is known when it is the store's own
            if (t instanceof TimeoutException) {
                return new StoreTimeoutException(message + " (no connection came free within the "
                        + (connectionPool == null ? "client's own limit" : "call timeout of " + callTimeout + ": "
                        + poolState()) + ")", timeout, notWritten, e);
            }
            // the response and connect timeouts of HttpClient 5 are both interrupted I/O
            if (t instanceof InterruptedIOException) {
                return new StoreTimeoutException(message + " (no answer within the call timeout of " + timeout
                        + ")", timeout, notWritten, e);
            }
        }
        return new StoreException(message, notWritten, e);
    }

    private String poolState() {
        PoolStats pool = connectionPool.getTotalStats();
        return pool.getLeased() + " in use, " + pool.getPending() + " waiting, " + pool.getAvailable() + " idle, at most "
                + maxConnections + " per node";
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
        private SearchMode searchMode = SearchMode.ADAPTIVE;
        private int efSearch = 100;
        private long exactMaxRows = DEFAULT_EXACT_MAX_ROWS;
        /** None by default: ef_search 100 is the cheapest measured to give recall 0.99 from 10% to 50%. */
        private int raisedEfSearch = 0;
        private double raisedEfFrom = 1;
        private Duration estimateCacheTtl = Duration.ofSeconds(10);
        private Duration callTimeout = DEFAULT_CALL_TIMEOUT;
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private int maxConnections = DEFAULT_MAX_CONNECTIONS;
        private Duration bulkLoadTimeout = DEFAULT_BULK_LOAD_TIMEOUT;
        private int bulkLoadBytes = DEFAULT_BULK_LOAD_BYTES;
        private int bulkLoadRequests = DEFAULT_BULK_LOAD_REQUESTS;

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

        /**
         * {@link SearchMode#ADAPTIVE} (default) chooses per search; {@link SearchMode#APPROXIMATE} and
         * {@link SearchMode#EXACT} run every search with one plan and count nothing.
         */
        public Builder searchMode(SearchMode searchMode) {
            this.searchMode = Objects.requireNonNull(searchMode, "searchMode");
            return this;
        }

        /**
         * {@link SearchMode#ADAPTIVE}: a filtered search scores the matching documents exactly when the filter matches
         * at most this many ({@link #DEFAULT_EXACT_MAX_ROWS} by default; 0: only when none match).
         */
        public Builder exactMaxRows(long exactMaxRows) {
            if (exactMaxRows < 0) {
                throw new IllegalArgumentException("exactMaxRows cannot be negative, was " + exactMaxRows);
            }
            this.exactMaxRows = exactMaxRows;
            return this;
        }

        /**
         * {@link SearchMode#ADAPTIVE}: an approximate search whose filter keeps at least {@code fromSelectivity} of
         * the index asks for {@code efSearch} candidates (if more than {@link #efSearch(int)}); none by default.
         * Where the filter keeps a large share, more candidates buy recall cheaply (on 100,000 documents at 50%: ef
         * 100 gave 0.99 – 0.997, ef 200 0.999 for 6 – 40% more time), while at ~10% they make the walk run longer
         * before Lucene gives way to exact scoring (ef 200: three times slower). E.g. {@code raisedEfSearch(200, 0.25)}
         * for a margin above recall 0.99 on large tenants.
         */
        public Builder raisedEfSearch(int efSearch, double fromSelectivity) {
            if (efSearch < 1) {
                throw new IllegalArgumentException("efSearch must be positive, was " + efSearch);
            }
            if (!(fromSelectivity >= 0 && fromSelectivity <= 1)) {
                throw new IllegalArgumentException("fromSelectivity is a share from 0 to 1, not " + fromSelectivity);
            }
            this.raisedEfSearch = efSearch;
            this.raisedEfFrom = fromSelectivity;
            return this;
        }

        /**
         * {@link SearchMode#ADAPTIVE}: how long the counts that choose the plan are kept, per filter and tenant
         * partition (default 10 s; at most 10,000 filters); zero counts before every filtered search. A stale count
         * costs speed, never completeness: both plans return k whenever k documents match.
         */
        public Builder estimateCacheTtl(Duration estimateCacheTtl) {
            this.estimateCacheTtl = Durations.notNegative(estimateCacheTtl, "estimateCacheTtl");
            return this;
        }

        /**
         * HNSW candidates per approximate search ({@code method_parameters.ef_search}), at least k; 100 by default;
         * in {@link SearchMode#ADAPTIVE} the floor, which {@link #raisedEfSearch} raises for large shares.
         * Also where Lucene searches a filtered segment exactly (no more matching documents than this). Measured:
         * 200 made 10% selectivity three times slower on 100,000 documents (the walk runs longer before it gives
         * way to exact scoring); {@link #raisedEfSearch} can give only filters that keep a large share more.
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
            this.callTimeout = Durations.atLeastOneMilli(callTimeout, "callTimeout");
            return this;
        }

        /** How long the connection the store opens from a {@link #url} waits to connect (default 5 s). */
        public Builder connectTimeout(Duration connectTimeout) {
            this.connectTimeout = Durations.atLeastOneMilli(connectTimeout, "connectTimeout");
            return this;
        }

        /**
         * How many connections the store opened from urls keeps to each node (default
         * {@value OpenSearchStore#DEFAULT_MAX_CONNECTIONS}). A request waits for one until the {@link #callTimeout} has
         * passed (see the class's "Connections").
         */
        public Builder maxConnections(int perNode) {
            if (perNode < 1) {
                throw new IllegalArgumentException("maxConnections must be positive, was " + perNode);
            }
            this.maxConnections = perNode;
            return this;
        }

        /**
         * The {@link #callTimeout} of the requests of {@link OpenSearchStore#bulkLoad} (default 30 min, as pgvector's):
         * how long the connection the store opens waits for one of its bulk requests or its final refresh.
         */
        public Builder bulkLoadTimeout(Duration bulkLoadTimeout) {
            this.bulkLoadTimeout = Durations.atLeastOneMilli(bulkLoadTimeout, "bulkLoadTimeout");
            return this;
        }

        /** The size of one bulk request of {@link OpenSearchStore#bulkLoad}, in bytes of NDJSON; 8 MiB by default. */
        public Builder bulkLoadBytes(int bulkLoadBytes) {
            if (bulkLoadBytes < 1) {
                throw new IllegalArgumentException("bulkLoadBytes must be positive, was " + bulkLoadBytes);
            }
            this.bulkLoadBytes = bulkLoadBytes;
            return this;
        }

        /** How many bulk requests of {@link OpenSearchStore#bulkLoad} may be in flight at once; 2 by default. */
        public Builder bulkLoadRequests(int bulkLoadRequests) {
            if (bulkLoadRequests < 1) {
                throw new IllegalArgumentException("bulkLoadRequests must be positive, was " + bulkLoadRequests);
            }
            this.bulkLoadRequests = bulkLoadRequests;
            return this;
        }

        /**
         * The store. On an index that exists it reads the mapping and checks it against the schema and the layout
         * (see {@link OpenSearchIndexLayout#springAi}): an {@link InvalidSchemaException} names a field the index
         * cannot answer exactly; a string the mapping keeps as analysed text is filtered on its keyword subfield.
         * Nothing in the index changes.
         */
        public OpenSearchStore build() {
            // most of what the store writes is floats as text: Schubfach is about twice as fast as Float.toString
            ObjectMapper json = JsonMapper.builder().enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER).build();
            if (client != null) {
                if (urls != null || username != null) {
                    throw new IllegalStateException("give either a client or a url (with credentials), not both");
                }
                return new OpenSearchStore(this, client, null, null, json, fields(client));
            }
            if (urls == null) {
                throw new IllegalStateException("a url or a client is required");
            }
            // the store's own pool: the client library's holds 10 connections per node, and waits 3 minutes for one
            PoolingAsyncClientConnectionManager pool = PoolingAsyncClientConnectionManagerBuilder.create()
                    .setMaxConnPerRoute(maxConnections).setMaxConnTotal(maxConnections * urls.size())
                    .setDefaultConnectionConfig(ConnectionConfig.custom().setConnectTimeout(Timeout.of(connectTimeout))
                            .build())
                    .setTlsStrategy(ClientTlsStrategyBuilder.create().useSystemProperties().build())
                    .build();
            OpenSearchTransport transport = transport(json, pool);
            OpenSearchClient owned = new OpenSearchClient(transport);
            try {
                return new OpenSearchStore(this, owned, transport, pool, json, fields(owned));
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

        private OpenSearchTransport transport(ObjectMapper json, PoolingAsyncClientConnectionManager pool) {
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
                    .setRequestConfigCallback(r -> r.setResponseTimeout(Timeout.of(callTimeout.plus(RESPONSE_GRACE)))
                            .setConnectionRequestTimeout(Timeout.of(callTimeout)));
            if (uri.getPath() != null && !uri.getPath().isEmpty() && !uri.getPath().equals("/")) {
                transport.setPathPrefix(uri.getPath());
            }
            if (username != null) {
                BasicCredentialsProvider credentials = new BasicCredentialsProvider();
                for (HttpHost host : hosts) {
                    credentials.setCredentials(new AuthScope(host), new UsernamePasswordCredentials(username,
                            password.toCharArray()));
                }
                transport.setHttpClientConfigCallback(http -> http.setConnectionManager(pool)
                        .setDefaultCredentialsProvider(credentials));
            } else {
                transport.setHttpClientConfigCallback(http -> http.setConnectionManager(pool));
            }
            return transport.build();
        }
    }
}
