package dev.portafilter.opensearch;

import dev.portafilter.conformance.ScenarioDataset;
import dev.portafilter.core.metadata.MetadataSchema;
import dev.portafilter.core.store.VectorRecord;
import dev.portafilter.interop.TextVectors;
import dev.portafilter.peers.SpringAiOpenSearch;
import org.springframework.ai.document.Document;
import org.springframework.ai.vectorstore.SearchRequest;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The index Spring AI 1.1.2's {@code OpenSearchVectorStore} creates with {@code useApproximateKnn(true)} (the only
 * mapping of its own that names an engine; its default leaves the engine to the node, and this node has no native
 * faiss), written and searched by Spring AI itself.
 */
class SpringAiIndexTest extends PeerIndexContract {
    private static final String PROBE = "probe";
    private final TextVectors vectors = new TextVectors(ScenarioDataset.DIMENSION);
    private SpringAiOpenSearch peer;

    @Override
    OpenSearchIndexLayout.Builder layout(String index, MetadataSchema schema) {
        return OpenSearchIndexLayout.springAi(index, schema, ScenarioDataset.DIMENSION);
    }

    @Override
    void createAndWrite(String index, List<VectorRecord> records) throws Exception {
        records.forEach(r -> vectors.put(r.text(), r.vector()));
        peer = SpringAiOpenSearch.create(TestServer.url(), index, ScenarioDataset.DIMENSION, vectors,
                SpringAiOpenSearch.Search.APPROXIMATE);
        peer.store().add(records.stream().map(r -> Document.builder().id(r.id()).text(r.text())
                .metadata(r.metadata().toJava()).build()).toList());
    }

    @Override
    Map<String, Map<String, Object>> peerSearch(float[] vector, int k) {
        vectors.put(PROBE, vector);
        Map<String, Map<String, Object>> out = new LinkedHashMap<>();
        peer.store().similaritySearch(SearchRequest.builder().query(PROBE).topK(k).build())
                .forEach(d -> out.put(d.getId(), d.getMetadata()));
        return out;
    }

    @Override
    void closePeer() throws Exception {
        if (peer != null) {
            peer.close();
        }
    }
}
