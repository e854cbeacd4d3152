package dev.portafilter.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portafilter.core.metadata.MetadataSchema;
import dev.portafilter.core.store.VectorStore;
import dev.portafilter.opensearch.OpenSearchIndexLayout;
import dev.portafilter.opensearch.OpenSearchStore;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicInteger;

/** An OpenSearch cluster with the k-NN plugin; scratch indexes are {@code portafilter-audit-<run>-<n>}. */
final class OpenSearchConnection implements BackendConnection {
    private final String url;
    private final String username;
    private final String password;
    private final String run = RunIds.next();
    private final AtomicInteger indexes = new AtomicInteger();
    private final String description;

    OpenSearchConnection(String url, String username, String password) {
        this.url = url;
        this.username = username;
        this.password = password;
        this.description = probe();
    }

    /** Asks the cluster for its version, so that a wrong URL or credentials fail before any test runs. */
    private String probe() {
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url.replaceAll("/+$", "") + "/"))
                    .timeout(Duration.ofSeconds(10)).GET();
            if (username != null) {
                request.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                        (username + ":" + password).getBytes(StandardCharsets.UTF_8)));
            }
            HttpResponse<String> response = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build()
                    .send(request.build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new BackendOptions.BackendUnavailableException("OpenSearch at " + url + " answered HTTP "
                        + response.statusCode() + (response.statusCode() == 401 ? ": check the username and password" : ""),
                        null);
            }
            JsonNode info = new ObjectMapper().readTree(response.body());
            return info.path("version").path("distribution").asText("opensearch") + " "
                    + info.path("version").path("number").asText("?") + " at " + url;
        } catch (IOException | IllegalArgumentException e) {
            throw new BackendOptions.BackendUnavailableException("cannot reach OpenSearch at " + url + ": " + why(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BackendOptions.BackendUnavailableException("interrupted while reaching " + url, e);
        }
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
