package dev.portafilter.opensearch;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portafilter.conformance.BackendLocator;
import org.apache.hc.client5.http.auth.AuthScope;
import org.apache.hc.client5.http.auth.UsernamePasswordCredentials;
import org.apache.hc.client5.http.impl.auth.BasicCredentialsProvider;
import org.apache.hc.core5.http.HttpHost;
import org.opensearch.client.json.jackson.JacksonJsonpMapper;
import org.opensearch.client.opensearch.OpenSearchClient;
import org.opensearch.client.transport.httpclient5.ApacheHttpClient5TransportBuilder;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The OpenSearch the tests run against, found in this order: the environment variable
 * {@code PORTAFILTER_OPENSEARCH_URL}; else a Testcontainers {@code opensearchproject/opensearch} container where
 * Docker is available; else the {@code .backends/opensearch.env} file that {@code scripts/opensearch.sh start}
 * writes. {@code PORTAFILTER_OPENSEARCH_USERNAME} / {@code _PASSWORD} add basic authentication. With none, the
 * tests fail under {@code CI=true} and are skipped, saying why, elsewhere.
 */
final class TestServer {
    static final String URL_VARIABLE = "PORTAFILTER_OPENSEARCH_URL";
    static final String USERNAME_VARIABLE = "PORTAFILTER_OPENSEARCH_USERNAME";
    static final String PASSWORD_VARIABLE = "PORTAFILTER_OPENSEARCH_PASSWORD";
    private static final String IMAGE = "opensearchproject/opensearch:2.19.0";

    private static String url;
    private static OpenSearchClient client;
    /** Why no server was found, kept so that later test classes skip or fail without searching again. */
    private static String missing;

    private TestServer() {
    }

    /** The server's url; throws the locator's fail-or-skip exception when there is none or it does not answer. */
    static synchronized String url() {
        if (url == null && missing == null) {
            Optional<String> found = locate();
            if (found.isEmpty()) {
                missing = URL_VARIABLE + " is not set, Docker is not available, and .backends/opensearch.env does "
                        + "not exist; run scripts/opensearch.sh start";
            } else {
                OpenSearchClient candidate = connect(List.of(found.get()));
                missing = answers(candidate) ? null : "no server answers at " + found.get()
                        + "; start one with scripts/opensearch.sh start";
                if (missing == null) {
                    url = found.get();
                    client = candidate;
                }
            }
        }
        if (missing != null) {
            throw BackendLocator.unavailable("opensearch", missing);
        }
        return url;
    }

    static boolean answers(OpenSearchClient candidate) {
        try {
            return candidate.ping().value();
        } catch (IOException e) {
            return false;
        }
    }

    /** One client shared by the tests, for the fixture and for requests outside the store. */
    static synchronized OpenSearchClient client() {
        url();
        return client;
    }

    /** A store builder that connects by url, with the credentials from the environment if any. */
    static OpenSearchStore.Builder storeByUrl(OpenSearchIndexLayout layout) {
        OpenSearchStore.Builder builder = OpenSearchStore.builder(layout).url(url());
        credentials().ifPresent(c -> builder.basicAuth(c[0], c[1]));
        return builder;
    }

    /** A fresh index name, so that tests never share data. */
    static String scratchIndex(String prefix) {
        return "pf-" + prefix + "-" + UUID.randomUUID().toString().substring(0, 12);
    }

    private static Optional<String> locate() {
        String fromEnv = System.getenv(URL_VARIABLE);
        if (fromEnv != null && !fromEnv.isBlank()) {
            return Optional.of(fromEnv.trim());
        }
        if (dockerAvailable()) {
            GenericContainer<?> container = new GenericContainer<>(IMAGE)
                    .withEnv("discovery.type", "single-node")
                    .withEnv("DISABLE_SECURITY_PLUGIN", "true")
                    .withEnv("DISABLE_INSTALL_DEMO_CONFIG", "true")
                    .withEnv("OPENSEARCH_JAVA_OPTS", "-Xms512m -Xmx512m")
                    .withExposedPorts(9200)
                    .waitingFor(Wait.forHttp("/_cluster/health").forPort(9200)
                            .withStartupTimeout(Duration.ofMinutes(3)));
            container.start(); // stopped by Testcontainers when the JVM ends
            return Optional.of("http://" + container.getHost() + ":" + container.getMappedPort(9200));
        }
        return BackendLocator.find(URL_VARIABLE, "opensearch.env");
    }

    private static boolean dockerAvailable() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }

    static Optional<String[]> credentials() {
        String user = System.getenv(USERNAME_VARIABLE);
        String password = System.getenv(PASSWORD_VARIABLE);
        return user == null || user.isBlank() ? Optional.empty()
                : Optional.of(new String[] {user, password == null ? "" : password});
    }

    /** A client of the nodes at these urls (one server, or the nodes of a cluster), with the environment's credentials. */
    static OpenSearchClient connect(List<String> serverUrls) {
        HttpHost[] hosts = serverUrls.stream().map(URI::create)
                .map(uri -> new HttpHost(uri.getScheme(), uri.getHost(), uri.getPort())).toArray(HttpHost[]::new);
        ApacheHttpClient5TransportBuilder transport = ApacheHttpClient5TransportBuilder.builder(hosts)
                .setMapper(new JacksonJsonpMapper(new ObjectMapper()));
        credentials().ifPresent(c -> {
            BasicCredentialsProvider provider = new BasicCredentialsProvider();
            for (HttpHost host : hosts) {
                provider.setCredentials(new AuthScope(host), new UsernamePasswordCredentials(c[0], c[1].toCharArray()));
            }
            transport.setHttpClientConfigCallback(http -> http.setDefaultCredentialsProvider(provider));
        });
        return new OpenSearchClient(transport.build());
    }
}
