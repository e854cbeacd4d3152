package dev.portafilter.ingest;

/** Turns chunk text into a vector of the store's dimension; supplied by the caller (a local model, an API, ...). */
@FunctionalInterface
public interface Embedder {
    float[] embed(String text);
}
