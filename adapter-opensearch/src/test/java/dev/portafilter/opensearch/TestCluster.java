package dev.portafilter.opensearch;

import dev.portafilter.conformance.BackendLocator;
import org.opensearch.client.opensearch.OpenSearchClient;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The three-node cluster that {@code scripts/opensearch.sh cluster-start} runs, found by
 * {@code PORTAFILTER_OPENSEARCH_CLUSTER_URLS} in the environment, else in {@code .backends/opensearch-cluster.env}.
 * With none, or none answering, the tests fail under {@code CI=true} and are skipped, saying why, elsewhere.
 * {@link #killNode} and {@link #startNode} run the script's {@code node-kill} and {@code node-start}.
 */
final class TestCluster {
    static final String BACKEND = "opensearch-cluster";
    static final String URLS_VARIABLE = "PORTAFILTER_OPENSEARCH_CLUSTER_URLS";
    static final String ENV_FILE = "opensearch-cluster.env";
    static final int NODES = 3;

    private static List<String> urls;
    private static OpenSearchClient client;
    private static String missing;

    private TestCluster() {
    }

    /** Every node's url; throws the locator's fail-or-skip exception when there is no cluster or it does not answer. */
    static synchronized List<String> urls() {
        if (urls == null && missing == null) {
            Optional<String> found = BackendLocator.find(URLS_VARIABLE, ENV_FILE);
            if (found.isEmpty()) {
                missing = URLS_VARIABLE + " is not set and .backends/" + ENV_FILE + " does not exist; run "
                        + "scripts/opensearch.sh cluster-start";
            } else {
                List<String> candidates = Arrays.stream(found.get().split(",")).map(String::trim).toList();
                OpenSearchClient candidate = TestServer.connect(candidates);
                missing = TestServer.answers(candidate) ? null : "no node answers at " + found.get()
                        + "; start the cluster with scripts/opensearch.sh cluster-start";
                if (missing == null) {
                    urls = candidates;
                    client = candidate;
                }
            }
        }
        if (missing != null) {
            throw BackendLocator.unavailable(BACKEND, missing);
        }
        return urls;
    }

    /** One client over all three nodes, shared by the tests. */
    static synchronized OpenSearchClient client() {
        urls();
        return client;
    }

    /** Node {@code n}'s url (1-based, as the script numbers them). */
    static String nodeUrl(int n) {
        return urls().get(n - 1);
    }

    /** {@code kill -9} of node {@code n}, through the script; returns once the process is gone. */
    static void killNode(int n) {
        script("node-kill", n, Duration.ofSeconds(30));
    }

    /** Starts node {@code n} again on its ports, through the script; returns once it joined the cluster. */
    static void startNode(int n) {
        script("node-start", n, Duration.ofMinutes(6));
    }

    private static void script(String command, int node, Duration limit) {
        Path root = BackendLocator.repositoryRoot().orElseThrow(() -> new IllegalStateException("no repository root"));
        Path log = root.resolve("adapter-opensearch/target/cluster-" + command + "-" + node + ".log");
        try {
            Process process = new ProcessBuilder("bash", root.resolve("scripts/opensearch.sh").toString(), command,
                    String.valueOf(node)).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!process.waitFor(limit.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("scripts/opensearch.sh " + command + " " + node + " took over " + limit);
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException("scripts/opensearch.sh " + command + " " + node + " failed: "
                        + Files.readString(log, StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run scripts/opensearch.sh " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
