package dev.portafilter.pinecone;

import dev.portafilter.conformance.BackendLocator;
import dev.portafilter.core.store.VectorStore;
import io.pinecone.clients.Index;
import org.opentest4j.TestAbortedException;

import java.time.Duration;
import java.util.Optional;
import java.util.UUID;

/**
 * Stores on a real Pinecone index, or a Pinecone Local that the user started: {@code PINECONE_API_KEY} and
 * {@code PINECONE_INDEX_HOST} from the environment (else from {@code .backends/pinecone.env}). The index must use the
 * cosine metric and the scenario's dimension (16). Each run works in namespaces of its own random prefix and deletes
 * them afterwards. Pinecone is eventually consistent, so every write through these stores waits until searches show
 * it, for at most {@code PINECONE_SETTLE_MILLIS} (default 30000).
 *
 * <p>Without the two variables the tests are skipped with the reason printed, also with {@code CI=true}: this is a
 * paid cloud service that CI cannot be required to reach.
 */
final class CloudFixture extends PineconeFixture {
    static final String API_KEY = "PINECONE_API_KEY";
    static final String INDEX_HOST = "PINECONE_INDEX_HOST";
    static final String SETTLE_MILLIS = "PINECONE_SETTLE_MILLIS";
    static final CloudFixture INSTANCE = new CloudFixture();

    private final String runPrefix = "pf-" + UUID.randomUUID().toString().substring(0, 8);
    private final Optional<String> apiKey = BackendLocator.find(API_KEY, "pinecone.env");
    private final Optional<String> host = BackendLocator.find(INDEX_HOST, "pinecone.env");
    private final Duration settle = Duration.ofMillis(Long.parseLong(
            BackendLocator.find(SETTLE_MILLIS, "pinecone.env").orElse("30000")));
    private Index index;
    private boolean reported;

    private CloudFixture() {
    }

    @Override
    public String name() {
        return "pinecone";
    }

    /** Why the cloud tests cannot run (printed once), or empty when an index is configured. */
    synchronized Optional<String> missingConfiguration() {
        if (apiKey.isPresent() && host.isPresent()) {
            return Optional.empty();
        }
        String why = "pinecone (cloud) tests cannot run: set " + API_KEY + " and " + INDEX_HOST
                + " (a cosine index of dimension 16, or a Pinecone Local you started) to run them";
        if (!reported) {
            System.out.println("[skip] " + why);
            reported = true;
        }
        return Optional.of(why);
    }

    /** The one configured index, whatever the dimension: the store's builder refuses an index of another one. */
    @Override
    synchronized Index index(int dimension) {
        Optional<String> missing = missingConfiguration();
        if (missing.isPresent()) {
            throw new TestAbortedException(missing.get());
        }
        if (index == null) {
            index = PineconeIndexes.open(apiKey.get(), host.get(), Duration.ofSeconds(30));
            Runtime.getRuntime().addShutdownHook(new Thread(() -> dropNamespaces(runPrefix)));
        }
        return index;
    }

    @Override
    String runPrefix() {
        return runPrefix;
    }

    @Override
    RetryPolicy retryPolicy() {
        return RetryPolicy.defaults();
    }

    @Override
    VectorStore handOut(PineconeStore store) {
        return new SettlingStore(store, settle);
    }

    /** Deletes every namespace named {@code prefix} or starting with {@code prefix.} or {@code prefix-}. */
    private void dropNamespaces(String prefix) {
        for (String namespace : index.describeIndexStats().getNamespacesMap().keySet()) {
            if (namespace.equals(prefix) || namespace.startsWith(prefix + ".") || namespace.startsWith(prefix + "-")) {
                index.deleteAll(namespace);
            }
        }
    }
}
