package dev.portafilter.pinecone;

import dev.portafilter.conformance.Backend;
import dev.portafilter.conformance.FilterPropertyContract;
import dev.portafilter.conformance.StoreFixture;
import net.jqwik.api.lifecycle.AddLifecycleHook;

@Backend("pinecone")
@AddLifecycleHook(RequiresPineconeCloud.class)
class PineconeCloudFilterPropertyContractTest extends FilterPropertyContract {
    @Override
    protected StoreFixture fixture() {
        return CloudFixture.INSTANCE;
    }
}
