package dev.portafilter.springai;

import dev.portafilter.conformance.StoreFixture;
import dev.portafilter.pinecone.PineconeFixtures;

@SuiteBackend("pinecone-local")
class PineconeSpringAiSuiteTest extends SpringAiSuite {
    @Override
    StoreFixture fixture() {
        return PineconeFixtures.local();
    }
}
