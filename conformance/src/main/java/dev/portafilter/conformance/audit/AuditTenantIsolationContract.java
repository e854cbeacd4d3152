package dev.portafilter.conformance.audit;

import dev.portafilter.conformance.Backend;
import dev.portafilter.conformance.TenantIsolationContract;
import dev.portafilter.conformance.StoreFixture;

/** {@link TenantIsolationContract} on the store under audit. */
@Backend("audit")
public class AuditTenantIsolationContract extends TenantIsolationContract {
    @Override
    protected StoreFixture fixture() {
        return AuditedStore.current();
    }
}
