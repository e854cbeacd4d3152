package dev.portafilter.pinecone;

import dev.portafilter.conformance.Backend;
import dev.portafilter.conformance.TenantIsolationContract;
import dev.portafilter.conformance.StoreFixture;
import org.junit.jupiter.api.extension.ExtendWith;

@Backend("pinecone")
@ExtendWith(RequiresPineconeCloud.class)
class PineconeCloudTenantIsolationContractTest extends TenantIsolationContract {
    @Override
    protected StoreFixture fixture() {
        return CloudFixture.INSTANCE;
    }
}
