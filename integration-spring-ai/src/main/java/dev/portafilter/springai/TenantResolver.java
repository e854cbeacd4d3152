package dev.portafilter.springai;

import java.util.function.Supplier;

/**
 * Tells {@link PortafilterVectorStore} whose request this is, on every call (from the security context, a request
 * header, a scoped bean). Declare one as a bean and the Spring Boot auto-configuration scopes the store with it; a
 * {@code null} or blank answer makes the call fail with a
 * {@link dev.portafilter.core.TenantIsolationException}, never run unscoped.
 */
@FunctionalInterface
public interface TenantResolver extends Supplier<String> {
}
