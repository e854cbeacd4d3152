package dev.portafilter.core.store;

/**
 * Operations a store may lack. A store without one throws
 * {@link dev.portafilter.core.UnsupportedCapabilityException}, and the conformance suite checks exactly that
 * instead of passing silently.
 */
public enum Capability {
    /** {@code count(filter)}, exact for any filter. A store without it may still count all its records. */
    COUNT,
    /** {@code deleteWhere(filter)}. */
    DELETE_WHERE,
    /** {@code upsert} and {@code delete}; read-only stores (a Bedrock knowledge base) lack it. */
    WRITE
}
