package dev.portafilter.langchain4j;

import dev.langchain4j.data.document.Metadata;
import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.store.embedding.EmbeddingMatch;
import dev.langchain4j.store.embedding.EmbeddingSearchRequest;
import dev.portafilter.bedrock.BedrockKnowledgeBaseStore;
import dev.portafilter.core.InvalidRecordException;
import dev.portafilter.core.UnsupportedCapabilityException;
import dev.portafilter.core.store.Capability;
import dev.portafilter.localservers.bedrock.LocalBedrock;
import software.amazon.awssdk.services.bedrockagentruntime.BedrockAgentRuntimeClient;
import dev.portafilter.core.TenantIsolationException;
import dev.portafilter.core.metadata.FieldType;
import dev.portafilter.core.metadata.MetadataSchema;
import dev.portafilter.core.store.InMemoryVectorStore;
import dev.portafilter.core.store.VectorRecord;
import dev.portafilter.core.tenant.TenantScope;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

import static dev.langchain4j.store.embedding.filter.MetadataFilterBuilder.metadataKey;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The store's own rules, on the in-memory reference store with three-dimensional vectors. */
class PortafilterEmbeddingStoreTest {
    private static final MetadataSchema SCHEMA = MetadataSchema.builder()
            .required("customer", FieldType.STRING).allowUndeclared().build();
    private static final Embedding X = Embedding.from(new float[] {1, 0, 0});
    private static final Embedding Y = Embedding.from(new float[] {0, 1, 0});
    private static final Embedding MINUS_X = Embedding.from(new float[] {-1, 0, 0});

    private final InMemoryVectorStore memory = new InMemoryVectorStore(SCHEMA, 3);
    private final TenantScope scope = TenantScope.of(memory, "customer");

    @Test
    void relevance_is_cosine_shifted_into_0_to_1_and_min_score_applies_to_it() {
        PortafilterEmbeddingStore store = PortafilterEmbeddingStore.perTenant(scope, () -> "A");
        store.addAll(List.of("x", "y", "-x"), List.of(X, Y, MINUS_X), null);

        assertThat(store.search(request(X, 0.0)).matches()).extracting(EmbeddingMatch::embeddingId, EmbeddingMatch::score)
                .containsExactly(tuple("x", 1.0), tuple("y", 0.5), tuple("-x", 0.0));
        assertThat(store.search(request(X, 0.5)).matches()).extracting(EmbeddingMatch::embeddingId)
                .containsExactly("x", "y");
    }

    @Test
    void the_resolver_is_asked_on_every_call() {
        AtomicReference<String> tenant = new AtomicReference<>("A");
        PortafilterEmbeddingStore store = PortafilterEmbeddingStore.perTenant(scope, tenant::get);
        store.addAll(List.of("a"), List.of(X), List.of(TextSegment.from("for A")));
        tenant.set("B");
        store.addAll(List.of("b"), List.of(X), List.of(TextSegment.from("for B")));

        assertThat(store.search(request(X, 0)).matches()).extracting(m -> m.embedded().text()).containsExactly("for B");
        store.removeAll();
        tenant.set("A");
        assertThat(store.search(request(X, 0)).matches()).extracting(m -> m.embedded().text()).containsExactly("for A");
        assertThat(memory.count()).isEqualTo(1);
    }

    @Test
    void a_resolver_without_a_tenant_is_refused_and_nothing_runs_unscoped() {
        PortafilterEmbeddingStore.perTenant(scope, () -> "A").add("a", X);
        for (String missing : new String[] {null, "", "  "}) {
            PortafilterEmbeddingStore store = PortafilterEmbeddingStore.perTenant(scope, () -> missing);
            assertThatThrownBy(() -> store.add(Y)).isInstanceOf(TenantIsolationException.class)
                    .hasMessageContaining("tenant resolver returned").hasMessageContaining("customer");
            assertThatThrownBy(() -> store.search(request(X, 0))).isInstanceOf(TenantIsolationException.class);
            assertThatThrownBy(store::removeAll).isInstanceOf(TenantIsolationException.class);
        }
        assertThat(memory.count()).isEqualTo(1);
    }

