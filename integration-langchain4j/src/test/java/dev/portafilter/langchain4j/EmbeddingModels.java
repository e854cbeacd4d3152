package dev.portafilter.langchain4j;

import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel;

/** The suites' embedding model: all-MiniLM-L6-v2 quantized, 384 dimensions, run in process from its jar. */
final class EmbeddingModels {
    static final int DIMENSION = 384;
    /** Loaded once per test JVM: the ONNX session is the expensive part. */
    static final EmbeddingModel MINI_LM = new AllMiniLmL6V2QuantizedEmbeddingModel();

    private EmbeddingModels() {
    }
}
