package dev.portafilter.langchain4j;

import dev.portafilter.conformance.Backend;
import dev.portafilter.conformance.StoreFixture;

@Backend("memory")
class MemorySuitesTest extends LangChain4jSuites {
    @Override
    StoreFixture fixture() {
        return StoreFixture.inMemory();
    }
}
