package dev.portafilter.conformance;

import dev.portafilter.core.UnsupportedFilterException;
import dev.portafilter.core.store.VectorStore;
import org.junit.jupiter.api.Assumptions;

/**
 * Filters a backend declines by design. On an undeclared field a backend may lack a test the declared path does not
 * need (Pinecone cannot ask whether a value is a number, which the complement of a range needs); the store then
 * refuses the filter before any request, with an {@link UnsupportedFilterException} naming it. A contract case that
 * meets such a refusal is aborted with the reason, so it counts as skipped in the summary, never as passed. On a
 * schema that declares every field, a refusal stays a failure.
 */
final class Declines {
    private Declines() {
    }

    static void orDeclined(VectorStore store, Runnable body) {
        try {
            body.run();
        } catch (UnsupportedFilterException e) {
            if (!isByDesign(store, e)) {
                throw e;
            }
            Assumptions.abort("declined by design: " + e.getMessage());
        }
    }

    /** Whether this refusal is one the undeclared profile allows. */
    static boolean isByDesign(VectorStore store, UnsupportedFilterException e) {
        return store.schema().allowsUndeclared();
    }
}
