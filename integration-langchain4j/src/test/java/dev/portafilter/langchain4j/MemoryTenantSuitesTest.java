package dev.portafilter.langchain4j;

import dev.portafilter.conformance.Backend;
import dev.portafilter.conformance.StoreFixture;

@Backend("memory/tenant")
class MemoryTenantSuitesTest extends TenantScopedSuites {
    @Override
    StoreFixture fixture() {
        return StoreFixture.inMemory();
    }
}
