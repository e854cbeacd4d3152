package dev.portafilter.core.internal;

import dev.portafilter.core.InvalidRecordException;
import dev.portafilter.core.store.SearchRequest;
import dev.portafilter.core.store.VectorRecord;
import dev.portafilter.core.store.VectorStore;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Vector checks and cosine similarity, shared by the stores. */
public final class Vectors {
    private Vectors() {
    }

    /** Cosine similarity of two vectors of equal length, neither of them zero. */
    public static double cosine(float[] a, float[] b) {
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += (double) a[i] * b[i];
            na += (double) a[i] * a[i];
            nb += (double) b[i] * b[i];
        }
        return dot / Math.sqrt(na * nb);
    }

    /**
     * The request's query vector, for a store that searches by vector. Rejects a text-only request and a vector of the
     * wrong dimension, with a non-finite component, or of zero length.
     */
    public static float[] queryVector(SearchRequest request, int dimension) {
        float[] vector = request.vector().orElseThrow(() -> new IllegalArgumentException(
                "this search has only a query text; this store needs a query vector"));
        String problem = problem(vector, dimension);
        if (problem != null) {
            throw new IllegalArgumentException("query vector " + problem);
        }
        return vector;
    }

    /**
     * Checks a batch against the schema and the dimension before anything is written; returns the records with
     * normalized metadata. Throws {@link InvalidRecordException} naming the first bad record.
     */
    public static List<VectorRecord> validateBatch(List<VectorRecord> records, VectorStore store) {
        Set<String> seen = new HashSet<>();
        List<VectorRecord> out = new ArrayList<>(records.size());
        for (VectorRecord r : records) {
            if (r == null) {
                throw new InvalidRecordException(null, null, "a batch may not contain null");
            }
            if (r.id().isEmpty()) {
                throw new InvalidRecordException(r.id(), null, "id must not be empty");
            }
            if (!seen.add(r.id())) {
                throw new InvalidRecordException(r.id(), null, "id appears twice in one batch");
            }
            String problem = problem(r.vector(), store.dimension());
            if (problem != null) {
                throw new InvalidRecordException(r.id(), null, "vector " + problem);
            }
            out.add(r.withMetadata(store.schema().validateRecord(r.id(), r.metadata())));
        }
        return out;
    }

    private static String problem(float[] vector, int dimension) {
        if (vector.length != dimension) {
            return "has dimension " + vector.length + ", the store holds " + dimension;
        }
        double norm = 0;
        for (float f : vector) {
            if (!Float.isFinite(f)) {
                return "has a non-finite component";
            }
            norm += (double) f * f;
        }
        return norm == 0 ? "is zero: cosine similarity is undefined for it" : null;
    }
}
