package dev.portafilter.bedrock;

import dev.portafilter.ingest.ScenarioCorpus;
import dev.portafilter.ingest.SidecarIngestor;
import dev.portafilter.ingest.IngestReport;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portafilter.conformance.ScenarioDataset;
import dev.portafilter.conformance.StoreFixture;
import dev.portafilter.core.filter.Filter;
import dev.portafilter.core.metadata.Metadata;
import dev.portafilter.core.store.SearchHit;
import dev.portafilter.core.store.SearchRequest;
import dev.portafilter.core.store.VectorStore;
import dev.portafilter.localservers.bedrock.LocalBedrock;
import dev.portafilter.localservers.bedrock.ToyEmbedding;
import dev.portafilter.opensearch.OpenSearchFixtures;
import dev.portafilter.pgvector.PgvectorFixtures;
import dev.portafilter.pinecone.PineconeFixtures;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.services.bedrockagentruntime.BedrockAgentRuntimeClient;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One corpus and one filter, the same answer: the scenario written as Bedrock sidecar files (both forms) is served
 * by the local Bedrock stand-in and ingested with {@link SidecarIngestor} into the in-memory store, pgvector,
 * OpenSearch and Pinecone (local server), and every RetrievalFilter of {@link BedrockFilterTable} must return the
 * same ids — the table's — on all of them. Each backend prints how many filters it answered so.
 */
class SameAnswerTest {
    private static final String QUERY = KnowledgeBaseContract.QUERY;
    private static final int ALL = KnowledgeBaseContract.ALL;

    @TempDir
    static Path corpus;
    private static LocalBedrock bedrock;
    private static BedrockAgentRuntimeClient client;
    private static BedrockKnowledgeBaseStore kb;

    /** The self-managed stores to compare with Bedrock, each on its adapter's scratch fixture (from its test-jar). */
    static Stream<Named<StoreFixture>> stores() {
        return Stream.of(StoreFixture.inMemory(), PgvectorFixtures.scratch(), OpenSearchFixtures.scratch(),
                PineconeFixtures.local()).map(fixture -> Named.of(fixture.name(), fixture));
    }

    @BeforeAll
    static void serveTheCorpus() {
        ScenarioCorpus.write(corpus);
        bedrock = LocalBedrock.serveFolder("SAMEANSWER1", corpus);
        client = bedrock.client();
        kb = BedrockKnowledgeBaseStore.builder().client(client).knowledgeBaseId(bedrock.knowledgeBaseId())
                .schema(ScenarioDataset.SCHEMA).build();
    }

    @AfterAll
    static void stop() {
        client.close();
        bedrock.close();
    }

    @Test
    void bedrockAnswersEveryFilterAsTheTableSays() {
        SoftAssertions soft = new SoftAssertions();
        int checked = 0;
        for (BedrockFilterTable.Row row : BedrockFilterTable.ROWS) {
            soft.assertThat(onBedrock(row)).as("bedrock-local: " + row).isEqualTo(row.expectedIds());
            soft.assertThat(bedrock.lastRequest().at("/retrievalConfiguration/vectorSearchConfiguration/filter")
                    .toString()).as("sent to Bedrock for " + row.name()).isEqualTo(canonical(row.json()));
            checked++;
        }
        soft.assertAll();
        report("bedrock-local", checked);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stores")
    void aStoreIngestedFromTheSidecarsAnswersEveryFilterAsBedrockDoes(StoreFixture fixture) {
        VectorStore store = fixture.newStore(ScenarioDataset.SCHEMA, ToyEmbedding.DIMENSION);
        try {
            IngestReport report = SidecarIngestor.builder().store(store).embedder(ToyEmbedding.INSTANCE::embed).build()
                    .ingest(corpus);
            assertThat(report.documentsWritten()).isEqualTo(ScenarioDataset.records().size());
            SearchRequest query = SearchRequest.of(ToyEmbedding.INSTANCE.embed(QUERY), ALL);

            SoftAssertions soft = new SoftAssertions();
            int checked = 0;
            for (BedrockFilterTable.Row row : BedrockFilterTable.ROWS) {
                Filter filter = RetrievalFilterCodec.fromJson(row.json(), ScenarioDataset.SCHEMA);
                Set<String> onStore = store.search(query.withFilter(filter)).stream()
                        .map(h -> ScenarioCorpus.scenarioId(h.id())).collect(Collectors.toSet());
                soft.assertThat(onStore).as(fixture.name() + ": " + row).isEqualTo(row.expectedIds());
                soft.assertThat(onStore).as(fixture.name() + " vs bedrock-local: " + row).isEqualTo(onBedrock(row));
                checked++;
            }
            // and each document carries the same metadata on both
            Map<String, Metadata> onBedrock = kb.search(QUERY, ALL).stream().collect(Collectors.toMap(
                    h -> ScenarioCorpus.scenarioId(h.sourceUri()), KnowledgeBaseHit::metadata));
            Map<String, Metadata> onStore = store.search(query).stream().collect(Collectors.toMap(
                    h -> ScenarioCorpus.scenarioId(h.id()), SearchHit::metadata));
            soft.assertThat(onStore).as(fixture.name() + ": metadata as on bedrock-local").isEqualTo(onBedrock);
            soft.assertAll();
            report(fixture.name(), checked);
        } finally {
            fixture.dispose(store);
        }
    }

    private static Set<String> onBedrock(BedrockFilterTable.Row row) {
        Filter filter = RetrievalFilterCodec.fromJson(row.json(), ScenarioDataset.SCHEMA);
        return kb.search(QUERY, ALL, filter).stream()
                .map(h -> ScenarioCorpus.scenarioId(h.sourceUri())).collect(Collectors.toSet());
    }

    private static void report(String backend, int filters) {
        System.out.println("[same-answer] " + backend + ": " + filters + " of " + BedrockFilterTable.ROWS.size()
                + " RetrievalFilters checked, every one returned the table's ids");
    }

    private static String canonical(String json) {
        try {
            return new ObjectMapper().readTree(json).toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
