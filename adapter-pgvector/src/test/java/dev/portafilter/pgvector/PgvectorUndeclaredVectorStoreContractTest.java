package dev.portafilter.pgvector;

import dev.portafilter.conformance.Backend;
import dev.portafilter.conformance.VectorStoreContract;
import dev.portafilter.conformance.StoreFixture;

@Backend("pgvector/undeclared")
class PgvectorUndeclaredVectorStoreContractTest extends VectorStoreContract {
    @Override
    protected StoreFixture fixture() {
        return StoreFixture.undeclared(PgvectorFixture.INSTANCE);
    }
}
