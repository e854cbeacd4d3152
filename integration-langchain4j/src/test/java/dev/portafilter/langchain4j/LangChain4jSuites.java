package dev.portafilter.langchain4j;

import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.store.embedding.EmbeddingStore;
import dev.langchain4j.store.embedding.EmbeddingStoreWithFilteringIT;
import dev.langchain4j.store.embedding.EmbeddingStoreWithRemovalIT;
import dev.portafilter.conformance.StoreFixture;
import dev.portafilter.core.metadata.MetadataSchema;
import dev.portafilter.core.store.VectorStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * LangChain4j's published store suites on {@link PortafilterEmbeddingStore} over one backend: {@code
 * EmbeddingStoreWithFilteringIT} (which runs {@code EmbeddingStoreIT} and {@code EmbeddingStoreWithoutMetadataIT}
 * too, being their subclass) and {@code EmbeddingStoreWithRemovalIT}. Every test gets a new, empty store from the
 * backend's fixture, disposed afterwards; the suites write arbitrary keys, so the schema allows undeclared fields.
 * The cases Portafilter declines by design are listed, with why, in {@link DeclinedCases}.
 */
@ExtendWith(DeclinedCases.class)
abstract class LangChain4jSuites implements LangChain4jSuite {
    static final MetadataSchema UNDECLARED = MetadataSchema.builder().allowUndeclared().build();

    private VectorStore store;
    private EmbeddingStore<TextSegment> embeddingStore;

    /** Where the stores come from. */
    abstract StoreFixture fixture();

    /** The schema of every new store. */
    MetadataSchema schema() {
        return UNDECLARED;
    }

    /** The store under test over a new, empty Portafilter store. */
    EmbeddingStore<TextSegment> embeddingStoreOver(VectorStore newStore) {
        return PortafilterEmbeddingStore.over(newStore);
    }

    /** Checks on the Portafilter store after a test, before it is disposed. */
    void afterTest(VectorStore used) {
    }

    /** Made when a test first asks, so that the suites' own {@code @BeforeEach} finds it. */
    private EmbeddingStore<TextSegment> store() {
        if (store == null) {
            store = fixture().newStore(schema(), EmbeddingModels.DIMENSION);
            embeddingStore = embeddingStoreOver(store);
        }
        return embeddingStore;
    }

    @AfterEach
    void disposeStore() {
        if (store != null) {
            try {
                afterTest(store);
            } finally {
                fixture().dispose(store);
                store = null;
            }
        }
    }

    @Nested
    class Filtering extends EmbeddingStoreWithFilteringIT {
        @Override
        protected EmbeddingStore<TextSegment> embeddingStore() {
            return store();
        }

        @Override
        protected EmbeddingModel embeddingModel() {
            return EmbeddingModels.MINI_LM;
        }

        /** The suite's own switch: Portafilter's search results carry no vectors, so matches have no embedding. */
        @Override
        protected boolean assertEmbedding() {
            return false;
        }
    }

    @Nested
    class Removal extends EmbeddingStoreWithRemovalIT {
        @Override
        protected EmbeddingStore<TextSegment> embeddingStore() {
            return store();
        }

        @Override
        protected EmbeddingModel embeddingModel() {
            return EmbeddingModels.MINI_LM;
        }
    }
}
