package dev.portafilter.core.store;

import dev.portafilter.core.metadata.Metadata;

import java.util.Arrays;
import java.util.Objects;

/**
 * One chunk: id, embedding, text and metadata. The vector is copied in and out, so a record stays immutable.
 * {@code text} may be null.
 */
public final class VectorRecord {
    private final String id;
    private final float[] vector;
    private final String text;
    private final Metadata metadata;

    public VectorRecord(String id, float[] vector, String text, Metadata metadata) {
        this.id = Objects.requireNonNull(id, "id");
        this.vector = Objects.requireNonNull(vector, "vector").clone();
        this.text = text;
        this.metadata = Objects.requireNonNull(metadata, "metadata");
    }

    public String id() {
        return id;
    }

    public float[] vector() {
        return vector.clone();
    }

    public String text() {
        return text;
    }

    public Metadata metadata() {
        return metadata;
    }

    /** A copy with other metadata. */
    public VectorRecord withMetadata(Metadata newMetadata) {
        return new VectorRecord(id, vector, text, newMetadata);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof VectorRecord r && id.equals(r.id) && Arrays.equals(vector, r.vector)
                && Objects.equals(text, r.text) && metadata.equals(r.metadata);
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, Arrays.hashCode(vector), text, metadata);
    }

    @Override
    public String toString() {
        return "VectorRecord[id=" + id + ", dim=" + vector.length + ", metadata=" + metadata + "]";
    }
}
