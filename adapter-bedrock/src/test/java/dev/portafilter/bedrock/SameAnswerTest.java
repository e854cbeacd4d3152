package dev.portafilter.bedrock;

import dev.portafilter.conformance.ScenarioDataset;
import dev.portafilter.conformance.StoreFixture;
import dev.portafilter.core.filter.Filter;
import dev.portafilter.core.metadata.Metadata;
import dev.portafilter.core.metadata.MetadataSchema;
import dev.portafilter.core.store.InMemoryVectorStore;
import dev.portafilter.core.store.SearchHit;
import dev.portafilter.core.store.VectorStore;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One corpus and one filter, the same answer: the scenario written as Bedrock sidecar files (both forms) is served
 * by the local Bedrock stand-in and ingested with {@link SidecarIngestor} into each self-managed store, and every
 * RetrievalFilter of {@link BedrockFilterTable} must return the same ids — the table's — on all of them.
 */
class SameAnswerTest {
    private static final String QUERY = KnowledgeBaseContract.QUERY;
    private static final int ALL = KnowledgeBaseContract.ALL;

    @TempDir
    static Path corpus;
    private static LocalBedrock bedrock;
    private static BedrockKnowledgeBaseStore kb;

    /** The self-managed stores to compare with Bedrock; add a backend's StoreFixture here. */
    static Stream<StoreFixture> stores() {
        return Stream.of(new StoreFixture() {
            @Override
            public String name() {
                return "memory";
            }

            @Override
            public VectorStore newStore(MetadataSchema schema, int dimension) {
                return new InMemoryVectorStore(schema, dimension);
            }

            @Override
            public String toString() {
                return name();
            }
        });
    }

    @BeforeAll
    static void serveTheCorpus() {
        ScenarioCorpus.write(corpus);
        bedrock = LocalBedrock.serveFolder("SAMEANSWER1", corpus);
        kb = BedrockKnowledgeBaseStore.builder().client(bedrock.client()).knowledgeBaseId(bedrock.knowledgeBaseId())
                .schema(ScenarioDataset.SCHEMA).build();
    }

    @AfterAll
    static void stop() {
        bedrock.close();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stores")
    void oneFilterAndOneCorpusGiveTheSameAnswer(StoreFixture fixture) {
        VectorStore store = fixture.newStore(ScenarioDataset.SCHEMA, ToyEmbedding.DIMENSION);
        try {
            IngestReport report = SidecarIngestor.builder().store(store).embedder(ToyEmbedding.INSTANCE).build()
                    .ingest(corpus);
            assertThat(report.documentsWritten()).isEqualTo(ScenarioDataset.records().size());
            float[] query = ToyEmbedding.INSTANCE.embed(QUERY);

            SoftAssertions soft = new SoftAssertions();
            for (BedrockFilterTable.Row row : BedrockFilterTable.ROWS) {
                Filter filter = RetrievalFilterCodec.fromJson(row.json(), ScenarioDataset.SCHEMA);
                Set<String> onBedrock = kb.search(QUERY, ALL, Optional.of(filter)).stream()
                        .map(h -> ScenarioCorpus.scenarioId(h.sourceUri())).collect(Collectors.toSet());
                soft.assertThat(bedrock.lastRequest().at("/retrievalConfiguration/vectorSearchConfiguration/filter")
                        .toString()).as("sent to Bedrock for " + row.name()).isEqualTo(canonical(row.json()));
                Set<String> onStore = store.search(query, ALL, filter).stream()
                        .map(h -> ScenarioCorpus.scenarioId(h.id())).collect(Collectors.toSet());
                soft.assertThat(onBedrock).as("Bedrock: " + row).isEqualTo(row.expectedIds());
                soft.assertThat(onStore).as(fixture.name() + ": " + row).isEqualTo(row.expectedIds());
            }
            // and each document carries the same metadata on both
            Map<String, Metadata> onBedrock = kb.search(QUERY, ALL, Optional.empty()).stream().collect(Collectors.toMap(
                    h -> ScenarioCorpus.scenarioId(h.sourceUri()), KnowledgeBaseHit::metadata));
            Map<String, Metadata> onStore = store.search(query, ALL).stream().collect(Collectors.toMap(
                    h -> ScenarioCorpus.scenarioId(h.id()), SearchHit::metadata));
            soft.assertThat(onStore).isEqualTo(onBedrock);
            soft.assertAll();
        } finally {
            fixture.dispose(store);
        }
    }

    private static String canonical(String json) {
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().readTree(json).toString();
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }
}
