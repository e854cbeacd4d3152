package dev.portafilter.conformance.audit;

import dev.portafilter.conformance.Backend;
import dev.portafilter.conformance.VectorStoreContract;
import dev.portafilter.conformance.StoreFixture;

/** {@link VectorStoreContract} on the store under audit. */
@Backend("audit")
public class AuditVectorStoreContract extends VectorStoreContract {
    @Override
    protected StoreFixture fixture() {
        return AuditedStore.current();
    }
}
