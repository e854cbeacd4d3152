package dev.portafilter.pgvector;

import dev.portafilter.conformance.ScenarioDataset;
import dev.portafilter.interop.TextVectors;
import dev.portafilter.core.metadata.Metadata;
import dev.portafilter.core.store.VectorRecord;
import org.springframework.ai.document.Document;
import org.springframework.ai.vectorstore.SearchRequest;
import org.springframework.ai.vectorstore.pgvector.PgVectorStore;
import org.springframework.jdbc.core.JdbcTemplate;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The table Spring AI 1.1.2's {@code PgVectorStore} creates ({@code metadata json}), written by Spring AI. */
class SpringAiTableTest extends PeerTableContract {
    private static final String PROBE = "probe";
    private final TextVectors vectors = new TextVectors(ScenarioDataset.DIMENSION);
    private PgVectorStore peer;

    @Override
    PgvectorTableLayout createAndWrite(String table, List<VectorRecord> records) {
        records.forEach(r -> vectors.put(r.text(), r.vector()));
        peer = PgVectorStore.builder(new JdbcTemplate(PgvectorTestServer.dataSource()), vectors)
                .schemaName(PgvectorTestServer.SCRATCH_SCHEMA)
                .vectorTableName(table)
                .dimensions(ScenarioDataset.DIMENSION)
                .distanceType(PgVectorStore.PgDistanceType.COSINE_DISTANCE)
                .initializeSchema(true)
                .build();
        peer.afterPropertiesSet();
        peer.add(records.stream().map(r -> Document.builder().id(r.id()).text(r.text())
                .metadata(r.metadata().toJava()).build()).toList());
        return PgvectorTableLayout.springAi(PgvectorTestServer.SCRATCH_SCHEMA, table, schema(),
                ScenarioDataset.DIMENSION).build();
    }

    @Override
    Metadata asThePeerKeepsIt(Metadata metadata) {
        return metadata;
    }

    @Override
    Map<String, Map<String, Object>> peerSearch(float[] vector, int k) {
        vectors.put(PROBE, vector);
        Map<String, Map<String, Object>> out = new LinkedHashMap<>();
        peer.similaritySearch(SearchRequest.builder().query(PROBE).topK(k).build())
                .forEach(d -> out.put(d.getId(), d.getMetadata()));
        return out;
    }

    @Override
    void closePeer() {
        // the store holds no resources of its own: the pool is the test server's
    }
}
