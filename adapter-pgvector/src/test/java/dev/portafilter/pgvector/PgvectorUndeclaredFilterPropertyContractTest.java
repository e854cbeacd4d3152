package dev.portafilter.pgvector;

import dev.portafilter.conformance.Backend;
import dev.portafilter.conformance.FilterPropertyContract;
import dev.portafilter.conformance.StoreFixture;

@Backend("pgvector/undeclared")
class PgvectorUndeclaredFilterPropertyContractTest extends FilterPropertyContract {
    @Override
    protected StoreFixture fixture() {
        return StoreFixture.undeclared(PgvectorFixture.INSTANCE);
    }
}
