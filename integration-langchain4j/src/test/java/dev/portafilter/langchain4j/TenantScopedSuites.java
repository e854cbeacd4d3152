package dev.portafilter.langchain4j;

import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.store.embedding.EmbeddingStore;
import dev.portafilter.conformance.ScenarioDataset;
import dev.portafilter.core.metadata.FieldType;
import dev.portafilter.core.metadata.Metadata;
import dev.portafilter.core.metadata.MetadataSchema;
import dev.portafilter.core.store.SearchHit;
import dev.portafilter.core.store.VectorRecord;
import dev.portafilter.core.store.VectorStore;
import dev.portafilter.core.tenant.TenantScope;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The same suites through {@link PortafilterEmbeddingStore#perTenant}, the application's resolver answering
 * {@code CustomerA}, on stores that also hold a record of {@code CustomerB}: the suites count every record they can
 * see, so one leak fails them. After each test CustomerB's record must still be there, alone in its tenant. The tenant
 * field is the scenario's ({@code customer}), which the fixtures partition by where the backend can (Pinecone
 * namespaces).
 */
abstract class TenantScopedSuites extends LangChain4jSuites {
    private static final MetadataSchema SCHEMA = MetadataSchema.builder()
            .required(ScenarioDataset.TENANT_FIELD, FieldType.STRING).allowUndeclared().build();
    private static final String OTHER_TENANT = "CustomerB";
    private static final String OTHER_ID = "customer-b-record";
    private static final float[] OTHER_VECTOR = EmbeddingModels.MINI_LM.embed("test").content().vector();

    @Override
    MetadataSchema schema() {
        return SCHEMA;
    }

    @Override
    EmbeddingStore<TextSegment> embeddingStoreOver(VectorStore newStore) {
        TenantScope scope = TenantScope.of(newStore, ScenarioDataset.TENANT_FIELD);
        // the query the suites list records with, so CustomerB's record would be the first to leak
        scope.forTenant(OTHER_TENANT).upsert(List.of(new VectorRecord(OTHER_ID, OTHER_VECTOR, "test", Metadata.empty())));
        return PortafilterEmbeddingStore.perTenant(scope, () -> "CustomerA");
    }

    @Override
    void afterTest(VectorStore used) {
        List<SearchHit> others = TenantScope.of(used, ScenarioDataset.TENANT_FIELD).forTenant(OTHER_TENANT)
                .search(OTHER_VECTOR, 10);
        assertThat(others).extracting(SearchHit::id).containsExactly(OTHER_ID);
    }
}