    @Test
    void metadata_reads_back_as_string_long_and_double_which_convert_back_exactly() {
        UUID uuid = UUID.randomUUID();
        PortafilterEmbeddingStore store = PortafilterEmbeddingStore.perTenant(scope, () -> "A");
        store.addAll(List.of("a"), List.of(X),
                List.of(TextSegment.from("t", new Metadata().put("uuid", uuid).put("int", 7).put("float", 1.1f))));

        Metadata read = store.search(request(X, 0)).matches().get(0).embedded().metadata();

        assertThat(read.toMap()).containsOnlyKeys("uuid", "int", "float")
                .containsEntry("uuid", uuid.toString()).containsEntry("int", 7L).containsEntry("float", (double) 1.1f);
        assertThat(read.getUUID("uuid")).isEqualTo(uuid);
        assertThat(read.getInteger("int")).isEqualTo(7);
        assertThat(read.getFloat("float")).isEqualTo(1.1f);
        // the filter compares what was written: a Float equals itself, a UUID its string
        assertThat(store.search(EmbeddingSearchRequest.builder().queryEmbedding(X)
                .filter(metadataKey("float").isEqualTo(1.1f).and(metadataKey("uuid").isEqualTo(uuid))).build())
                .matches()).hasSize(1);
    }

    @Test
    void a_value_langchain4j_cannot_hold_is_an_error_naming_the_field() {
        scope.forTenant("A").upsert(List.of(new VectorRecord("r", X.vector(), "t",
                dev.portafilter.core.metadata.Metadata.of("flag", true))));
        PortafilterEmbeddingStore store = PortafilterEmbeddingStore.perTenant(scope, () -> "A");

        assertThatThrownBy(() -> store.search(request(X, 0))).isInstanceOf(InvalidRecordException.class)
                .satisfies(e -> assertThat(((InvalidRecordException) e).field()).isEqualTo("flag"));
    }

    private static EmbeddingSearchRequest request(Embedding query, double minScore) {
        return EmbeddingSearchRequest.builder().queryEmbedding(query).maxResults(10).minScore(minScore).build();
    }

    private static org.assertj.core.groups.Tuple tuple(Object... values) {
        return org.assertj.core.groups.Tuple.tuple(values);
    }

    /** A knowledge base embeds the query text itself, so the request's text is what it searches; writes are refused. */
    @Test
    void a_bedrock_knowledge_base_is_searched_by_the_query_text_and_refuses_writes() {
        try (LocalBedrock server = LocalBedrock.serveRecords("LANGCHAIN4J1", List.of(
                new VectorRecord("r1", new float[] {1}, "metformin for P003",
                        dev.portafilter.core.metadata.Metadata.of("customer", "A", "year", 2023)),
                new VectorRecord("r2", new float[] {1}, "insulin for P004",
                        dev.portafilter.core.metadata.Metadata.of("customer", "A", "year", 2020))));
             BedrockAgentRuntimeClient client = server.client()) {
            BedrockKnowledgeBaseStore kb = BedrockKnowledgeBaseStore.builder().client(client)
                    .knowledgeBaseId("LANGCHAIN4J1").schema(MetadataSchema.builder()
                            .required("customer", FieldType.STRING).optional("year", FieldType.LONG).build())
                    .build();
            PortafilterEmbeddingStore store = PortafilterEmbeddingStore.over(kb);

            List<EmbeddingMatch<TextSegment>> matches = store.search(EmbeddingSearchRequest.builder()
                    .query("metformin").queryEmbedding(X).maxResults(5)
                    .filter(metadataKey("year").isGreaterThanOrEqualTo(2021)).build()).matches();
            assertThat(matches).extracting(m -> m.embedded().text()).containsExactly("metformin for P003");
            assertThat(server.lastRequest().at("/retrievalQuery/text").asText()).isEqualTo("metformin");

            int requests = server.requests();
            assertThatThrownBy(() -> store.add(X, TextSegment.from("new")))
                    .isInstanceOf(UnsupportedCapabilityException.class)
                    .satisfies(e -> assertThat(((UnsupportedCapabilityException) e).capability())
                            .isEqualTo(Capability.WRITE));
            assertThatThrownBy(() -> store.remove("r1")).isInstanceOf(UnsupportedCapabilityException.class);
            assertThat(server.requests()).isEqualTo(requests);
        }
    }
}
