package dev.portafilter.conformance.audit;

import dev.portafilter.conformance.Backend;
import dev.portafilter.conformance.FilterPropertyContract;
import dev.portafilter.conformance.StoreFixture;

/** {@link FilterPropertyContract} on the store under audit. */
@Backend("audit")
public class AuditFilterPropertyContract extends FilterPropertyContract {
    @Override
    protected StoreFixture fixture() {
        return AuditedStore.current();
    }
}
