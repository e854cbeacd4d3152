package dev.portafilter.cli.inspect;

/**
 * One thing an inspection found: how bad it is, what it is (a stable id, for scripts), what shows it, and how to fix
 * it.
 */
public record Finding(Severity severity, String id, String evidence, String fix) {
    /** {@link #HIGH}: one tenant can see another's rows, or tenants get incomplete answers; the command exits 1. */
    public enum Severity { HIGH, MEDIUM, LOW }

    /** The same finding with measured numbers added to its evidence. */
    Finding withMeasured(String measured) {
        return new Finding(severity, id, evidence + " Measured: " + measured, fix);
    }
}
