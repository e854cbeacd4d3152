package dev.portafilter.opensearch;

import dev.portafilter.conformance.Backend;
import dev.portafilter.conformance.FilterPropertyContract;
import dev.portafilter.conformance.StoreFixture;

@Backend("opensearch/undeclared")
class OpenSearchUndeclaredFilterPropertyContractTest extends FilterPropertyContract {
    @Override
    protected StoreFixture fixture() {
        return StoreFixture.undeclared(OpenSearchFixture.APPROXIMATE);
    }
}
