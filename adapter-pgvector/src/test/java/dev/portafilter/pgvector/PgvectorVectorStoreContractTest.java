package dev.portafilter.pgvector;

import dev.portafilter.conformance.Backend;
import dev.portafilter.conformance.VectorStoreContract;
import dev.portafilter.conformance.StoreFixture;

@Backend("pgvector")
class PgvectorVectorStoreContractTest extends VectorStoreContract {
    @Override
    protected StoreFixture fixture() {
        return PgvectorFixture.INSTANCE;
    }
}
