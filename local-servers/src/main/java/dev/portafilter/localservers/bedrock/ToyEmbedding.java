package dev.portafilter.localservers.bedrock;

import java.util.Locale;

/**
 * A deterministic stand-in for an embedding model: words hashed into buckets, plus a constant component so that no
 * text embeds to the zero vector. Good enough to rank the scenario's documents; meaningless otherwise.
 */
public final class ToyEmbedding {
    public static final int DIMENSION = 32;
    public static final ToyEmbedding INSTANCE = new ToyEmbedding();

    private ToyEmbedding() {
    }

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
}
