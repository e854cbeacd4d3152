package dev.portafilter.cli;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

/**
 * JSON over HTTP to an OpenSearch cluster's REST API, with basic authentication when a username is given: for the
 * reads the store's API does not offer (version, raw mapping, settings, aggregations). Callers map failures to
 * their own errors.
 */
public final class OpenSearchHttp {
    private final String url;
    private final String authorization;
    private final Duration timeout;
    private final HttpClient http;

    /** {@code username} null for a cluster without security; {@code timeout} per request, also to connect. */
    public OpenSearchHttp(String url, String username, String password, Duration timeout) {
        this.url = url.replaceAll("/+$", "");
        this.authorization = username == null ? null : "Basic " + Base64.getEncoder().encodeToString(
                (username + ":" + password).getBytes(StandardCharsets.UTF_8));
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    /** The cluster's URL without a trailing slash. */
    public String url() {
        return url;
    }

    public HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(uri(path)).GET());
    }

    public HttpResponse<String> postJson(String path, String json) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return http.send(request.timeout(timeout).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** @throws IllegalArgumentException when the URL and path make no URI */
    private URI uri(String path) {
        return URI.create(url + path);
    }

    /** A path segment (an index name) percent-encoded. */
    public static String encode(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
