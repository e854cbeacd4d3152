package dev.portafilter.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The smallest OpenSearch client: JSON text over the JDK's {@code java.net.http}, one connection per thread in use,
 * the response's ids read with Jackson. What the stores are compared with, as a user writing the query by hand gets
 * it; also the harness's own admin calls (index creation, refresh, force merge).
 */
final class RawOpenSearch {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final String url;

    RawOpenSearch(String url) {
        this.url = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    static ObjectMapper json() {
        return JSON;
    }

    /** A request; a status other than 2xx is an error naming the call and the server's answer. */
    JsonNode send(String method, String path, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url + path)).timeout(Duration.ofMinutes(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", path.endsWith("_bulk") ? "application/x-ndjson" : "application/json");
        try {
            HttpResponse<byte[]> response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            if (response.statusCode() / 100 != 2) {
                throw new IllegalStateException(method + " " + path + ": HTTP " + response.statusCode() + ": "
                        + new String(response.body(), java.nio.charset.StandardCharsets.UTF_8));
            }
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new IllegalStateException(method + " " + path + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(method + " " + path + " interrupted", e);
        }
    }

    /** A search's whole answer. */
    JsonNode search(String index, String body) {
        return send("POST", "/" + index + "/_search", body);
    }

    /** The ids of a search's hits, best first. */
    List<String> searchIds(String index, String body) {
        JsonNode hits = search(index, body).path("hits").path("hits");
        List<String> ids = new ArrayList<>(hits.size());
        hits.forEach(h -> ids.add(h.get("_id").asText()));
        return ids;
    }

    /** One {@code _bulk} request of NDJSON lines; a failed item fails it. */
    void bulk(String ndjson) {
        JsonNode answer = send("POST", "/_bulk", ndjson);
        if (answer.path("errors").asBoolean()) {
            for (JsonNode item : answer.path("items")) {
                JsonNode error = item.elements().next().get("error");
                if (error != null) {
                    throw new IllegalStateException("_bulk item failed: " + error);
                }
            }
        }
    }

    void createIndex(String index, ObjectNode body) {
        send("PUT", "/" + index, body.toString());
    }

    void deleteIndex(String index) {
        http.sendAsync(HttpRequest.newBuilder(URI.create(url + "/" + index)).DELETE().build(),
                HttpResponse.BodyHandlers.discarding()).join();
    }

    void refresh(String index) {
        send("POST", "/" + index + "/_refresh", null);
    }

    /** Refresh, merge to one segment (one HNSW graph), refresh: the shape every searched index is measured in. */
    void forceMerge(String index) {
        refresh(index);
        send("POST", "/" + index + "/_forcemerge?max_num_segments=1", null);
        refresh(index);
    }

    /**
     * {@code OpenSearchStore}'s approximate query as JSON text: the filter inside {@code knn} with
     * {@code method_parameters.ef_search}, the vector left out of {@code _source}.
     */
    static String approximateBody(String vectorField, String filterJson, float[] vector, int k, int efSearch) {
        StringBuilder body = new StringBuilder(8_192).append("{\"size\":").append(k)
                .append(",\"_source\":{\"excludes\":[\"").append(vectorField).append("\"]},\"query\":{\"knn\":{\"")
                .append(vectorField).append("\":{\"vector\":");
        appendVector(body, vector);
        return body.append(",\"k\":").append(k).append(",\"filter\":").append(filterJson)
                .append(",\"method_parameters\":{\"ef_search\":").append(efSearch).append("}}}}}").toString();
    }

    /**
     * The exact query as JSON text: the {@code knn_score} script over the documents the filter matches; with
     * {@code wholeSource} every hit's whole {@code _source}, else the vector left out as the store does.
     */
    static String exactBody(String vectorField, String spaceType, String filterJson, float[] vector, int k,
                            boolean wholeSource) {
        StringBuilder body = new StringBuilder(8_192).append("{\"size\":").append(k);
        if (!wholeSource) {
            body.append(",\"_source\":{\"excludes\":[\"").append(vectorField).append("\"]}");
        }
        body.append(",\"query\":{\"script_score\":{\"query\":").append(filterJson)
                .append(",\"script\":{\"source\":\"knn_score\",\"lang\":\"knn\",\"params\":{\"field\":\"")
                .append(vectorField).append("\",\"space_type\":\"").append(spaceType).append("\",\"query_value\":");
        appendVector(body, vector);
        return body.append("}}}}}").toString();
    }

    /** A vector as a JSON array, as a hand-written client prints it. */
    private static void appendVector(StringBuilder out, float[] vector) {
        out.append('[');
        for (int i = 0; i < vector.length; i++) {
            if (i > 0) {
                out.append(',');
            }
            out.append(vector[i]);
        }
        out.append(']');
    }
}
