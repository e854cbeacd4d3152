package dev.portafilter.springai;

import dev.portafilter.conformance.StoreFixture;
import dev.portafilter.pgvector.PgvectorFixtures;

@SuiteBackend("pgvector")
class PgvectorSpringAiSuiteTest extends SpringAiSuite {
    @Override
    StoreFixture fixture() {
        return PgvectorFixtures.scratch();
    }
}
