package dev.portafilter.bedrock;

import com.fasterxml.jackson.databind.JsonNode;
import dev.portafilter.core.StoreException;
import dev.portafilter.core.filter.Filter;
import dev.portafilter.core.metadata.FieldType;
import dev.portafilter.core.metadata.LongValue;
import dev.portafilter.core.metadata.Metadata;
import dev.portafilter.core.metadata.MetadataSchema;
import dev.portafilter.core.store.SearchHit;
import dev.portafilter.core.store.SearchRequest;
import dev.portafilter.core.store.VectorRecord;
import dev.portafilter.core.internal.Vectors;
import dev.portafilter.localservers.bedrock.LocalBedrock;
import dev.portafilter.localservers.bedrock.ToyEmbedding;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.bedrockagentruntime.BedrockAgentRuntimeClient;
import software.amazon.awssdk.services.bedrockagentruntime.model.ThrottlingException;
import software.amazon.awssdk.services.bedrockagentruntime.model.ValidationException;

import java.util.List;
import java.util.UUID;

import static dev.portafilter.core.filter.Filters.and;
import static dev.portafilter.core.filter.Filters.eq;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** The store's use of the Retrieve API, through the real SDK client against {@link LocalBedrock}. */
class BedrockKnowledgeBaseStoreTest {
    private static final MetadataSchema SCHEMA = MetadataSchema.builder()
            .required("customer", FieldType.STRING)
            .optional("publicationYear", FieldType.LONG)
            .optional("patientIds", FieldType.STRING_LIST)
            .build();

    private LocalBedrock server;
    private BedrockAgentRuntimeClient client;

    private BedrockKnowledgeBaseStore serve(String kbId, VectorRecord... records) {
        server = LocalBedrock.serveRecords(kbId, List.of(records));
        client = server.client();
        return BedrockKnowledgeBaseStore.builder().client(client).knowledgeBaseId(kbId).schema(SCHEMA).build();
    }

    private static VectorRecord record(String id, String text, Object... metadata) {
        return new VectorRecord(id, new float[] {1}, text, Metadata.of(metadata));
    }

