package dev.portafilter.core;

import dev.portafilter.core.store.SearchHit;

import java.util.List;

/**
 * The backend answered, but not completely: some shards failed, or the search ran out of time before it had
 * looked everywhere. A store throws this instead of returning the part it got as if it were the whole answer.
 * {@link #partialHits()} holds what was found, best first, for a caller that explicitly prefers an incomplete answer
 * to none (it may miss records that belong in the top k); it is empty for counts and deletes.
 */
public class PartialResultException extends StoreException {
    private final String backend;
    private final int failedShards;
    private final int totalShards;
    private final boolean timedOut;
    private final transient List<SearchHit> partialHits;

    /**
     * @param backend      the store's {@link dev.portafilter.core.store.VectorStore#backend()}
     * @param what         the operation, e.g. {@code search docs}
     * @param failedShards shards that failed or were skipped without an answer
     * @param totalShards  shards the operation had to ask
     * @param timedOut     whether the backend stopped early because the operation's time ran out
     * @param partialHits  the hits found in the part that answered (none for counts and deletes)
     * @param detail       the backend's reasons, for the message; may be empty
     */
    public PartialResultException(String backend, String what, int failedShards, int totalShards, boolean timedOut,
                                  List<SearchHit> partialHits, String detail) {
        super(backend + ": " + what + " is incomplete: " + (failedShards > 0 ? failedShards + " of " + totalShards
                + " shards failed" + (timedOut ? " and " : "") : "") + (timedOut ? "it timed out on the server" : "")
                + (detail.isEmpty() ? "" : ": " + detail), null);
        this.backend = backend;
        this.failedShards = failedShards;
        this.totalShards = totalShards;
        this.timedOut = timedOut;
        this.partialHits = List.copyOf(partialHits);
    }

    public String backend() {
        return backend;
    }

    /** Shards that failed or were skipped without an answer; 0 when only the time ran out. */
    public int failedShards() {
        return failedShards;
    }

    public int totalShards() {
        return totalShards;
    }

    /** Whether the backend stopped collecting because the operation's time ran out. */
    public boolean timedOut() {
        return timedOut;
    }

    /** What the part that answered found, best first; never presented as the complete top k. */
    public List<SearchHit> partialHits() {
        return partialHits;
    }
}
