package dev.portafilter.benchmarks;

import org.springframework.ai.document.Document;
import org.springframework.ai.embedding.Embedding;
import org.springframework.ai.embedding.EmbeddingModel;
import org.springframework.ai.embedding.EmbeddingRequest;
import org.springframework.ai.embedding.EmbeddingResponse;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A Spring AI {@code EmbeddingModel} that returns the dataset's own vectors: a row's text maps to the row's
 * vector, {@code query <q>} to query q's vector. Spring AI's stores embed every text themselves, so this is how
 * they receive the same vectors as everyone else; a hash look-up per text is all it costs.
 */
final class ReplayEmbeddingModel implements EmbeddingModel {
    private final Map<String, float[]> vectors = new HashMap<>();
    private final int dimension;

    ReplayEmbeddingModel(Dataset data) {
        for (int i = 0; i < data.size(); i++) {
            vectors.put(data.text(i), data.vector(i));
        }
        for (int q = 0; q < data.queryCount(); q++) {
            vectors.put(queryText(q), data.query(q));
        }
        this.dimension = data.dimension();
    }

    static String queryText(int query) {
        return "query " + query;
    }

    @Override
    public EmbeddingResponse call(EmbeddingRequest request) {
        List<Embedding> out = new ArrayList<>(request.getInstructions().size());
        for (String text : request.getInstructions()) {
            out.add(new Embedding(lookup(text), out.size()));
        }
        return new EmbeddingResponse(out);
    }

    @Override
    public float[] embed(Document document) {
        return lookup(document.getText());
    }

    @Override
    public int dimensions() {
        return dimension;
    }

    private float[] lookup(String text) {
        float[] v = vectors.get(text);
        if (v == null) {
            throw new IllegalArgumentException("not a text of the dataset: " + text);
        }
        return v;
    }
}
