package dev.portafilter.pinecone;

import dev.portafilter.conformance.ScenarioDataset;
import dev.portafilter.conformance.StoreFixture;
import dev.portafilter.core.metadata.FieldType;
import dev.portafilter.core.metadata.MetadataSchema;
import dev.portafilter.core.store.VectorStore;
import io.pinecone.clients.Index;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Stores on one Pinecone index, each in namespaces of its own prefix ({@code <run prefix>-<n>}), one namespace per
 * customer when the schema has the scenario's tenant field. Disposal deletes those namespaces.
 */
abstract class PineconeFixture implements StoreFixture {
    private final AtomicInteger created = new AtomicInteger();
    private final Map<VectorStore, PineconeStore> stores = new ConcurrentHashMap<>();

    /** The index the stores of this dimension live in. */
    abstract Index index(int dimension);

    /** Unique to this run of the tests, so that runs never see each other's namespaces. */
    abstract String runPrefix();

    abstract RetryPolicy retryPolicy();

    /** Lets a subclass wrap the store it hands out. */
    VectorStore handOut(PineconeStore store) {
        return store;
    }

    @Override
    public VectorStore newStore(MetadataSchema schema, int dimension) {
        String prefix = runPrefix() + "-" + created.incrementAndGet();
        PineconeStore.Builder builder = PineconeStore.builder(index(dimension), schema, dimension).retryPolicy(retryPolicy());
        boolean tenants = schema.field(ScenarioDataset.TENANT_FIELD)
                .filter(f -> f.required() && f.type() == FieldType.STRING).isPresent();
        PineconeStore store = (tenants ? builder.namespacePerTenant(ScenarioDataset.TENANT_FIELD, prefix)
                : builder.namespace(prefix)).build();
        VectorStore handed = handOut(store);
        this.stores.put(handed, store);
        return handed;
    }

    @Override
    public void dispose(VectorStore store) {
        PineconeStore pinecone = stores.remove(store);
        if (pinecone != null) {
            pinecone.dropNamespaces();
        }
        store.close();
    }
}
