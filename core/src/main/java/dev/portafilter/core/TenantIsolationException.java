package dev.portafilter.core;

/** An operation through a tenant view that would read, write or name another tenant's data. */
public class TenantIsolationException extends PortafilterException {
    public TenantIsolationException(String message) {
        super(message);
    }
}
