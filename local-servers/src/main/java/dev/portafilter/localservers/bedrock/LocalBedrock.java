package dev.portafilter.localservers.bedrock;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.portafilter.core.store.VectorRecord;
import dev.portafilter.core.internal.Vectors;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.bedrockagentruntime.BedrockAgentRuntimeClient;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A local stand-in for one Bedrock knowledge base's {@code Retrieve} operation (bedrock-agent-runtime), and for
 * bedrock-agent's {@code GetKnowledgeBase}, {@code ListDataSources} and {@code GetDataSource} that describe it, on a
 * JDK HttpServer bound to
 * 127.0.0.1, for the real AWS SDK client to talk to through {@code endpointOverride}.
 *
 * <p>It proves that the adapter speaks the wire format the SDK produces (REST-JSON, SigV4 for service
 * {@code bedrock}), that filters the codec sends mean under Bedrock's documented semantics ({@link BedrockSemantics},
 * written independently of Portafilter's evaluator) what they mean in Portafilter, and that responses (text,
 * metadata, location, score, errors) are read correctly. It does not prove what Bedrock does where its
 * documentation is silent, how Bedrock chunks, parses or embeds documents, its scores, limits or quotas, or that
 * signatures verify: only a real knowledge base can (see {@code AwsKnowledgeBaseContractTest}).
 */
public final class LocalBedrock implements AutoCloseable {
    static final String BUCKET = "portafilter-scenario";
    /** The metadata keys Bedrock adds to every result: the document's URI and the chunk's id. */
    private static final String SOURCE_URI_KEY = "x-amz-bedrock-kb-source-uri";
    private static final String CHUNK_ID_KEY = "x-amz-bedrock-kb-chunk-id";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern RETRIEVE = Pattern.compile("/knowledgebases/([^/]+)/retrieve");
    /** bedrock-agent: GetKnowledgeBase, ListDataSources and GetDataSource. */
    private static final Pattern KNOWLEDGE_BASE = Pattern.compile("/knowledgebases/([^/]+)(/datasources/([^/]*))?");
    /** The data source of {@link #serveFolder} and {@link #serveRecords}. */
    static final String DEFAULT_DATA_SOURCE = "LOCALDS001";
    private static final String CREATED = "2025-01-01T00:00:00Z";

    /**
     * One data source of the knowledge base as bedrock-agent describes it (an S3 bucket), with the records synced
     * from it; {@code dataDeletionPolicy} is DELETE or RETAIN.
     */
    public record DataSource(String id, String name, String bucketArn, String dataDeletionPolicy,
                             List<VectorRecord> records) {
    }

    /** One chunk of the knowledge base: a whole document, as Bedrock would hold a short one. */
    record Chunk(String uri, String text, ObjectNode attributes, float[] vector, String dataSourceId) {
        String chunkId() {
            return UUID.nameUUIDFromBytes(uri.getBytes(StandardCharsets.UTF_8)).toString();
        }
    }

    private record Failure(int status, String type, String message) {
    }

    private final HttpServer server;
    private final String knowledgeBaseId;
    private final List<Chunk> chunks;
    private final ObjectNode storageConfiguration;
    private final List<DataSource> dataSources;
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicReference<JsonNode> lastRequest = new AtomicReference<>();
    private final AtomicReference<Failure> nextFailure = new AtomicReference<>();

    private LocalBedrock(String knowledgeBaseId, List<Chunk> chunks, int port) {
        this(knowledgeBaseId, chunks, port, openSearchServerless(), List.of(new DataSource(DEFAULT_DATA_SOURCE,
                "documents", "arn:aws:s3:::" + BUCKET, "DELETE", List.of())));
    }

    private LocalBedrock(String knowledgeBaseId, List<Chunk> chunks, int port, ObjectNode storageConfiguration,
                         List<DataSource> dataSources) {
        this.knowledgeBaseId = knowledgeBaseId;
        this.chunks = List.copyOf(chunks);
        this.storageConfiguration = storageConfiguration;
        this.dataSources = List.copyOf(dataSources);
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", this::handle);
        server.start();
    }

    /**
     * Serves the documents of a folder laid out for a Bedrock S3 data source, read by this class's own reader of
     * both sidecar forms (not by Portafilter's {@code SidecarIngestor}), as
     * {@code s3://portafilter-scenario/<relative path>}, on any free port of 127.0.0.1.
     */
    public static LocalBedrock serveFolder(String knowledgeBaseId, Path folder) {
        return serveFolder(knowledgeBaseId, folder, 0);
    }

