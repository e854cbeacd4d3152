package dev.portafilter.pgvector;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.store.embedding.EmbeddingSearchRequest;
import dev.langchain4j.store.embedding.pgvector.PgVectorEmbeddingStore;
import dev.portafilter.conformance.ScenarioDataset;
import dev.portafilter.core.metadata.Metadata;
import dev.portafilter.core.metadata.MetadataValue;
import dev.portafilter.core.metadata.StringListValue;
import dev.portafilter.core.metadata.BooleanValue;
import dev.portafilter.core.store.VectorRecord;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The table LangChain4j 1.11's {@code PgVectorEmbeddingStore} creates by default ({@code metadata json}), written by
 * LangChain4j. Its metadata holds strings and numbers only, so lists and booleans are left out of what it writes.
 */
class LangChain4jTableTest extends PeerTableContract {
    private PgVectorEmbeddingStore peer;

    @Override
    PgvectorTableLayout createAndWrite(String table, List<VectorRecord> records) {
        peer = PgVectorEmbeddingStore.datasourceBuilder()
                .datasource(PgvectorTestServer.dataSource())
                .table(PgvectorTestServer.SCRATCH_SCHEMA + "." + table)
                .dimension(ScenarioDataset.DIMENSION)
                .createTable(true)
                .useIndex(false)
                .build();
        peer.addAll(records.stream().map(VectorRecord::id).toList(),
                records.stream().map(r -> Embedding.from(r.vector())).toList(),
                records.stream().map(r -> TextSegment.from(r.text(),
                        dev.langchain4j.data.document.Metadata.from(r.metadata().toJava()))).toList());
        return PgvectorTableLayout.langChain4j(PgvectorTestServer.SCRATCH_SCHEMA, table, schema(),
                ScenarioDataset.DIMENSION, PgvectorTableLayout.DocumentType.JSON).build();
    }

    @Override
    Metadata asThePeerKeepsIt(Metadata metadata) {
        Map<String, MetadataValue> kept = new LinkedHashMap<>(metadata.asMap());
        kept.values().removeIf(v -> v instanceof StringListValue || v instanceof BooleanValue);
        return Metadata.of(kept);
    }

    @Override
    Map<String, Map<String, Object>> peerSearch(float[] vector, int k) {
        Map<String, Map<String, Object>> out = new LinkedHashMap<>();
        peer.search(EmbeddingSearchRequest.builder().queryEmbedding(Embedding.from(vector)).maxResults(k).build())
                .matches().forEach(m -> out.put(m.embeddingId(), m.embedded().metadata().toMap()));
        return out;
    }

    @Override
    void closePeer() {
        // built on the test server's pool, which outlives it
    }
}
