package dev.portafilter.conformance.memory;

import dev.portafilter.conformance.Backend;
import dev.portafilter.conformance.FilterPropertyContract;
import dev.portafilter.conformance.StoreFixture;

@Backend("memory")
class InMemoryFilterPropertyContractTest extends FilterPropertyContract {
    @Override
    protected StoreFixture fixture() {
        return StoreFixture.inMemory();
    }
}
