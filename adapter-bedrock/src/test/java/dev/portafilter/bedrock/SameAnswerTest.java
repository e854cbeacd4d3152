package dev.portafilter.bedrock;

import dev.portafilter.ingest.ScenarioCorpus;
import dev.portafilter.ingest.SidecarIngestor;
import dev.portafilter.ingest.IngestReport;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portafilter.conformance.ScenarioDataset;
import dev.portafilter.conformance.StoreFixture;
import dev.portafilter.conformance.VectorStoreContract;
import dev.portafilter.core.UnsupportedFilterException;
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
import java.util.ArrayList;
import java.util.List;
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
 *
 * <p>A second run holds the attributes undeclared (only the required strings declared, {@link StoreFixture#undeclared})
 * in the stores and in Bedrock's schema: each filter returns the table's ids, or is refused with an
 * {@link UnsupportedFilterException} by a backend that cannot state it — on Bedrock exactly the filters that compare
 * a string with an undeclared key. Each backend prints how many filters it answered and declined.
 */
class SameAnswerTest {
    private static final String QUERY = KnowledgeBaseContract.QUERY;
    private static final int ALL = KnowledgeBaseContract.ALL;

    @TempDir
    static Path corpus;
    private static LocalBedrock bedrock;
    private static BedrockAgentRuntimeClient client;
    private static BedrockKnowledgeBaseStore kb;
    /** The same knowledge base read with the attributes undeclared. */
    private static BedrockKnowledgeBaseStore kbUndeclared;

    /** The self-managed stores to compare with Bedrock, each on its adapter's scratch fixture (from its test-jar). */
    static Stream<Named<StoreFixture>> stores() {
        return Stream.of(StoreFixture.inMemory(), PgvectorFixtures.scratch(), OpenSearchFixtures.scratch(),
                PineconeFixtures.local()).map(fixture -> Named.of(fixture.name(), fixture));
    }

    /** The same stores with the attributes undeclared. */
    static Stream<Named<StoreFixture>> undeclaredStores() {
        return Stream.of(StoreFixture.inMemory(), PgvectorFixtures.scratch(), OpenSearchFixtures.scratch(),
                        PineconeFixtures.local())
                .map(StoreFixture::undeclared).map(fixture -> Named.of(fixture.name(), fixture));
    }

    @BeforeAll
    static void serveTheCorpus() {
        ScenarioCorpus.write(corpus);
        bedrock = LocalBedrock.serveFolder("SAMEANSWER1", corpus);
        client = bedrock.client();
        kb = BedrockKnowledgeBaseStore.builder().client(client).knowledgeBaseId(bedrock.knowledgeBaseId())
                .schema(ScenarioDataset.SCHEMA).build();
        kbUndeclared = BedrockKnowledgeBaseStore.builder().client(client).knowledgeBaseId(bedrock.knowledgeBaseId())
                .schema(StoreFixture.undeclaredSchema(ScenarioDataset.SCHEMA)).build();
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

    @Test
    void bedrockWithUndeclaredKeysAnswersAsTheTableSaysOrDeclinesExactlyTheStringComparisons() {
        SoftAssertions soft = new SoftAssertions();
        List<String> declined = new ArrayList<>();
        for (BedrockFilterTable.Row row : BedrockFilterTable.ROWS) {
            try {
                soft.assertThat(search(kbUndeclared, row)).as("bedrock-local/undeclared: " + row)
                        .isEqualTo(row.expectedIds());
                // numbers and booleans are written for undeclared keys exactly as for declared ones
                soft.assertThat(bedrock.lastRequest().at("/retrievalConfiguration/vectorSearchConfiguration/filter")
                        .toString()).as("sent to Bedrock for " + row.name()).isEqualTo(canonical(row.json()));
            } catch (UnsupportedFilterException e) {
                soft.assertThat(e.backend()).as(row.name()).isEqualTo(RetrievalFilterCodec.BACKEND);
                declined.add(row.name());
            }
        }
        soft.assertThat(declined).as("declined on bedrock-local/undeclared").containsExactlyElementsOf(
                BedrockFilterTable.ROWS.stream().filter(row -> BedrockFilterTable.comparesUndeclaredString(
                        readTree(row.json()), kbUndeclared.schema())).map(BedrockFilterTable.Row::name).toList());
        soft.assertAll();
        report("bedrock-local/undeclared", declined);
    }

    /**
     * The table's filters mean what Bedrock documents on the corpus's typed attributes, so they are read with the
     * scenario's schema; the stores hold the same attributes undeclared. The sidecars, too, are read with the
     * scenario's schema (it says which NUMBERs are integers), and written to stores that do not declare them.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("undeclaredStores")
    void aStoreWithUndeclaredKeysAnswersAsTheTableSaysOrDeclines(StoreFixture fixture) {
        VectorStore store = fixture.newStore(ScenarioDataset.SCHEMA, ToyEmbedding.DIMENSION);
        try {
            IngestReport report = SidecarIngestor.builder().store(store).schema(ScenarioDataset.SCHEMA)
                    .embedder(ToyEmbedding.INSTANCE::embed).build().ingest(corpus);
            assertThat(report.documentsWritten()).isEqualTo(ScenarioDataset.records().size());
            SearchRequest query = SearchRequest.of(ToyEmbedding.INSTANCE.embed(QUERY), ALL);

            SoftAssertions soft = new SoftAssertions();
            List<String> declined = new ArrayList<>();
            for (BedrockFilterTable.Row row : BedrockFilterTable.ROWS) {
                Filter filter = RetrievalFilterCodec.fromJson(row.json(), ScenarioDataset.SCHEMA);
                try {
                    Set<String> onStore = store.search(query.withFilter(filter)).stream()
                            .map(h -> ScenarioCorpus.scenarioId(h.id())).collect(Collectors.toSet());
                    soft.assertThat(onStore).as(fixture.name() + ": " + row).isEqualTo(row.expectedIds());
                } catch (UnsupportedFilterException e) {
                    soft.assertThat(e.backend()).as(row.name()).isEqualTo(store.backend());
                    declined.add(row.name());
                }
            }
            soft.assertAll();
            // each document carries the same metadata as on Bedrock, numbers compared by value: Bedrock (and
            // Pinecone) keep undeclared numbers as 64-bit floats, so 1.0 may read back as 1
            Map<String, Metadata> onBedrock = kbUndeclared.search(QUERY, ALL).stream().collect(Collectors.toMap(
                    h -> ScenarioCorpus.scenarioId(h.sourceUri()), KnowledgeBaseHit::metadata));
            Map<String, Metadata> onStore = store.search(query).stream().collect(Collectors.toMap(
                    h -> ScenarioCorpus.scenarioId(h.id()), SearchHit::metadata));
            assertThat(onStore.keySet()).as(fixture.name() + ": documents").isEqualTo(onBedrock.keySet());
            onBedrock.forEach((id, metadata) -> VectorStoreContract.assertSameValues(onStore.get(id), metadata));
            report(fixture.name(), declined);
        } finally {
            fixture.dispose(store);
        }
    }

    private static Set<String> search(BedrockKnowledgeBaseStore store, BedrockFilterTable.Row row) {
        Filter filter = RetrievalFilterCodec.fromJson(row.json(), ScenarioDataset.SCHEMA);
        return store.search(QUERY, ALL, filter).stream()
                .map(h -> ScenarioCorpus.scenarioId(h.sourceUri())).collect(Collectors.toSet());
    }

    private static Set<String> onBedrock(BedrockFilterTable.Row row) {
        return search(kb, row);
    }

    private static void report(String backend, int filters) {
        System.out.println("[same-answer] " + backend + ": " + filters + " of " + BedrockFilterTable.ROWS.size()
                + " RetrievalFilters checked, every one returned the table's ids");
    }

    private static void report(String backend, List<String> declined) {
        int answered = BedrockFilterTable.ROWS.size() - declined.size();
        System.out.println("[same-answer] " + backend + ": " + answered + " of " + BedrockFilterTable.ROWS.size()
                + " RetrievalFilters answered with the table's ids, " + declined.size() + " declined"
                + (declined.isEmpty() ? "" : " " + declined));
    }

    private static String canonical(String json) {
        return readTree(json).toString();
    }

    private static JsonNode readTree(String json) {
        try {
            return new ObjectMapper().readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
