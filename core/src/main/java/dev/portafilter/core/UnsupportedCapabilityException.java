package dev.portafilter.core;

import dev.portafilter.core.store.Capability;

/** The store does not offer this operation; see {@link dev.portafilter.core.store.VectorStore#capabilities()}. */
public class UnsupportedCapabilityException extends PortafilterException {
    private final Capability capability;

    public UnsupportedCapabilityException(String backend, Capability capability, String why) {
        super(backend + " does not support " + capability + ": " + why);
        this.capability = capability;
    }

    public Capability capability() {
        return capability;
    }
}
