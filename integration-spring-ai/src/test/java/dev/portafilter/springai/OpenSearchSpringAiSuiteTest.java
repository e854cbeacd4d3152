package dev.portafilter.springai;

import dev.portafilter.conformance.StoreFixture;
import dev.portafilter.opensearch.OpenSearchFixtures;

@SuiteBackend("opensearch")
class OpenSearchSpringAiSuiteTest extends SpringAiSuite {
    @Override
    StoreFixture fixture() {
        return OpenSearchFixtures.scratch();
    }
}
