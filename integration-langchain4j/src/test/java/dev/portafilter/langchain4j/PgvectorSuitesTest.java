package dev.portafilter.langchain4j;

import dev.portafilter.conformance.Backend;
import dev.portafilter.conformance.StoreFixture;
import dev.portafilter.pgvector.PgvectorFixtures;

@Backend("pgvector")
class PgvectorSuitesTest extends LangChain4jSuites {
    @Override
    StoreFixture fixture() {
        return PgvectorFixtures.scratch();
    }
}
