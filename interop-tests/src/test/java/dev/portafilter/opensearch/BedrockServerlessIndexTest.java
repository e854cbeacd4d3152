package dev.portafilter.opensearch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portafilter.conformance.ScenarioDataset;
import dev.portafilter.core.metadata.MetadataSchema;
import dev.portafilter.core.store.VectorRecord;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The vector index Bedrock's guide has a knowledge base sync into on OpenSearch Serverless: the vector, text and
 * metadata fields under Bedrock's default names, and each document's filterable attributes as top-level fields that
 * dynamic mapping types on first sight, beside Bedrock's own {@code x-amz-bedrock-kb-*} attributes. There is no
 * Bedrock here to sync it: the documents are written over HTTP in that shape. Bedrock creates the vector field with
 * the faiss engine, which this node lacks; the index uses lucene with Bedrock's space and HNSW parameters.
 */
class BedrockServerlessIndexTest extends PeerIndexContract {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String VECTOR = "bedrock-knowledge-base-default-vector";
    private final HttpClient http = HttpClient.newHttpClient();
    private String index;

    @Override
    OpenSearchIndexLayout.Builder layout(String index, MetadataSchema schema) {
        return OpenSearchIndexLayout.bedrockKnowledgeBase(index, schema, ScenarioDataset.DIMENSION).engine("lucene");
    }

    @Override
    void createAndWrite(String index, List<VectorRecord> records) throws Exception {
        this.index = index;
        send("PUT", "/" + index, """
                {"settings":{"index.knn":true},
                 "mappings":{"properties":{
                   "%s":{"type":"knn_vector","dimension":%d,
                         "method":{"name":"hnsw","engine":"lucene","space_type":"l2",
                                   "parameters":{"m":16,"ef_construction":512}}},
                   "AMAZON_BEDROCK_TEXT_CHUNK":{"type":"text"},
                   "AMAZON_BEDROCK_METADATA":{"type":"text","index":false}}}}
                """.formatted(VECTOR, ScenarioDataset.DIMENSION));
        StringBuilder bulk = new StringBuilder();
        for (VectorRecord r : records) {
            ObjectNode doc = JSON.valueToTree(r.metadata().toJava());
            String source = "s3://kb-bucket/docs/" + r.id() + ".txt";
            doc.put("x-amz-bedrock-kb-source-uri", source);
            doc.put("x-amz-bedrock-kb-data-source-id", "DATASOURCE1");
            doc.put("AMAZON_BEDROCK_TEXT_CHUNK", r.text());
            doc.put("AMAZON_BEDROCK_METADATA", JSON.writeValueAsString(Map.of("source", source)));
            // Bedrock's embedding models return unit vectors
            doc.set(VECTOR, JSON.valueToTree(unit(r.vector())));
            bulk.append(JSON.writeValueAsString(Map.of("index", Map.of("_index", index, "_id", r.id())))).append('\n')
                    .append(JSON.writeValueAsString(doc)).append('\n');
        }
        JsonNode response = send("POST", "/_bulk", bulk.toString());
        assertThat(response.get("errors").asBoolean()).as(response.toString()).isFalse();
    }

    /** Bedrock's Retrieve: the nearest documents and their attributes, as the index holds them. */
    @Override
    Map<String, Map<String, Object>> peerSearch(float[] vector, int k) throws Exception {
        JsonNode response = send("POST", "/" + index + "/_search", JSON.writeValueAsString(Map.of("size", k,
                "_source", Map.of("excludes", List.of(VECTOR)),
                "query", Map.of("knn", Map.of(VECTOR, Map.of("vector", unit(vector), "k", k))))));
        Map<String, Map<String, Object>> out = new LinkedHashMap<>();
        for (JsonNode hit : response.get("hits").get("hits")) {
            @SuppressWarnings("unchecked")
            Map<String, Object> source = JSON.treeToValue(hit.get("_source"), Map.class);
            out.put(hit.get("_id").asText(), source);
        }
        return out;
    }

    @Override
    void closePeer() {
        // nothing held: each request was its own
    }

    private static float[] unit(float[] v) {
        double norm = 0;
        for (float f : v) {
            norm += (double) f * f;
        }
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = (float) (v[i] / Math.sqrt(norm));
        }
        return out;
    }

    private JsonNode send(String method, String path, String body) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(TestServer.url() + path))
                .header("Content-Type", path.endsWith("_bulk") ? "application/x-ndjson" : "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isBetween(200, 299);
        return JSON.readTree(response.body());
    }
}
