package dev.portafilter.bedrock;

import java.util.Locale;

/**
 * A deterministic stand-in for an embedding model: words hashed into buckets, plus a constant component so that no
 * text embeds to the zero vector. Good enough to rank the scenario's documents; meaningless otherwise.
 */
final class ToyEmbedding implements Embedder {
    static final int DIMENSION = 32;
    static final ToyEmbedding INSTANCE = new ToyEmbedding();

    private ToyEmbedding() {
    }

    @Override
    public float[] embed(String text) {
        float[] v = new float[DIMENSION];
        v[DIMENSION - 1] = 0.5f;
        for (String word : text.toLowerCase(Locale.ROOT).split("[^\\p{Alnum}]+")) {
            if (!word.isEmpty()) {
                v[Math.floorMod(word.hashCode(), DIMENSION - 1)] += 1;
            }
        }
        return v;
    }

    static double cosine(float[] a, float[] b) {
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
}
