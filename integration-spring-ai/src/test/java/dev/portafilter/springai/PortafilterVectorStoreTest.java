package dev.portafilter.springai;

import dev.portafilter.bedrock.BedrockKnowledgeBaseStore;
import dev.portafilter.conformance.StoreFixture;
import dev.portafilter.core.InvalidRecordException;
import dev.portafilter.core.TenantIsolationException;
import dev.portafilter.core.UnsupportedCapabilityException;
import dev.portafilter.core.metadata.FieldType;
import dev.portafilter.core.metadata.Metadata;
import dev.portafilter.core.metadata.MetadataSchema;
import dev.portafilter.core.store.Capability;
import dev.portafilter.core.store.VectorRecord;
import dev.portafilter.core.store.VectorStore;
import dev.portafilter.core.tenant.TenantScope;
import dev.portafilter.localservers.bedrock.LocalBedrock;
import dev.portafilter.pgvector.PgvectorFixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.ai.document.Document;
import org.springframework.ai.document.DocumentMetadata;
import org.springframework.ai.vectorstore.SearchRequest;
import software.amazon.awssdk.services.bedrockagentruntime.BedrockAgentRuntimeClient;

import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class PortafilterVectorStoreTest {
    private static final MetadataSchema SCHEMA = MetadataSchema.builder()
            .required("customer", FieldType.STRING)
            .optional("country", FieldType.STRING)
            .optional("year", FieldType.LONG)
            .build();

    static Stream<StoreFixture> backends() {
        return Stream.of(StoreFixture.inMemory(), PgvectorFixtures.scratch());
    }

    private static void withStore(StoreFixture fixture, Consumer<VectorStore> body) {
        VectorStore store = fixture.newStore(SCHEMA, HashingEmbeddingModel.DIMENSION);
        try {
            body.accept(store);
        } finally {
            fixture.dispose(store);
        }
    }

    private static Document doc(String id, String text, Map<String, Object> metadata) {
        return Document.builder().id(id).text(text).metadata(metadata).build();
    }

    @Test
    void scoresAreCosineSimilaritiesWithSpringAisDistanceTopKAndThreshold() {
        withStore(StoreFixture.inMemory(), store -> {
            PortafilterVectorStore spring = PortafilterVectorStore.builder(store, new HashingEmbeddingModel()).build();
            spring.add(List.of(doc("1", "red apples", Map.of("customer", "A")),
                    doc("2", "red apples and green pears", Map.of("customer", "A")),
                    doc("3", "blue sky", Map.of("customer", "A"))));

            List<Document> all = spring.similaritySearch(SearchRequest.builder().query("red apples").topK(3)
                    .similarityThresholdAll().build());
            assertThat(all).extracting(Document::getId).containsExactly("1", "2", "3");
            assertThat(all.get(0).getScore()).isCloseTo(1.0, within(1e-6));
            for (Document d : all) {
                assertThat((Double) d.getMetadata().get(DocumentMetadata.DISTANCE.value()))
                        .isCloseTo(1 - d.getScore(), within(1e-9));
                assertThat(d.getMetadata()).containsEntry("customer", "A");
            }
            assertThat(spring.similaritySearch(SearchRequest.builder().query("red apples").topK(1).build()))
                    .extracting(Document::getId).containsExactly("1");
            double second = all.get(1).getScore();
            assertThat(spring.similaritySearch(SearchRequest.builder().query("red apples").topK(3)
                    .similarityThreshold(second).build())).extracting(Document::getId).containsExactly("1", "2");
        });
    }

    @ParameterizedTest
    @MethodSource("backends")
    void filtersMeanWhatTheSemanticsSay(StoreFixture fixture) {
        withStore(fixture, store -> {
            PortafilterVectorStore spring = PortafilterVectorStore.builder(store, new HashingEmbeddingModel()).build();
            spring.add(List.of(doc("bg2020", "t", Map.of("customer", "A", "country", "BG", "year", 2020)),
                    doc("nl", "t", Map.of("customer", "A", "country", "NL")),
                    doc("bg2023", "t", Map.of("customer", "A", "country", "BG", "year", 2023))));
            assertThat(ids(spring, "country != 'BG'")).containsExactlyInAnyOrder("nl");
            // $ne matches a record without the field; a range never does
            assertThat(ids(spring, "year != 2020")).containsExactlyInAnyOrder("nl", "bg2023");
            assertThat(ids(spring, "NOT(year > 2021)")).containsExactlyInAnyOrder("nl", "bg2020");
            assertThat(ids(spring, "year <= 2021")).containsExactlyInAnyOrder("bg2020");
            assertThat(ids(spring, "year IS NULL || country in ['XX']")).containsExactlyInAnyOrder("nl");
            assertThatThrownBy(() -> ids(spring, "country > 'AA'")).isInstanceOf(SpringAiFilterException.class)
                    .hasMessageContaining("ranges compare numbers only");

            spring.delete("year >= 2021 || year IS NULL");
            assertThat(ids(spring, "customer == 'A'")).containsExactly("bg2020");
        });
    }

    @Test
    void metadataThatIsNotAValueIsARecordErrorNamingTheField() {
        withStore(StoreFixture.inMemory(), store -> {
            PortafilterVectorStore spring = PortafilterVectorStore.builder(store, new HashingEmbeddingModel()).build();
            assertThatThrownBy(() -> spring.add(List.of(doc("d", "t", Map.of("customer", "A", "published", new Date(0))))))
                    .isInstanceOf(InvalidRecordException.class).hasMessageContaining("published");
            assertThat(store.count()).isZero();
        });
    }

    @ParameterizedTest
    @MethodSource("backends")
    void everyCallIsScopedToTheTenantResolvedForIt(StoreFixture fixture) {
        withStore(fixture, store -> {
            AtomicReference<String> tenant = new AtomicReference<>("A");
            PortafilterVectorStore spring = PortafilterVectorStore.builder(store, new HashingEmbeddingModel())
                    .tenantScope(TenantScope.of(store, "customer"), tenant::get).build();
            spring.add(List.of(doc("a1", "t", Map.of("country", "BG")), doc("a2", "t", Map.of("country", "NL"))));
            tenant.set("B");
            spring.add(List.of(doc("b1", "t", Map.of("country", "BG"))));

            assertThat(ids(spring, "country == 'BG'")).containsExactly("b1");
            tenant.set("A");
            assertThat(ids(spring, "country == 'BG'")).containsExactly("a1");
            assertThat(store.search(HashingEmbeddingModel.vector("t"), 10).stream()
                    .filter(h -> h.id().equals("b1")).findFirst().orElseThrow().metadata().get("customer"))
                    .hasValue(new dev.portafilter.core.metadata.StringValue("B"));

            spring.delete("country == 'BG'");
            spring.delete(List.of("b1")); // B's record, out of A's reach
            assertThat(store.count()).isEqualTo(2);
            assertThat(ids(spring, "country == 'NL'")).containsExactly("a2");
            assertThatThrownBy(() -> ids(spring, "customer == 'B'")).isInstanceOf(TenantIsolationException.class);
            assertThat(spring.getNativeClient()).isEmpty();

            for (String none : new String[] {null, "", "  "}) {
                tenant.set(none);
                assertThatThrownBy(() -> ids(spring, "country == 'NL'")).isInstanceOf(TenantIsolationException.class)
                        .hasMessageContaining("never runs a call unscoped");
                assertThatThrownBy(() -> spring.add(List.of(doc("x", "t", Map.of()))))
                        .isInstanceOf(TenantIsolationException.class);
                assertThatThrownBy(() -> spring.delete(List.of("a2"))).isInstanceOf(TenantIsolationException.class);
            }
            assertThat(store.count()).isEqualTo(2);
        });
    }

    @Test
    void aBedrockKnowledgeBaseIsSearchedByTextAndRefusesWrites() {
        try (LocalBedrock server = LocalBedrock.serveRecords("SPRINGAI1", List.of(
                new VectorRecord("r1", new float[] {1}, "metformin for P003", Metadata.of("customer", "A", "year", 2023)),
                new VectorRecord("r2", new float[] {1}, "insulin for P004", Metadata.of("customer", "A", "year", 2020))));
             BedrockAgentRuntimeClient client = server.client()) {
            BedrockKnowledgeBaseStore kb = BedrockKnowledgeBaseStore.builder().client(client).knowledgeBaseId("SPRINGAI1")
                    .schema(SCHEMA).build();
            PortafilterVectorStore spring = PortafilterVectorStore.builder(kb, new HashingEmbeddingModel()).build();

            List<Document> hits = spring.similaritySearch(SearchRequest.builder().query("metformin").topK(5)
                    .filterExpression("year >= 2021").build());
            assertThat(hits).extracting(Document::getText).containsExactly("metformin for P003");
            assertThat(hits.get(0).getMetadata().get(DocumentMetadata.DISTANCE.value()))
                    .isEqualTo(1 - hits.get(0).getScore());
            assertThat(server.lastRequest().at("/retrievalQuery/text").asText()).isEqualTo("metformin");

            int requests = server.requests();
            assertThatThrownBy(() -> spring.add(List.of(doc("x", "t", Map.of("customer", "A")))))
                    .isInstanceOf(UnsupportedCapabilityException.class)
                    .satisfies(e -> assertThat(((UnsupportedCapabilityException) e).capability()).isEqualTo(Capability.WRITE));
            assertThatThrownBy(() -> spring.delete(List.of("r1"))).isInstanceOf(UnsupportedCapabilityException.class);
            assertThat(server.requests()).isEqualTo(requests);
        }
    }

    private static List<String> ids(PortafilterVectorStore spring, String filter) {
        return spring.similaritySearch(SearchRequest.builder().query("t").topK(10).similarityThresholdAll()
                .filterExpression(filter).build()).stream().map(Document::getId).toList();
    }
}
