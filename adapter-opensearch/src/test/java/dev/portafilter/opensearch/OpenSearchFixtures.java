package dev.portafilter.opensearch;

import dev.portafilter.conformance.StoreFixture;

/**
 * Scratch OpenSearch stores for the tests of other modules (this module publishes its test classes as a test-jar):
 * every {@code newStore} is a new index with the default layout and approximate k-NN, deleted by {@code dispose}.
 * The server is found as for this module's own tests: {@code PORTAFILTER_OPENSEARCH_URL} (with
 * {@code PORTAFILTER_OPENSEARCH_USERNAME} / {@code _PASSWORD}), else a Testcontainers container where Docker is
 * available, else {@code .backends/opensearch.env} from {@code scripts/opensearch.sh start}; without one,
 * {@code newStore} fails with {@code CI=true} and skips the test, saying why, elsewhere.
 */
public final class OpenSearchFixtures {
    private OpenSearchFixtures() {
    }

    public static StoreFixture scratch() {
        return OpenSearchFixture.APPROXIMATE;
    }
}
