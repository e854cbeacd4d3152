package dev.portafilter.cli;

import dev.portafilter.core.metadata.FieldType;
import dev.portafilter.core.metadata.MetadataSchema;
import dev.portafilter.core.store.VectorStore;
import dev.portafilter.pinecone.PineconeIndexes;
import dev.portafilter.pinecone.PineconeStore;
import io.pinecone.clients.Index;
import io.pinecone.proto.DescribeIndexStatsResponse;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Namespaces {@code pf-audit-<run>-<n>} (one per tenant, {@code pf-audit-<run>-<n>.<tenant>}, when the schema has
 * the tenant field) in a Pinecone index. The conformance data has 16 dimensions: the index must too.
 */
final class PineconeConnection implements BackendConnection {
    private final Index index;
    private final String auditTenantField;
    private final String run = RunIds.next();
    private final AtomicInteger stores = new AtomicInteger();
    private final String description;

    PineconeConnection(String apiKey, String host, String tenantField) {
        this.auditTenantField = tenantField;
        try {
            index = PineconeIndexes.open(apiKey, host, Duration.ofSeconds(30));
            DescribeIndexStatsResponse stats = index.describeIndexStats();
            description = "Pinecone index at " + host + " (dimension " + stats.getDimension() + ", "
                    + stats.getTotalVectorCount() + " vectors)";
        } catch (RuntimeException e) {
            throw new BackendOptions.BackendUnavailableException("cannot use the Pinecone index at " + host + ": "
                    + e.getMessage(), e);
        }
    }

    /** The index, for reading it as it is ({@code inspect}); this connection closes it. */
    Index index() {
        return index;
    }

    @Override
    public String name() {
        return "pinecone";
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public VectorStore newStore(MetadataSchema schema, int dimension) {
        return openStore("pf-audit-" + run + "-" + stores.incrementAndGet(), schema, dimension, auditTenantField);
    }

    /** Namespaces {@code <name>.<tenant>} when the schema has the tenant field, else the one namespace {@code name}. */
    @Override
    public VectorStore openStore(String name, MetadataSchema schema, int dimension, String tenantField) {
        PineconeStore.Builder builder = PineconeStore.builder(index, schema, dimension);
        boolean tenants = schema.field(tenantField)
                .filter(f -> f.required() && f.type() == FieldType.STRING).isPresent();
        return (tenants ? builder.namespacePerTenant(tenantField, name) : builder.namespace(name)).build();
    }

    @Override
    public void dispose(VectorStore store) {
        ((PineconeStore) store).dropNamespaces();
        store.close();
    }

    @Override
    public void close() {
        index.close();
    }
}