    /** {@link #serveFolder(String, Path)} on this port of 127.0.0.1 (0: any free port). */
    public static LocalBedrock serveFolder(String knowledgeBaseId, Path folder, int port) {
        List<Chunk> chunks = new ArrayList<>();
        try (Stream<Path> files = Files.walk(folder)) {
            for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
                String name = file.getFileName().toString();
                if (!name.endsWith(".txt") && !name.endsWith(".md")) {
                    continue;
                }
                String relative = folder.relativize(file).toString().replace(file.getFileSystem().getSeparator(), "/");
                Path sidecar = file.resolveSibling(name + ".metadata.json");
                ObjectNode attributes = Files.exists(sidecar) ? attributes(sidecar) : JSON.createObjectNode();
                String text = Files.readString(file, StandardCharsets.UTF_8).strip();
                chunks.add(new Chunk("s3://" + BUCKET + "/" + relative, text, attributes, ToyEmbedding.INSTANCE.embed(text),
                        DEFAULT_DATA_SOURCE));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new LocalBedrock(knowledgeBaseId, chunks, port);
    }

    /** Serves records directly, each as {@code s3://portafilter-scenario/<id>.txt}. */
    public static LocalBedrock serveRecords(String knowledgeBaseId, List<VectorRecord> records) {
        return new LocalBedrock(knowledgeBaseId, chunks(records, BUCKET, DEFAULT_DATA_SOURCE), 0);
    }

    /**
     * A knowledge base with this storage configuration (bedrock-agent's {@code StorageConfiguration} JSON, as
     * {@code GetKnowledgeBase} returns it) and these data sources, each record as
     * {@code s3://<bucket>/<id>.txt} of its data source.
     */
    public static LocalBedrock serveKnowledgeBase(String knowledgeBaseId, ObjectNode storageConfiguration,
                                                  List<DataSource> dataSources) {
        List<Chunk> chunks = new ArrayList<>();
        for (DataSource d : dataSources) {
            chunks.addAll(chunks(d.records(), d.bucketArn().replaceFirst("^arn:aws:s3:::", ""), d.id()));
        }
        return new LocalBedrock(knowledgeBaseId, chunks, 0, storageConfiguration.deepCopy(), dataSources);
    }

    private static List<Chunk> chunks(List<VectorRecord> records, String bucket, String dataSourceId) {
        List<Chunk> chunks = new ArrayList<>();
        for (VectorRecord r : records) {
            ObjectNode attributes = JSON.valueToTree(r.metadata().toJava());
            chunks.add(new Chunk("s3://" + bucket + "/" + r.id() + ".txt", r.text(), attributes,
                    ToyEmbedding.INSTANCE.embed(r.text()), dataSourceId));
        }
        return chunks;
    }

    /** A vector index on OpenSearch Serverless with the field names Bedrock's quick create gives it. */
    public static ObjectNode openSearchServerless() {
        ObjectNode storage = JSON.createObjectNode().put("type", "OPENSEARCH_SERVERLESS");
        storage.putObject("opensearchServerlessConfiguration")
                .put("collectionArn", "arn:aws:aoss:us-east-1:000000000000:collection/local")
                .put("vectorIndexName", "bedrock-knowledge-base-default-index")
                .putObject("fieldMapping").put("vectorField", "bedrock-knowledge-base-default-vector")
                .put("textField", "AMAZON_BEDROCK_TEXT_CHUNK").put("metadataField", "AMAZON_BEDROCK_METADATA");
        return storage;
    }

    /** Both of Bedrock's sidecar forms: plain values, or {"value": {"type": ..., "<type>Value": ...}}. */
    private static ObjectNode attributes(Path sidecar) throws IOException {
        JsonNode attributes;
        try {
            attributes = JSON.readTree(sidecar.toFile()).path("metadataAttributes");
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(sidecar + ": not JSON: " + e.getOriginalMessage(), e);
        }
        if (!attributes.isObject()) {
            throw new IllegalArgumentException(sidecar + ": no \"metadataAttributes\" object");
        }
        ObjectNode out = JSON.createObjectNode();
        for (Map.Entry<String, JsonNode> e : attributes.properties()) {
            JsonNode v = e.getValue();
            if (v.isObject()) {
                JsonNode typed = v.path("value");
                String member = switch (typed.path("type").asText()) {
                    case "STRING" -> "stringValue";
                    case "NUMBER" -> "numberValue";
                    case "BOOLEAN" -> "booleanValue";
                    case "STRING_LIST" -> "stringListValue";
                    default -> throw new IllegalArgumentException(sidecar + ": unknown type in " + v);
                };
                v = typed.get(member);
            }
            out.set(e.getKey(), v);
        }
        return out;
    }

    /** The endpoint to give a client's {@code endpointOverride}, e.g. {@code http://127.0.0.1:41234}. */
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** The real SDK client on this server: static test credentials, no retries. */
    public BedrockAgentRuntimeClient client() {
        return client(endpoint());
    }

    /** The real SDK client on a local server at this endpoint: static test credentials, no retries. */
    public static BedrockAgentRuntimeClient client(URI endpoint) {
        return BedrockAgentRuntimeClient.builder()
                .endpointOverride(endpoint)
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDTEST", "test")))
                .httpClient(UrlConnectionHttpClient.create())
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()))
                .build();
    }

    public String knowledgeBaseId() {
        return knowledgeBaseId;
    }

    List<Chunk> chunks() {
        return chunks;
    }

    /** Retrieve calls received so far. */
    public int requests() {
        return requests.get();
    }

    /** The body of the last Retrieve call. */
    public JsonNode lastRequest() {
        return lastRequest.get();
    }

    /** Answers the next call with this error, as Bedrock's REST-JSON protocol does. */
    public void failNext(int status, String errorType, String message) {
        nextFailure.set(new Failure(status, errorType, message));
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            requests.incrementAndGet();
            Failure failure = nextFailure.getAndSet(null);
            if (failure != null) {
                error(exchange, failure.status, failure.type, failure.message);
                return;
            }
            Matcher m = RETRIEVE.matcher(exchange.getRequestURI().getRawPath());
            Matcher agent = KNOWLEDGE_BASE.matcher(exchange.getRequestURI().getRawPath());
            boolean retrieve = exchange.getRequestMethod().equals("POST") && m.matches();
            if (!retrieve && !agent.matches()) {
                error(exchange, 404, "ResourceNotFoundException", "no such operation: " + exchange.getRequestURI());
                return;
            }
            String auth = exchange.getRequestHeaders().getFirst("Authorization");
            if (auth == null || !auth.startsWith("AWS4-HMAC-SHA256") || !auth.contains("/bedrock/aws4_request")) {
                error(exchange, 403, "AccessDeniedException", "expected a SigV4 signature for service bedrock");
                return;
            }
            String id = retrieve ? m.group(1) : agent.group(1);
            if (!URLDecoder.decode(id, StandardCharsets.UTF_8).equals(knowledgeBaseId)) {
                error(exchange, 404, "ResourceNotFoundException", "no knowledge base " + id);
                return;
            }
            if (!retrieve) {
                agent(exchange, agent.group(2) == null ? null : URLDecoder.decode(agent.group(3), StandardCharsets.UTF_8));
                return;
            }
            JsonNode body;
            try (InputStream in = exchange.getRequestBody()) {
                body = JSON.readTree(in);
            }
            lastRequest.set(body);
            try {
                respond(exchange, 200, retrieve(body));
            } catch (BedrockSemantics.ValidationException e) {
                error(exchange, 400, "ValidationException", e.getMessage());
            }
        }
    }

    /**
     * bedrock-agent's GetKnowledgeBase ({@code GET /knowledgebases/ID}), ListDataSources
     * ({@code POST /knowledgebases/ID/datasources/}) and GetDataSource ({@code GET .../datasources/DSID}).
     */
    private void agent(HttpExchange exchange, String dataSourceId) throws IOException {
        String method = exchange.getRequestMethod();
        lastRequest.set(null);
        if (dataSourceId == null && method.equals("GET")) {
            ObjectNode kb = JSON.createObjectNode();
            kb.putObject("knowledgeBase").put("knowledgeBaseId", knowledgeBaseId).put("name", knowledgeBaseId)
                    .put("knowledgeBaseArn", "arn:aws:bedrock:us-east-1:000000000000:knowledge-base/" + knowledgeBaseId)
                    .put("roleArn", "arn:aws:iam::000000000000:role/local").put("status", "ACTIVE")
                    .put("createdAt", CREATED).put("updatedAt", CREATED)
                    .<ObjectNode>set("storageConfiguration", storageConfiguration)
                    .putObject("knowledgeBaseConfiguration").put("type", "VECTOR");
            respond(exchange, 200, kb);
        } else if (dataSourceId != null && dataSourceId.isEmpty() && method.equals("POST")) {
            ObjectNode list = JSON.createObjectNode();
            ArrayNode summaries = list.putArray("dataSourceSummaries");
            dataSources.forEach(d -> summaries.addObject().put("knowledgeBaseId", knowledgeBaseId)
                    .put("dataSourceId", d.id()).put("name", d.name()).put("status", "AVAILABLE")
                    .put("updatedAt", CREATED));
            respond(exchange, 200, list);
        } else if (dataSourceId != null && method.equals("GET")) {
            DataSource d = dataSources.stream().filter(s -> s.id().equals(dataSourceId)).findFirst().orElse(null);
            if (d == null) {
                error(exchange, 404, "ResourceNotFoundException", "no data source " + dataSourceId);
                return;
            }
            ObjectNode body = JSON.createObjectNode();
            ObjectNode ds = body.putObject("dataSource").put("knowledgeBaseId", knowledgeBaseId)
                    .put("dataSourceId", d.id()).put("name", d.name()).put("status", "AVAILABLE")
                    .put("dataDeletionPolicy", d.dataDeletionPolicy()).put("createdAt", CREATED)
                    .put("updatedAt", CREATED);
            ds.putObject("dataSourceConfiguration").put("type", "S3").putObject("s3Configuration")
                    .put("bucketArn", d.bucketArn());
            respond(exchange, 200, body);
        } else {
            error(exchange, 404, "ResourceNotFoundException", "no such operation: " + method + " "
                    + exchange.getRequestURI());
        }
    }

    private ObjectNode retrieve(JsonNode body) {
        String text = body.path("retrievalQuery").path("text").asText("");
        if (text.isBlank()) {
            throw new BedrockSemantics.ValidationException("retrievalQuery.text is required");
        }
        JsonNode config = body.path("retrievalConfiguration").path("vectorSearchConfiguration");
        int k = config.path("numberOfResults").asInt(5);
        if (k < 1 || k > 100) {
            throw new BedrockSemantics.ValidationException("numberOfResults must be between 1 and 100");
        }
        JsonNode filter = config.get("filter");
        float[] query = ToyEmbedding.INSTANCE.embed(text);
        record Scored(Chunk chunk, double score) {
        }
        List<Scored> matches = new ArrayList<>();
        for (Chunk c : chunks) {
            if (filter == null || BedrockSemantics.matches(filter, c.attributes())) {
                matches.add(new Scored(c, Vectors.cosine(query, c.vector())));
            }
        }
        matches.sort(Comparator.comparingDouble(Scored::score).reversed().thenComparing(s -> s.chunk().uri()));
        ObjectNode response = JSON.createObjectNode();
        ArrayNode results = response.putArray("retrievalResults");
        for (Scored s : matches.subList(0, Math.min(k, matches.size()))) {
            ObjectNode result = results.addObject();
            result.putObject("content").put("type", "TEXT").put("text", s.chunk().text());
            ObjectNode location = result.putObject("location").put("type", "S3");
            location.putObject("s3Location").put("uri", s.chunk().uri());
            ObjectNode metadata = result.putObject("metadata");
            // Bedrock's NUMBER is a double; integers come back as 2023.0.
            s.chunk().attributes().properties().forEach(e -> metadata.set(e.getKey(),
                    e.getValue().isIntegralNumber() ? JSON.getNodeFactory().numberNode(e.getValue().doubleValue())
                            : e.getValue()));
            metadata.put(SOURCE_URI_KEY, s.chunk().uri());
            metadata.put(CHUNK_ID_KEY, s.chunk().chunkId());
            metadata.put("x-amz-bedrock-kb-data-source-id", s.chunk().dataSourceId());
            result.put("score", s.score());
        }
        return response;
    }

    private static void error(HttpExchange exchange, int status, String type, String message) throws IOException {
        exchange.getResponseHeaders().set("x-amzn-ErrorType", type);
        respond(exchange, status, JSON.createObjectNode().put("message", message));
    }

    private static void respond(HttpExchange exchange, int status, ObjectNode body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }
}
