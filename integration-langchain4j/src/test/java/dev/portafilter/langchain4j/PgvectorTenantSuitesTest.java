package dev.portafilter.langchain4j;

import dev.portafilter.conformance.Backend;
import dev.portafilter.conformance.StoreFixture;
import dev.portafilter.pgvector.PgvectorFixtures;

@Backend("pgvector/tenant")
class PgvectorTenantSuitesTest extends TenantScopedSuites {
    @Override
    StoreFixture fixture() {
        return PgvectorFixtures.scratch();
    }
}
