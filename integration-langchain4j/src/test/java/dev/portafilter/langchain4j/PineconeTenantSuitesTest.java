package dev.portafilter.langchain4j;

import dev.portafilter.conformance.Backend;
import dev.portafilter.conformance.StoreFixture;
import dev.portafilter.pinecone.PineconeFixtures;

@Backend("pinecone-local/tenant")
class PineconeTenantSuitesTest extends TenantScopedSuites {
    @Override
    StoreFixture fixture() {
        return PineconeFixtures.local();
    }
}
