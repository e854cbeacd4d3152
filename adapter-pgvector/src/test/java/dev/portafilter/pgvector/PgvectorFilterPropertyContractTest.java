package dev.portafilter.pgvector;

import dev.portafilter.conformance.Backend;
import dev.portafilter.conformance.FilterPropertyContract;
import dev.portafilter.conformance.StoreFixture;

@Backend("pgvector")
class PgvectorFilterPropertyContractTest extends FilterPropertyContract {
    @Override
    protected StoreFixture fixture() {
        return PgvectorFixture.INSTANCE;
    }
}
