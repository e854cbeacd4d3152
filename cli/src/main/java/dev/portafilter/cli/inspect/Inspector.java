package dev.portafilter.cli.inspect;

import java.util.List;
import java.util.Map;

/**
 * Reads one live table or index, never writing to it: its configuration, its tenant values, and the searches that
 * {@link Measurement} runs through it.
 */
public sealed interface Inspector extends AutoCloseable permits PgvectorInspector, OpenSearchInspector,
        PineconeInspector, BedrockInspector {

    /** The tenant values and how many records hold each; {@code withoutTenant} have none (or an empty one). */
    record Census(Map<String, Long> recordsPerTenant, long withoutTenant) {
        public long total() {
            return withoutTenant + recordsPerTenant.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    /**
     * A way to search one tenant's records: through {@code TenantScope} (the {@code library} shape), or as users
     * commonly write it on this backend. {@code bears} names the finding whose risk it measures, or is null.
     */
    record Shape(String name, String description, boolean library, String bears, Search search) {
    }

    /** One search: the tenant value of each of the top {@code k} rows it returned (null where a row has none). */
    @FunctionalInterface
    interface Search {
        List<String> tenantsOfTopK(String tenant, float[] vector, int k);
    }

    String backend();

    /** The table or index and the server, never credentials. */
    String describe();

    /** What keeps this inspection from writing: the session, role or requests it uses. */
    String readOnlyEvidence();

    int dimension();

    /** Findings on the configuration; {@code k} is the size of the searches it serves. */
    List<Finding> configuration(Census census, int k);

    Census census();

    /** The library's shape first, then the naive ones. */
    List<Shape> shapes();

    @Override
    void close();
}
