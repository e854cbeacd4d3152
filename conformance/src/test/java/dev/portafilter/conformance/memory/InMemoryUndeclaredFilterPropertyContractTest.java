package dev.portafilter.conformance.memory;

import dev.portafilter.conformance.Backend;
import dev.portafilter.conformance.FilterPropertyContract;
import dev.portafilter.conformance.StoreFixture;

@Backend("memory/undeclared")
class InMemoryUndeclaredFilterPropertyContractTest extends FilterPropertyContract {
    @Override
    protected StoreFixture fixture() {
        return StoreFixture.undeclared(StoreFixture.inMemory());
    }
}
