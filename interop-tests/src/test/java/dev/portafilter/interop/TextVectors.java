package dev.portafilter.interop;

import org.springframework.ai.document.Document;
import org.springframework.ai.embedding.Embedding;
import org.springframework.ai.embedding.EmbeddingModel;
import org.springframework.ai.embedding.EmbeddingRequest;
import org.springframework.ai.embedding.EmbeddingResponse;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Spring AI embeds texts itself: each text a test registers maps to the vector the test chose for it. */
public final class TextVectors implements EmbeddingModel {
    private final Map<String, float[]> vectors = new HashMap<>();
    private final int dimension;

    public TextVectors(int dimension) {
        this.dimension = dimension;
    }

    public void put(String text, float[] vector) {
        vectors.put(text, vector);
    }

    @Override
    public EmbeddingResponse call(EmbeddingRequest request) {
        List<Embedding> out = new ArrayList<>();
        for (String text : request.getInstructions()) {
            out.add(new Embedding(vectors.get(text), out.size()));
        }
        return new EmbeddingResponse(out);
    }

    @Override
    public float[] embed(Document document) {
        return vectors.get(document.getText());
    }

    @Override
    public int dimensions() {
        return dimension;
    }
}
