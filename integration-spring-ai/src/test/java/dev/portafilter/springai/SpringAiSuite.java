package dev.portafilter.springai;

import dev.portafilter.conformance.StoreFixture;
import dev.portafilter.core.metadata.MetadataSchema;
import dev.portafilter.core.store.VectorStore;
import dev.portafilter.core.tenant.TenantScope;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.ai.test.vectorstore.BaseVectorStoreTests;

import java.util.function.Consumer;

/**
 * Spring AI's own published vector store suite on a Portafilter backend. Its documents carry arbitrary metadata keys
 * ({@code country}, {@code year}), so the store's schema allows undeclared fields; the tenant-scoped runs declare the
 * tenant field too and go through a {@link TenantScope} view per call.
 */
abstract class SpringAiSuite extends BaseVectorStoreTests {
    @RegisterExtension
    final Declines declines = Declines.SPRING_AI_1_1_2;

    abstract StoreFixture fixture();

    /** The tenant a run is scoped to, or null for an unscoped store. */
    String tenant() {
        return null;
    }

    @Override
    protected void executeTest(Consumer<org.springframework.ai.vectorstore.VectorStore> testFunction) {
        MetadataSchema.Builder schema = MetadataSchema.builder().allowUndeclared();
        if (tenant() != null) {
            schema.required("customer", dev.portafilter.core.metadata.FieldType.STRING);
        }
        StoreFixture fixture = fixture();
        VectorStore store = fixture.newStore(schema.build(), HashingEmbeddingModel.DIMENSION);
        try {
            PortafilterVectorStore.Builder builder = PortafilterVectorStore.builder(store, new HashingEmbeddingModel());
            if (tenant() != null) {
                builder.tenantScope(TenantScope.of(store, "customer"), this::tenant);
            }
            testFunction.accept(builder.build());
        } finally {
            fixture.dispose(store);
        }
    }
}
