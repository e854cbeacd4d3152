package dev.portafilter.cli;

import dev.portafilter.conformance.BackendLocator;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where the jar ITs find each backend, as the options and environment a user would give the jar: pgvector and
 * OpenSearch from {@link BackendLocator} (the servers {@code scripts/} start), Pinecone from local servers of module
 * {@code local-servers}, one per dimension, started on first use and stopped by {@link #close()}. A backend that
 * cannot be found skips the test, printing why, or fails it with {@code CI=true}.
 */
final class JarBackends implements AutoCloseable {
    static final List<String> ALL = List.of("memory", "pgvector", "opensearch", "pinecone");
    static final String PINECONE_API_KEY = "local-test-key";

    private final Map<Integer, LocalServerProcess> pinecone = new ConcurrentHashMap<>();

    /** The options that point the jar at a backend, and the environment variables it reads them from. */
    record Target(String backend, List<String> options, Map<String, String> environment) {
    }

    /** The target for {@code backend}; on pinecone, a local server for vectors of {@code dimension}. */
    Target target(String backend, int dimension) {
        return switch (backend) {
            case "memory" -> new Target(backend, List.of("--backend", "memory"), Map.of());
            // from the environment, as CI and most users set it
            case "pgvector" -> new Target(backend, List.of("--backend", "pgvector"),
                    Map.of("PORTAFILTER_PGVECTOR_URL", pgvectorUrl()));
            case "opensearch" -> {
                List<String> options = new ArrayList<>(List.of("--backend", "opensearch", "--opensearch-url",
                        server("PORTAFILTER_OPENSEARCH_URL", "opensearch")));
                Optional<String> user = BackendLocator.find("PORTAFILTER_OPENSEARCH_USERNAME", "opensearch.env");
                Map<String, String> environment = new HashMap<>();
                user.ifPresent(u -> {
                    options.addAll(List.of("--opensearch-username", u));
                    environment.put("PORTAFILTER_OPENSEARCH_PASSWORD",
                            BackendLocator.find("PORTAFILTER_OPENSEARCH_PASSWORD", "opensearch.env").orElse(""));
                });
                yield new Target(backend, List.copyOf(options), Map.copyOf(environment));
            }
            case "pinecone" -> new Target(backend, List.of("--backend", "pinecone", "--pinecone-index-host",
                    pineconeHost(dimension)), Map.of("PINECONE_API_KEY", PINECONE_API_KEY));
            default -> throw new IllegalArgumentException("no backend " + backend);
        };
    }

    static String pgvectorUrl() {
        return server("PORTAFILTER_PGVECTOR_URL", "pgvector");
    }

    static String openSearchUrl() {
        return server("PORTAFILTER_OPENSEARCH_URL", "opensearch");
    }

    /** The host of the local Pinecone server for this dimension, started on first use. */
    String pineconeHost(int dimension) {
        return pinecone.computeIfAbsent(dimension, LocalServerProcess::pinecone).get("PINECONE_INDEX_HOST");
    }

    private static String server(String variable, String name) {
        return BackendLocator.find(variable, name + ".env").orElseThrow(() -> BackendLocator.unavailable(name,
                "set " + variable + " or run scripts/" + (name.equals("pgvector") ? "postgres" : name) + ".sh start"));
    }

    @Override
    public void close() {
        pinecone.values().forEach(LocalServerProcess::close);
        pinecone.clear();
    }
}
