package dev.portafilter.springai;

import dev.portafilter.conformance.StoreFixture;

@SuiteBackend("memory")
class MemorySpringAiSuiteTest extends SpringAiSuite {
    @Override
    StoreFixture fixture() {
        return StoreFixture.inMemory();
    }
}
