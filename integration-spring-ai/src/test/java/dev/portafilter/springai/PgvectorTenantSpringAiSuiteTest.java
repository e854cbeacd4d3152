package dev.portafilter.springai;

import dev.portafilter.conformance.StoreFixture;
import dev.portafilter.pgvector.PgvectorFixtures;

/** The suite through a tenant-scoped store: every call goes through the view of the tenant the resolver names. */
@SuiteBackend("pgvector/tenant-scoped")
class PgvectorTenantSpringAiSuiteTest extends SpringAiSuite {
    @Override
    StoreFixture fixture() {
        return PgvectorFixtures.scratch();
    }

    @Override
    String tenant() {
        return "CustomerA";
    }
}
