package dev.portafilter.bedrock;

import dev.portafilter.ingest.ScenarioCorpus;
import dev.portafilter.conformance.Backend;
import dev.portafilter.conformance.ConformanceContract;
import dev.portafilter.conformance.RandomScenario;
import dev.portafilter.conformance.ScenarioDataset;
import dev.portafilter.core.UnsupportedFilterException;
import dev.portafilter.core.filter.Filter;
import dev.portafilter.core.filter.FilterJson;
import dev.portafilter.core.store.VectorRecord;
import dev.portafilter.localservers.bedrock.LocalBedrock;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.statistics.Statistics;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Random filters over random records, end to end through the SDK and the local Bedrock stand-in: every filter the
 * codec writes returns exactly the records the reference evaluator selects, and every other is refused before any
 * request. The stand-in judges with Bedrock's documented semantics, not with Portafilter's evaluator.
 */
@Backend("bedrock-local")
class LocalFilterPropertyTest implements ConformanceContract {
    private static final List<VectorRecord> DATA = RandomScenario.records(20261125L, 60);
    private static LocalBedrock server;
    private static BedrockKnowledgeBaseStore kb;

    @BeforeContainer
    static void serve() {
        server = LocalBedrock.serveRecords("PROPERTYKB", DATA);
        kb = BedrockKnowledgeBaseStore.builder().client(server.client()).knowledgeBaseId("PROPERTYKB")
                .schema(ScenarioDataset.SCHEMA).build();
    }

    @AfterContainer
    static void stop() {
        server.close();
    }

    @Provide
    Arbitrary<Filter> filters() {
        return RandomScenario.filters(3);
    }

    @Property(tries = 200)
    void searchEqualsReferenceOrIsRefusedBeforeAnyRequest(@ForAll("filters") Filter filter) {
        Set<String> expected = DATA.stream().filter(r -> filter.test(r.metadata())).map(VectorRecord::id)
                .collect(Collectors.toSet());
        int before = server.requests();
        try {
            RetrievalFilterCodec.toSdk(filter, ScenarioDataset.SCHEMA);
        } catch (UnsupportedFilterException inexpressible) {
            Statistics.label("sent").collect(false);
            assertThatThrownBy(() -> kb.search("query", KnowledgeBaseContract.ALL, filter))
                    .isInstanceOf(UnsupportedFilterException.class);
            assertThat(server.requests()).isEqualTo(before);
            return;
        }
        Statistics.label("sent").collect(true);
        Set<String> found = kb.search("query", KnowledgeBaseContract.ALL, filter).stream()
                .map(h -> ScenarioCorpus.scenarioId(h.sourceUri()))
                .collect(Collectors.toSet());
        assertThat(found).as(FilterJson.write(filter)).isEqualTo(expected);
        Statistics.label("sent").coverage(c -> c.check(true).percentage(p -> p >= 25));
    }
}
