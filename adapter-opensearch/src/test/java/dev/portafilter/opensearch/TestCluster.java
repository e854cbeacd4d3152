package dev.portafilter.opensearch;

import dev.portafilter.conformance.BackendLocator;
import dev.portafilter.conformance.faults.BackendScript;
import org.opensearch.client.opensearch.OpenSearchClient;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * The three-node cluster that {@code scripts/opensearch.sh cluster-start} runs, found by
 * {@code PORTAFILTER_OPENSEARCH_CLUSTER_URLS} in the environment, else in {@code .backends/opensearch-cluster.env}.
 * With none, or none answering, the tests fail under {@code CI=true} and are skipped, saying why, elsewhere.
 * {@link #killNode} and {@link #startNodes} run the script's {@code node-kill} and {@code node-start}.
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

    /** {@code kill -9} of node {@code n}, through the script; returns once the process is gone. */
    static void killNode(int n) {
        script(Duration.ofSeconds(30), "node-kill", String.valueOf(n));
    }

    /** Starts these nodes again on their ports, together, through the script; returns once all three are in. */
    static void startNodes(Collection<Integer> nodes) {
        List<String> command = new ArrayList<>(List.of("node-start"));
        nodes.forEach(n -> command.add(String.valueOf(n)));
        script(Duration.ofMinutes(6), command.toArray(String[]::new));
    }

    private static void script(Duration limit, String... arguments) {
        Path log = BackendLocator.repositoryRoot().orElseThrow(() -> new IllegalStateException("no repository root"))
                .resolve("adapter-opensearch/target/cluster-" + String.join("-", arguments) + ".log");
        BackendScript.run("opensearch.sh", limit, log, arguments);
    }
}
