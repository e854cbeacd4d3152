package dev.portafilter.conformance;

import dev.portafilter.core.metadata.FieldType;
import dev.portafilter.core.metadata.MetadataSchema;
import dev.portafilter.core.store.InMemoryVectorStore;
import dev.portafilter.core.store.VectorStore;

import java.util.function.Consumer;

/**
 * What a backend supplies to run the contracts: fresh, empty stores in scratch space (a new table, index or
 * namespace set each call), and their disposal.
 */
public interface StoreFixture {

    /** Fresh {@link InMemoryVectorStore}s: the embedded default, and the reference every backend is held to. */
    static StoreFixture inMemory() {
        return new StoreFixture() {
            @Override
            public String name() {
                return "memory";
            }

            @Override
            public VectorStore newStore(MetadataSchema schema, int dimension) {
                return new InMemoryVectorStore(schema, dimension);
            }
        };
    }

    /**
     * The same backend with the metadata undeclared: each store's schema keeps only its required STRING fields (the
     * tenant field among them, which isolation never leaves to an undeclared key) and allows any other field, so
     * that every contract runs again on the path where a value's kind comes from the value itself.
     */
    static StoreFixture undeclared(StoreFixture declared) {
        return new StoreFixture() {
            @Override
            public String name() {
                return declared.name() + "/undeclared";
            }

            @Override
            public VectorStore newStore(MetadataSchema schema, int dimension) {
                return declared.newStore(undeclaredSchema(schema), dimension);
            }

            @Override
            public void dispose(VectorStore store) {
                declared.dispose(store);
            }
        };
    }

    /** The schema {@link #undeclared} gives its stores: the required STRING fields declared, any other field allowed. */
    static MetadataSchema undeclaredSchema(MetadataSchema schema) {
        MetadataSchema.Builder partial = MetadataSchema.builder().allowUndeclared();
        schema.fields().stream()
                .filter(f -> f.required() && f.type() == FieldType.STRING)
                .forEach(partial::field);
        return partial.build();
    }

    /** The backend's name in reports, e.g. {@code pgvector}. */
    String name();

    /** A new, empty store for this schema and dimension, in scratch space no other store shares. */
    VectorStore newStore(MetadataSchema schema, int dimension);

    /** Removes what {@link #newStore} created. The default only closes the store. */
    default void dispose(VectorStore store) {
        store.close();
    }

    /** Runs the body on a new store of the scenario's schema, and disposes of it afterwards. */
    default void withFreshStore(Consumer<VectorStore> body) {
        VectorStore store = newStore(ScenarioDataset.SCHEMA, ScenarioDataset.DIMENSION);
        try {
            body.accept(store);
        } finally {
            dispose(store);
        }
    }

    /** Runs the body on a new store loaded with the scenario, and disposes of it afterwards. */
    default void withFreshScenario(Consumer<VectorStore> body) {
        withFreshStore(store -> {
            store.upsert(ScenarioDataset.records());
            body.accept(store);
        });
    }
}
