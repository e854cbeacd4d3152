package dev.portafilter.langchain4j;

import dev.portafilter.conformance.Backend;
import dev.portafilter.conformance.StoreFixture;
import dev.portafilter.opensearch.OpenSearchFixtures;

@Backend("opensearch")
class OpenSearchSuitesTest extends LangChain4jSuites {
    @Override
    StoreFixture fixture() {
        return OpenSearchFixtures.scratch();
    }
}
