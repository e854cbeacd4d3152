package dev.portafilter.localservers.pinecone;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.Message;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.pinecone.proto.DeleteRequest;
import io.pinecone.proto.DeleteResponse;
import io.pinecone.proto.DescribeIndexStatsRequest;
import io.pinecone.proto.DescribeIndexStatsResponse;
import io.pinecone.proto.FetchRequest;
import io.pinecone.proto.FetchResponse;
import io.pinecone.proto.ListItem;
import io.pinecone.proto.ListRequest;
import io.pinecone.proto.ListResponse;
import io.pinecone.proto.NamespaceSummary;
import io.pinecone.proto.Pagination;
import io.pinecone.proto.QueryRequest;
import io.pinecone.proto.QueryResponse;
import io.pinecone.proto.ScoredVector;
import io.pinecone.proto.UpsertRequest;
import io.pinecone.proto.UpsertResponse;
import io.pinecone.proto.Usage;
import io.pinecone.proto.Vector;
import io.pinecone.proto.VectorServiceGrpc;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A Pinecone data plane for tests: a gRPC server on 127.0.0.1 implementing the client jar's own generated
 * {@code VectorService} (upsert, query, fetch, delete, list, describe_index_stats) over one in-memory cosine index of a
 * fixed dimension, so the real client talks to it over a real (plaintext) HTTP/2 connection.
 *
 * <p>It follows Pinecone's documentation: filters are evaluated by {@link PineconeFilterSemantics}; namespaces are
 * created by the first upsert and reported while non-empty, and a delete in a namespace that does not exist fails
 * with NOT_FOUND ("Namespace not found"), as Pinecone's does; "" and "__default__" are the default namespace;
 * requests over the documented limits (1,000 records or 2 MB per upsert, 40 KB of metadata per record, 1,000 ids per
 * fetch or delete, top_k up to 10,000, 4 MB per query result, ids and namespaces ASCII up to 512 characters, no
 * filtered index statistics as on serverless) fail with INVALID_ARGUMENT. Writes are visible at once (Pinecone is
 * eventually consistent). It records every call, and fails or delays calls on request: the next calls of a method
 * ({@link #failNext}, {@link #delayNext}), the calls after the next few ({@link #failAfter}, {@link #delayAfter}: one
 * request in the middle of a write the client splits into several), or a share of all calls under load
 * ({@link #failRandomly}).
 */
public final class LocalPineconeServer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The page size of {@code list} when the request sets none. */
    private static final int DEFAULT_LIST_LIMIT = 100;
    /** The methods of the service, as {@link Call#method()} names them and the fault methods take them. */
    public static final Set<String> METHODS = Set.of("upsert", "query", "fetch", "delete", "list",
            "describeIndexStats");

    /** One request the server received. */
    public record Call(String method, String namespace, Message request) {
    }

    private final int dimension;
    private final Map<String, Map<String, Vector>> namespaces = new TreeMap<>();
    private final List<Call> calls = Collections.synchronizedList(new ArrayList<>());
    /** Faults for the next calls of each method, in order; an entry without code or delay lets its call through. */
    private final Map<String, List<Fault>> faults = new HashMap<>();
    private RandomFaults randomFaults;
    private long failuresInjected;
    private final Server server;

    private record Fault(Status.Code code, Duration delay) {
        static final Fault PASS = new Fault(null, Duration.ZERO);
    }

    private record RandomFaults(Set<String> methods, Status.Code code, double probability, Random random) {
    }

    private LocalPineconeServer(int dimension, int port) {
        this.dimension = dimension;
        try {
            this.server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port))
                    .addService(new Service())
                    .build()
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the local Pinecone server", e);
        }
    }

    /** Starts a server for vectors of this dimension on any free port of 127.0.0.1. */
    public static LocalPineconeServer start(int dimension) {
        return start(dimension, 0);
    }

    /** Starts a server for vectors of this dimension on this port of 127.0.0.1 (0: any free port). */
    public static LocalPineconeServer start(int dimension, int port) {
        return new LocalPineconeServer(dimension, port);
    }

    public int port() {
        return server.getPort();
    }

    /** The index host to give a client, e.g. {@code http://127.0.0.1:41234}: plaintext, any API key. */
    public String host() {
        return "http://127.0.0.1:" + port();
    }

    /** The next {@code times} calls of {@code method} fail with {@code code}. */
    public void failNext(String method, Status.Code code, int times) {
        failAfter(method, 0, code, times);
    }

    /** The next {@code times} calls of {@code method} answer only after {@code delay}. */
    public void delayNext(String method, Duration delay, int times) {
        delayAfter(method, 0, delay, times);
    }

    /**
     * The next {@code succeeding} calls of {@code method} are answered, then the {@code times} after them fail with
     * {@code code}: with {@code succeeding = 1}, the second request of a write the client sends in several.
     */
    public synchronized void failAfter(String method, int succeeding, Status.Code code, int times) {
        if (code == Status.Code.OK) {
            throw new IllegalArgumentException("a failure needs a code other than OK");
        }
        queue(method, succeeding, new Fault(code, Duration.ZERO), times);
    }

    /**
     * The next {@code succeeding} calls of {@code method} are answered, then the {@code times} after them only after
     * {@code delay} (and then carried out): time for a test to cut the connection while that request is in flight.
     */
    public synchronized void delayAfter(String method, int succeeding, Duration delay, int times) {
        queue(method, succeeding, new Fault(null, delay), times);
    }

    /**
     * From now on until {@link #clearFaults}, each call of one of these methods fails with {@code code} with this
     * probability, drawn from a generator seeded with {@code seed}: the share is reproducible, which calls fail
     * depends on the order concurrent calls arrive in. Faults queued for a method's next calls come first.
     */
    public synchronized void failRandomly(Set<String> methods, Status.Code code, double probability, long seed) {
        methods.forEach(LocalPineconeServer::checkMethod);
        if (methods.isEmpty() || code == Status.Code.OK || !(probability > 0 && probability <= 1)) {
            throw new IllegalArgumentException("need some methods, a code other than OK and 0 < probability <= 1; got "
                    + methods + ", " + code + ", " + probability);
        }
        randomFaults = new RandomFaults(Set.copyOf(methods), code, probability, new Random(seed));
    }

    /** Ends {@link #failRandomly} and drops the queued faults not used yet: every call is answered again. */
    public synchronized void clearFaults() {
        randomFaults = null;
        faults.clear();
    }

    /** How many calls this server has failed on request so far, whichever way they were asked for. */
    public synchronized long failuresInjected() {
        return failuresInjected;
    }

    private void queue(String method, int succeeding, Fault fault, int times) {
        checkMethod(method);
        if (succeeding < 0 || times < 1) {
            throw new IllegalArgumentException("need succeeding >= 0 and times >= 1, got " + succeeding + " and "
                    + times);
        }
        List<Fault> pending = faults.computeIfAbsent(method, m -> new ArrayList<>());
        pending.addAll(Collections.nCopies(succeeding, Fault.PASS));
        pending.addAll(Collections.nCopies(times, fault));
    }

    private static void checkMethod(String method) {
        if (!METHODS.contains(method)) {
            throw new IllegalArgumentException("no method '" + method + "'; the service has " + METHODS);
        }
    }

    public List<Call> calls() {
        synchronized (calls) {
            return List.copyOf(calls);
        }
    }

    public List<Call> calls(String method) {
        return calls().stream().filter(c -> c.method().equals(method)).toList();
    }

    public void clearCalls() {
        calls.clear();
    }

    /** The ids stored in each non-empty namespace. */
    public synchronized Map<String, List<String>> contents() {
        Map<String, List<String>> out = new TreeMap<>();
        namespaces.forEach((n, records) -> {
            if (!records.isEmpty()) {
                out.put(n, List.copyOf(records.keySet()));
            }
        });
        return out;
    }

    /** The stored metadata of one record, or null. */
    public synchronized Struct metadata(String namespace, String id) {
        Vector v = namespaces.getOrDefault(namespace, Map.of()).get(id);
        return v == null ? null : v.getMetadata();
    }

    @Override
    public void close() {
        try {
            server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- the service ----

    private final class Service extends VectorServiceGrpc.VectorServiceImplBase {
        @Override
        public void upsert(UpsertRequest request, StreamObserver<UpsertResponse> out) {
            answer("upsert", request.getNamespace(), request, out, () -> {
                require(request.getVectorsCount() <= 1000, "at most 1,000 records per upsert, got "
                        + request.getVectorsCount());
                require(request.getSerializedSize() <= 2_000_000, "an upsert request may be at most 2 MB, got "
                        + request.getSerializedSize() + " bytes");
                for (Vector v : request.getVectorsList()) {
                    checkId(v.getId());
                    require(v.getValuesCount() == dimension, "vector dimension " + v.getValuesCount()
                            + " does not match the dimension of the index " + dimension);
                    require(v.getValuesList().stream().anyMatch(f -> f != 0), "dense vectors must contain at least one "
                            + "non-zero value");
                    checkMetadata(v.getMetadata());
                }
                synchronized (LocalPineconeServer.this) {
                    Map<String, Vector> records = namespace(request.getNamespace(), true);
                    request.getVectorsList().forEach(v -> records.put(v.getId(), v));
                }
                return UpsertResponse.newBuilder().setUpsertedCount(request.getVectorsCount()).build();
            });
        }

        @Override
        public void query(QueryRequest request, StreamObserver<QueryResponse> out) {
            answer("query", request.getNamespace(), request, out, () -> {
                require(request.getTopK() >= 1 && request.getTopK() <= 10_000, "top_k must be 1 to 10,000");
                require(request.getVectorCount() == dimension, "query vector dimension " + request.getVectorCount()
                        + " does not match the dimension of the index " + dimension);
                if (request.hasFilter()) {
                    PineconeFilterSemantics.validate(request.getFilter());
                }
                List<ScoredVector> matches = new ArrayList<>();
                synchronized (LocalPineconeServer.this) {
                    for (Vector v : namespace(request.getNamespace(), false).values()) {
                        if (request.hasFilter() && !PineconeFilterSemantics.matches(request.getFilter(), v.getMetadata())) {
                            continue;
                        }
                        ScoredVector.Builder m = ScoredVector.newBuilder().setId(v.getId())
                                .setScore((float) cosine(request.getVectorList(), v.getValuesList()));
                        if (request.getIncludeMetadata()) {
                            m.setMetadata(v.getMetadata());
                        }
                        if (request.getIncludeValues()) {
                            m.addAllValues(v.getValuesList());
                        }
                        matches.add(m.build());
                    }
                }
                matches.sort(Comparator.comparingDouble(ScoredVector::getScore).reversed());
                QueryResponse response = QueryResponse.newBuilder()
                        .addAllMatches(matches.subList(0, Math.min(request.getTopK(), matches.size())))
                        .setNamespace(request.getNamespace())
                        .build();
                require(response.getSerializedSize() <= 4_000_000, "the query result exceeds 4 MB");
                return response;
            });
        }

        @Override
        public void fetch(FetchRequest request, StreamObserver<FetchResponse> out) {
            answer("fetch", request.getNamespace(), request, out, () -> {
                require(request.getIdsCount() >= 1 && request.getIdsCount() <= 1000, "fetch takes 1 to 1,000 ids");
                FetchResponse.Builder response = FetchResponse.newBuilder().setNamespace(request.getNamespace());
                synchronized (LocalPineconeServer.this) {
                    Map<String, Vector> records = namespace(request.getNamespace(), false);
                    for (String id : request.getIdsList()) {
                        Vector v = records.get(id);
                        if (v != null) {
                            response.putVectors(id, v);
                        }
                    }
                }
                return response.build();
            });
        }

        @Override
        public void delete(DeleteRequest request, StreamObserver<DeleteResponse> out) {
            answer("delete", request.getNamespace(), request, out, () -> {
                require(request.getIdsCount() <= 1000, "delete takes at most 1,000 ids");
                if (request.hasFilter()) {
                    PineconeFilterSemantics.validate(request.getFilter());
                }
                synchronized (LocalPineconeServer.this) {
                    if (namespace(request.getNamespace(), false).isEmpty()) {
                        throw new NamespaceNotFound();
                    }
                    Map<String, Vector> records = namespace(request.getNamespace(), false);
                    if (request.getDeleteAll()) {
                        records.clear();
                    } else if (request.getIdsCount() > 0) {
                        request.getIdsList().forEach(records::remove);
                    } else if (request.hasFilter()) {
                        records.values().removeIf(v -> PineconeFilterSemantics.matches(request.getFilter(),
                                v.getMetadata()));
                    }
                }
                return DeleteResponse.getDefaultInstance();
            });
        }

        /**
         * The ids of one namespace that start with the prefix, in byte order, a page at a time: 100 unless the
         * request sets a limit, with a pagination token while more remain (none on the last page).
         */
        @Override
        public void list(ListRequest request, StreamObserver<ListResponse> out) {
            answer("list", request.getNamespace(), request, out, () -> {
                require(!request.hasLimit() || request.getLimit() >= 1, "limit must be at least 1");
                int limit = request.hasLimit() ? request.getLimit() : DEFAULT_LIST_LIMIT;
                String prefix = request.getPrefix();
                String after = request.hasPaginationToken() ? skipPast(request.getPaginationToken(), prefix) : null;
                List<String> ids;
                synchronized (LocalPineconeServer.this) {
                    // ids are ASCII, so String order is the bitwise ("C") order Pinecone documents
                    ids = namespace(request.getNamespace(), false).keySet().stream()
                            .filter(id -> id.startsWith(prefix) && (after == null || id.compareTo(after) > 0))
                            .sorted().toList();
                }
                ListResponse.Builder response = ListResponse.newBuilder().setNamespace(request.getNamespace())
                        .setUsage(Usage.newBuilder().setReadUnits(1));
                ids.stream().limit(limit).forEach(id -> response.addVectors(ListItem.newBuilder().setId(id)));
                if (ids.size() > limit) {
                    response.setPagination(Pagination.newBuilder().setNext(token(ids.get(limit - 1), prefix)));
                }
                return response.build();
            });
        }

        @Override
        public void describeIndexStats(DescribeIndexStatsRequest request,
                                       StreamObserver<DescribeIndexStatsResponse> out) {
            answer("describeIndexStats", "", request, out, () -> {
                require(!request.hasFilter(), "serverless indexes do not support describing index stats with "
                        + "metadata filtering");
                DescribeIndexStatsResponse.Builder response = DescribeIndexStatsResponse.newBuilder()
                        .setDimension(dimension).setMetric("cosine").setVectorType("dense");
                int total = 0;
                synchronized (LocalPineconeServer.this) {
                    for (Map.Entry<String, Map<String, Vector>> e : namespaces.entrySet()) {
                        if (!e.getValue().isEmpty()) {
                            response.putNamespaces(e.getKey(), NamespaceSummary.newBuilder()
                                    .setVectorCount(e.getValue().size()).build());
                            total += e.getValue().size();
                        }
                    }
                }
                return response.setTotalVectorCount(total).build();
            });
        }
    }

    private <T> void answer(String method, String namespace, Message request, StreamObserver<T> out, Supplier<T> body) {
        calls.add(new Call(method, namespace, request));
        Fault fault;
        synchronized (this) {
            List<Fault> pending = faults.getOrDefault(method, List.of());
            fault = pending.isEmpty() ? null : pending.remove(0);
            if (fault == null && randomFaults != null && randomFaults.methods().contains(method)
                    && randomFaults.random().nextDouble() < randomFaults.probability()) {
                fault = new Fault(randomFaults.code(), Duration.ZERO);
            }
            if (fault != null && fault.code() != null) {
                failuresInjected++;
            }
        }
        if (fault != null && !fault.delay().isZero()) {
            try {
                Thread.sleep(fault.delay().toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (fault != null && fault.code() != null) {
            out.onError(fault.code().toStatus().withDescription("injected by the test").asRuntimeException());
            return;
        }
        T response;
        try {
            checkNamespace(namespace);
            response = body.get();
        } catch (IllegalArgumentException e) {
            out.onError(Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException());
            return;
        } catch (NamespaceNotFound e) {
            out.onError(Status.NOT_FOUND.withDescription("Namespace not found").asRuntimeException());
            return;
        }
        out.onNext(response);
        out.onCompleted();
    }

    /** An opaque token to the client, as Pinecone's: the last id returned and the prefix, base64 JSON. */
    private static String token(String lastId, String prefix) {
        try {
            return Base64.getEncoder().encodeToString(JSON.writeValueAsBytes(Map.of("skip_past", lastId,
                    "prefix", prefix)));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The last id of the page a token follows; a token this server did not give for this prefix is invalid. */
    private static String skipPast(String token, String prefix) {
        try {
            Map<?, ?> t = JSON.readValue(Base64.getDecoder().decode(token), Map.class);
            if (t.get("skip_past") instanceof String last && prefix.equals(t.get("prefix"))) {
                return last;
            }
        } catch (IllegalArgumentException | IOException e) {
            // not a token of ours: answered below
        }
        throw new IllegalArgumentException("invalid pagination token");
    }

    /** Pinecone answers a delete in a namespace that does not exist with NOT_FOUND. */
    private static final class NamespaceNotFound extends RuntimeException {
        NamespaceNotFound() {
            super(null, null, false, false);
        }
    }

    private Map<String, Vector> namespace(String name, boolean create) {
        String key = name.equals("__default__") ? "" : name;
        return create ? namespaces.computeIfAbsent(key, n -> new LinkedHashMap<>())
                : namespaces.getOrDefault(key, new LinkedHashMap<>());
    }

    private static void checkId(String id) {
        require(!id.isEmpty() && id.length() <= 512 && id.chars().allMatch(c -> c > 0 && c < 128),
                "a record id must be 1 to 512 ASCII characters without NUL: '" + id + "'");
    }

    private static void checkNamespace(String namespace) {
        require(namespace.length() <= 512 && namespace.chars().allMatch(c -> c > 0 && c < 128),
                "a namespace must be at most 512 ASCII characters without NUL: '" + namespace + "'");
    }

    /** Metadata is a flat object of strings, numbers, booleans and lists of strings, at most 40 KB as JSON. */
    private static void checkMetadata(Struct metadata) {
        Map<String, Object> plain = new LinkedHashMap<>();
        metadata.getFieldsMap().forEach((k, v) -> plain.put(k, plain(k, v)));
        try {
            int size = JSON.writeValueAsString(plain).getBytes(StandardCharsets.UTF_8).length;
            require(size <= 40 * 1024, "metadata size is " + size + " bytes, which exceeds the limit of 40960 bytes");
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static Object plain(String key, Value v) {
        return switch (v.getKindCase()) {
            case STRING_VALUE -> v.getStringValue();
            case NUMBER_VALUE -> v.getNumberValue();
            case BOOL_VALUE -> v.getBoolValue();
            case LIST_VALUE -> v.getListValue().getValuesList().stream().map(e -> {
                require(e.hasStringValue(), "metadata field '" + key + "': lists may hold only strings");
                return e.getStringValue();
            }).toList();
            default -> throw new IllegalArgumentException("metadata field '" + key + "' has an unsupported value "
                    + v.getKindCase() + " (no null, no nested objects)");
        };
    }

    private static double cosine(List<Float> a, List<Float> b) {
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int i = 0; i < a.size(); i++) {
            dot += (double) a.get(i) * b.get(i);
            na += (double) a.get(i) * a.get(i);
            nb += (double) b.get(i) * b.get(i);
        }
        return dot / Math.sqrt(na * nb);
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }
}