    @AfterEach
    void stop() {
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void sendsTheQueryTextTheResultCountAndTheTranslatedFilter() {
        BedrockKnowledgeBaseStore kb = serve("KB 1/x", record("a", "alpha", "customer", "A"));
        Filter filter = and(eq("customer", "A"), eq("patientIds", "P1"));
        kb.search("which patient?", 7, filter);
        JsonNode sent = server.lastRequest();
        assertThat(sent.at("/retrievalQuery/text").asText()).isEqualTo("which patient?");
        assertThat(sent.at("/retrievalConfiguration/vectorSearchConfiguration/numberOfResults").asInt()).isEqualTo(7);
        assertThat(sent.at("/retrievalConfiguration/vectorSearchConfiguration/filter").toString())
                .isEqualTo(RetrievalFilterCodec.toJson(filter, SCHEMA));

        kb.search("anything", 3);
        assertThat(server.lastRequest().at("/retrievalConfiguration/vectorSearchConfiguration").has("filter")).isFalse();
    }

    @Test
    void hitsCarryIdScoreTextSchemaTypedMetadataAndSource() {
        BedrockKnowledgeBaseStore kb = serve("KB2", record("doc-1", "metformin for P003", "customer", "A",
                "publicationYear", 2023, "patientIds", List.of("P003"), "colour", "red"));
        List<KnowledgeBaseHit> hits = kb.search("metformin", 5);
        assertThat(hits).hasSize(1);
        KnowledgeBaseHit hit = hits.get(0);
        assertThat(hit.sourceUri()).isEqualTo("s3://portafilter-scenario/doc-1.txt");
        assertThat(hit.id()).isEqualTo(UUID.nameUUIDFromBytes(hit.sourceUri().getBytes(java.nio.charset.StandardCharsets.UTF_8)).toString());
        assertThat(hit.text()).isEqualTo("metformin for P003");
        // Bedrock answers 2023.0 for the NUMBER; the LONG field gets 2023. Undeclared and x-amz-* keys are left out.
        assertThat(hit.metadata()).isEqualTo(Metadata.of("customer", "A", "publicationYear", new LongValue(2023),
                "patientIds", List.of("P003")));
        assertThat(hit.score()).isCloseTo(Vectors.cosine(ToyEmbedding.INSTANCE.embed("metformin"),
                ToyEmbedding.INSTANCE.embed("metformin for P003")), within(1e-9));
    }

    @Test
    void undeclaredAttributesReadBackByTheirOwnKind() {
        serve("KB5", record("doc-1", "text", "customer", "A", "publicationYear", 2023,
                "confidence", 0.5, "big", 1e300, "reviewed", false, "tags", List.of("x", "y"), "region", "2023"));
        BedrockKnowledgeBaseStore undeclared = BedrockKnowledgeBaseStore.builder().client(client).knowledgeBaseId("KB5")
                .schema(MetadataSchema.builder().required("customer", FieldType.STRING).allowUndeclared().build())
                .build();
        // NUMBERs come back as doubles: an integral one within ±(2^53 − 1) is an integer again; x-amz-* keys are Bedrock's
        assertThat(undeclared.search("text", 5).get(0).metadata()).isEqualTo(Metadata.of("customer", "A",
                "publicationYear", new LongValue(2023), "confidence", 0.5, "big", 1e300, "reviewed", false,
                "tags", List.of("x", "y"), "region", "2023"));
    }

    @Test
    void metadataThatDoesNotFitTheSchemaIsAStoreErrorNamingTheField() {
        BedrockKnowledgeBaseStore kb = serve("KB3", record("odd", "text", "customer", "A", "publicationYear", 2023.5));
        assertThatThrownBy(() -> kb.search("text", 5)).isInstanceOf(StoreException.class)
                .hasMessageContaining("publicationYear").hasMessageContaining("not an integer");
    }

    @Test
    void bedrockErrorsAreStoreErrorsWithTheCause() {
        BedrockKnowledgeBaseStore kb = serve("KB4", record("a", "alpha", "customer", "A"));
        server.failNext(400, "ValidationException", "filter too deep");
        assertThatThrownBy(() -> kb.search("q", 5)).isInstanceOf(StoreException.class)
                .hasMessageContaining("KB4").hasMessageContaining("filter too deep")
                .hasCauseInstanceOf(ValidationException.class);
        server.failNext(429, "ThrottlingException", "slow down");
        assertThatThrownBy(() -> kb.search("q", 5)).isInstanceOf(StoreException.class)
                .hasCauseInstanceOf(ThrottlingException.class);
        BedrockKnowledgeBaseStore other = BedrockKnowledgeBaseStore.builder().client(client).knowledgeBaseId("NOPE")
                .schema(SCHEMA).build();
        assertThatThrownBy(() -> other.search("q", 5)).isInstanceOf(StoreException.class)
                .hasMessageContaining("NOPE");
        assertThat(kb.search("q", 5)).hasSize(1);
    }

    @Test
    void aSearchRequestRunsItsQueryTextWithItsTopKAndFilter() {
        BedrockKnowledgeBaseStore kb = serve("KB5", record("a", "alpha", "customer", "A"),
                record("b", "beta", "customer", "B"), record("c", "gamma", "customer", "A"));
        List<SearchHit> hits = kb.search(SearchRequest.ofText("alpha", 1).withFilter(eq("customer", "A")));
        assertThat(hits).extracting(SearchHit::text).containsExactly("alpha");
        assertThat(server.lastRequest().at("/retrievalQuery/text").asText()).isEqualTo("alpha");
        assertThat(server.lastRequest().at("/retrievalConfiguration/vectorSearchConfiguration/numberOfResults").asInt())
                .isEqualTo(1);
        assertThat(server.lastRequest().at("/retrievalConfiguration/vectorSearchConfiguration/filter").toString())
                .isEqualTo("{\"equals\":{\"key\":\"customer\",\"value\":\"A\"}}");
        // a request with both: the text is searched, the vector is not used
        assertThat(kb.search(SearchRequest.of(new float[] {9, 9, 9}, 2).withText("gamma"))).hasSize(2);
        assertThat(server.lastRequest().at("/retrievalQuery/text").asText()).isEqualTo("gamma");
        int before = server.requests();
        assertThatThrownBy(() -> kb.search(SearchRequest.of(new float[] {9, 9, 9}, 1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("KB5")
                .hasMessageContaining("SearchRequest.ofText");
        assertThatThrownBy(() -> kb.search(SearchRequest.ofText(" ", 1))).isInstanceOf(IllegalArgumentException.class);
        assertThat(server.requests()).isEqualTo(before);
    }

    @Test
    void closingTheStoreLeavesACallersClientOpen() {
        BedrockKnowledgeBaseStore kb = serve("KB6", record("a", "alpha", "customer", "A"));
        kb.close();
        BedrockKnowledgeBaseStore again = BedrockKnowledgeBaseStore.builder().client(client).knowledgeBaseId("KB6")
                .schema(SCHEMA).build();
        assertThat(again.search("alpha", 1)).hasSize(1);
    }

    @Test
    void theBuilderNeedsAKnowledgeBaseASchemaAndOneWayToReachBedrock() {
        assertThatThrownBy(() -> BedrockKnowledgeBaseStore.builder().region(Region.US_EAST_1).schema(SCHEMA).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("knowledge base id");
        assertThatThrownBy(() -> BedrockKnowledgeBaseStore.builder().knowledgeBaseId("KB").schema(SCHEMA).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("either a client or a region");
        try (BedrockAgentRuntimeClient c = BedrockAgentRuntimeClient.builder().region(Region.US_EAST_1)
                .httpClient(software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient.create()).build()) {
            assertThatThrownBy(() -> BedrockKnowledgeBaseStore.builder().client(c).region(Region.US_EAST_1)
                    .knowledgeBaseId("KB").schema(SCHEMA).build()).isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> BedrockKnowledgeBaseStore.builder().region(Region.US_EAST_1).knowledgeBaseId("KB")
                .build()).isInstanceOf(NullPointerException.class).hasMessageContaining("schema");
    }
}
