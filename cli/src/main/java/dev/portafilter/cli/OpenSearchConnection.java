package dev.portafilter.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portafilter.core.metadata.MetadataSchema;
import dev.portafilter.core.store.VectorStore;
import dev.portafilter.opensearch.OpenSearchIndexLayout;
import dev.portafilter.opensearch.OpenSearchStore;

import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/** An OpenSearch cluster with the k-NN plugin; scratch indexes are {@code portafilter-audit-<run>-<n>}. */
final class OpenSearchConnection implements BackendConnection {
    private final String url;
    private final String username;
    private final String password;
    private final OpenSearchHttp http;
    private final String run = RunIds.next();
    private final AtomicInteger indexes = new AtomicInteger();
    private final String description;

    OpenSearchConnection(String url, String username, String password) {
        this.url = url;
        this.username = username;
        this.password = password;
        this.http = new OpenSearchHttp(url, username, password, Duration.ofSeconds(10));
        this.description = probe();
    }

    /** Asks the cluster for its version, so that a wrong URL or credentials fail before any test runs. */
    private String probe() {
        JsonNode info = get("/").orElseThrow(() -> new BackendOptions.BackendUnavailableException("OpenSearch at "
                + url + " answered HTTP 404", null));
        return info.path("version").path("distribution").asText("opensearch") + " "
                + info.path("version").path("number").asText("?") + " at " + url;
    }

    /** The JSON the cluster answers at the path; empty on 404. */
    private Optional<JsonNode> get(String path) {
        try {
            HttpResponse<String> response = http.get(path);
            if (response.statusCode() == 404) {
                return Optional.empty();
            }
            if (response.statusCode() != 200) {
                throw new BackendOptions.BackendUnavailableException("OpenSearch at " + url + " answered HTTP "
                        + response.statusCode() + (response.statusCode() == 401 ? ": check the username and password" : ""),
                        null);
            }
            return Optional.of(new ObjectMapper().readTree(response.body()));
        } catch (IOException | IllegalArgumentException e) {
            throw new BackendOptions.BackendUnavailableException("cannot reach OpenSearch at " + url + ": " + why(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BackendOptions.BackendUnavailableException("interrupted while reaching " + url, e);
        }
    }

    /**
     * A store over an index that exists, laid out as Portafilter lays out its own: its vector field's own dimension,
     * and, where the index has the nested field of undeclared fields, a schema that allows them.
     */
    OpenSearchStore existingStore(String index, MetadataSchema schema) {
        JsonNode mappings = get("/" + OpenSearchHttp.encode(index) + "/_mapping")
                // keyed by the concrete index, which an alias hides; an alias of several indexes has no one layout
                .flatMap(m -> m.size() == 1 ? Optional.ofNullable(m.elements().next().path("mappings").get("properties"))
                        : Optional.empty())
                .orElseThrow(() -> new Inputs.BadInputException("no index " + index + " in " + description, null));
        int dimension = mappings.path("embedding").path("dimension").asInt(0);
        if (dimension < 1) {
            throw new Inputs.BadInputException("index " + index + " has no knn_vector field 'embedding'", null);
        }
        MetadataSchema indexSchema = schema;
        if (mappings.has(OpenSearchIndexLayout.DEFAULT_UNDECLARED_FIELD) && !schema.allowsUndeclared()) {
            MetadataSchema.Builder open = MetadataSchema.builder().allowUndeclared();
            schema.fields().forEach(open::field);
            indexSchema = open.build();
        }
        return store(index, indexSchema, dimension);
    }

    private static String why(Exception e) {
        if (e instanceof ConnectException) {
            return "connection refused";
        }
        if (e instanceof HttpTimeoutException) {
            return "no answer within 10 s";
        }
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    @Override
    public String name() {
        return "opensearch";
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public VectorStore newStore(MetadataSchema schema, int dimension) {
        OpenSearchStore store = store("portafilter-audit-" + run + "-" + indexes.incrementAndGet(), schema, dimension);
        store.createIndex();
        return store;
    }

    @Override
    public VectorStore openStore(String name, MetadataSchema schema, int dimension, String tenantField) {
        OpenSearchStore store = store(name, schema, dimension);
        store.createIndexIfMissing();
        return store;
    }

    private OpenSearchStore store(String index, MetadataSchema schema, int dimension) {
        OpenSearchStore.Builder builder = OpenSearchStore.builder(OpenSearchIndexLayout.builder(index, schema, dimension)
                .build()).url(url);
        if (username != null) {
            builder.basicAuth(username, password);
        }
        return builder.build();
    }

    @Override
    public void dispose(VectorStore store) {
        ((OpenSearchStore) store).deleteIndex();
        store.close();
    }

    @Override
    public void close() {
    }
}
