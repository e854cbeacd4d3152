package dev.portafilter.bedrock;

import dev.portafilter.ingest.ScenarioCorpus;
import dev.portafilter.conformance.ConformanceContract;
import dev.portafilter.conformance.ScenarioDataset;
import dev.portafilter.conformance.SemanticsCases;
import dev.portafilter.conformance.TenantIsolationContract;
import dev.portafilter.core.InvalidFilterException;
import dev.portafilter.core.PortafilterException;
import dev.portafilter.core.TenantIsolationException;
import dev.portafilter.core.UnsupportedCapabilityException;
import dev.portafilter.core.UnsupportedFilterException;
import dev.portafilter.core.filter.Filter;
import dev.portafilter.core.filter.FilterJson;
import dev.portafilter.core.filter.Filters;
import dev.portafilter.core.metadata.Metadata;
import dev.portafilter.core.store.Capability;
import dev.portafilter.core.store.SearchHit;
import dev.portafilter.core.store.SearchRequest;
import dev.portafilter.core.store.VectorRecord;
import dev.portafilter.core.store.VectorStore;
import dev.portafilter.core.tenant.TenantScope;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The read-only contract of {@link BedrockKnowledgeBaseStore} over a knowledge base holding the scenario corpus
 * ({@link ScenarioCorpus}): every semantics case is answered exactly or refused before any request, Bedrock-format
 * filters mean what they say, hits carry what was ingested, what a knowledge base cannot do is a typed error, and a
 * {@link TenantScope} confines every query to its tenant. Results are compared as scenario ids taken from the
 * source location ({@code .../CustomerA/A-C001.txt} is {@code A-C001}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class KnowledgeBaseContract implements ConformanceContract {
    static final int ALL = BedrockKnowledgeBaseStore.MAX_RESULTS;
    static final String QUERY = "What was prescribed to patient P003?";

    /** A knowledge base loaded with the scenario corpus. */
    interface Fixture extends AutoCloseable {
        BedrockKnowledgeBaseStore knowledgeBase();

        /** Retrieve calls that reached the service so far, where the fixture can tell. */
        OptionalInt requests();

        @Override
        void close();
    }

    private Fixture fixture;
    private BedrockKnowledgeBaseStore kb;
    /** Hit id (Bedrock's chunk id) to scenario id, from one unfiltered search. */
    private final Map<String, String> scenarioIdOfHit = new HashMap<>();

    protected abstract Fixture openFixture();

    @BeforeAll
    void open() {
        fixture = openFixture();
        kb = fixture.knowledgeBase();
        kb.search(QUERY, ALL)
                .forEach(h -> scenarioIdOfHit.put(h.id(), ScenarioCorpus.scenarioId(h.sourceUri())));
    }

    @AfterAll
    void close() {
        if (fixture != null) {
            fixture.close();
        }
    }

    private Set<String> ids(Filter filter) {
        return kb.search(QUERY, ALL, filter).stream()
                .map(h -> ScenarioCorpus.scenarioId(h.sourceUri()))
                .collect(Collectors.toSet());
    }

    /** Runs the action and asserts that it threw this type without calling Bedrock. */
    private void refusedBeforeAnyRequest(Runnable action, Class<? extends Throwable> type) {
        OptionalInt before = fixture.requests();
        assertThatThrownBy(action::run).isInstanceOf(type);
        assertThat(fixture.requests()).isEqualTo(before);
    }

    @TestFactory
    Stream<DynamicTest> everySemanticsCaseIsAnsweredExactlyOrRefusedBeforeAnyRequest() {
        return SemanticsCases.all().stream().map(c -> DynamicTest.dynamicTest(c.toString(), () -> {
            if (RetrievalFilterCodecTest.INEXPRESSIBLE.contains(c.id())) {
                refusedBeforeAnyRequest(() -> kb.search(QUERY, ALL, c.filter()),
                        UnsupportedFilterException.class);
            } else {
                assertThat(ids(c.filter())).as(c.filterJson()).isEqualTo(c.expectedIds());
            }
        }));
    }

    @TestFactory
    Stream<DynamicTest> retrievalFiltersMeanWhatBedrockSays() {
        return BedrockFilterTable.ROWS.stream().map(row -> DynamicTest.dynamicTest(row.toString(), () ->
                assertThat(ids(RetrievalFilterCodec.fromJson(row.json(), kb.schema()))).isEqualTo(row.expectedIds())));
    }

    @Test
    void anUnfilteredSearchReachesEveryDocument() {
        assertThat(new java.util.HashSet<>(scenarioIdOfHit.values())).isEqualTo(Set.copyOf(ScenarioDataset.ids()));
    }

    @Test
    void topKIsHonouredAndHitsComeBestFirst() {
        List<KnowledgeBaseHit> top = kb.search(QUERY, 3);
        assertThat(top).hasSize(3);
        for (int i = 1; i < top.size(); i++) {
            assertThat(top.get(i).score()).isLessThanOrEqualTo(top.get(i - 1).score());
        }
        assertThat(kb.search(QUERY, 2, Filters.eq("customer", "CustomerB")))
                .hasSize(2).allSatisfy(h -> assertThat(ScenarioCorpus.scenarioId(h.sourceUri())).startsWith("B-"));
    }

    @Test
    void hitsCarryTextMetadataAndSourceAsIngested() {
        Map<String, VectorRecord> byId = ScenarioDataset.byId();
        for (KnowledgeBaseHit hit : kb.search(QUERY, ALL)) {
            VectorRecord r = byId.get(ScenarioCorpus.scenarioId(hit.sourceUri()));
            assertThat(hit.sourceUri()).endsWith("/" + ScenarioCorpus.fileOf(r));
            assertThat(hit.text().strip()).isEqualTo(r.text());
            assertThat(hit.metadata()).isEqualTo(ScenarioDataset.SCHEMA.validateRecord(r.id(), r.metadata()));
            assertThat(hit.score()).isFinite();
            assertThat(hit.toSearchHit()).isEqualTo(new SearchHit(hit.id(), hit.score(), hit.text(), hit.metadata()));
        }
    }

    @Test
    void aSearchRequestRunsItsQueryTextAndAVectorOnlyOneIsRefused() {
        assertThat(kb.search(SearchRequest.ofText(QUERY, ALL).withFilter(Filters.eq("documentType", "note"))))
                .extracting(h -> scenarioIdOfHit.get(h.id())).containsExactlyInAnyOrder("A-NOTE", "B-NOTE");
        assertThat(kb.search(SearchRequest.ofText(QUERY, 3))).extracting(SearchHit::id)
                .isEqualTo(kb.search(QUERY, 3).stream().map(KnowledgeBaseHit::id).toList());
        refusedBeforeAnyRequest(() -> kb.search(new float[] {1, 0, 0}, 5), IllegalArgumentException.class);
        refusedBeforeAnyRequest(() -> kb.search(new float[] {1}, 5, Filters.eq("colour", "red")),
                InvalidFilterException.class);
    }

    @Test
    void writesCountsAndDeletesAreRefusedAfterTheFilterIsChecked() {
        assertThat(kb.capabilities()).doesNotContain(Capability.WRITE, Capability.COUNT, Capability.DELETE_WHERE);
        VectorRecord r = new VectorRecord("X", new float[] {1}, "x", Metadata.of("customer", "CustomerA",
                "documentType", "note"));
        Filter valid = Filters.eq("customer", "CustomerA");
        Filter invalid = Filters.eq("publicationYear", "2023");
        assertThatThrownBy(() -> kb.upsert(List.of(r))).isInstanceOfSatisfying(UnsupportedCapabilityException.class,
                e -> assertThat(e.capability()).isEqualTo(Capability.WRITE));
        assertThatThrownBy(() -> kb.delete(List.of("X"))).isInstanceOfSatisfying(UnsupportedCapabilityException.class,
                e -> assertThat(e.capability()).isEqualTo(Capability.WRITE));
        assertThatThrownBy(() -> kb.count(valid)).isInstanceOfSatisfying(UnsupportedCapabilityException.class,
                e -> assertThat(e.capability()).isEqualTo(Capability.COUNT));
        assertThatThrownBy(() -> kb.deleteWhere(valid)).isInstanceOfSatisfying(UnsupportedCapabilityException.class,
                e -> assertThat(e.capability()).isEqualTo(Capability.DELETE_WHERE));
        assertThatThrownBy(() -> kb.count(invalid)).isInstanceOf(InvalidFilterException.class);
        assertThatThrownBy(() -> kb.deleteWhere(invalid)).isInstanceOf(InvalidFilterException.class);
        assertThat(kb.search(QUERY, ALL)).hasSize(ScenarioDataset.records().size());
    }

    @Test
    void invalidAndInexpressibleFiltersNeverReachBedrock() {
        refusedBeforeAnyRequest(() -> kb.search(QUERY, 5, Filters.eq("colour", "red")),
                InvalidFilterException.class);
        refusedBeforeAnyRequest(() -> kb.search(QUERY, 5, Filters.ne("patientIds", "P001")),
                UnsupportedFilterException.class);
        refusedBeforeAnyRequest(() -> kb.search(QUERY, 5,
                RetrievalFilterCodec.fromJson("{\"startsWith\":{\"key\":\"focus\",\"value\":\"gen\"}}", kb.schema())),
                UnsupportedFilterException.class);
        refusedBeforeAnyRequest(() -> kb.search(QUERY, ALL + 1), IllegalArgumentException.class);
        refusedBeforeAnyRequest(() -> kb.search(" ", 5), IllegalArgumentException.class);
    }

    @Test
    void aTenantViewSeesOnlyItsTenant() {
        TenantScope scope = TenantScope.of(kb, ScenarioDataset.TENANT_FIELD);
        for (String tenant : List.of(ScenarioDataset.CUSTOMER_A, ScenarioDataset.CUSTOMER_B)) {
            VectorStore view = scope.forTenant(tenant);
            assertThat(viewIds(view, null)).isEqualTo(Set.copyOf(ScenarioDataset.idsOf(tenant)));
            assertThat(viewIds(view, Filters.eq("documentType", "note")))
                    .containsExactly(tenant.equals("CustomerA") ? "A-NOTE" : "B-NOTE");
            refusedBeforeAnyRequest(() -> view.search(SearchRequest.ofText(QUERY, 5)
                    .withFilter(Filters.eq("customer", "CustomerB"))), TenantIsolationException.class);
            assertThatThrownBy(() -> view.count(Filters.eq("region", "US")))
                    .isInstanceOf(UnsupportedCapabilityException.class);
            // without a query text, the view refuses the vector query instead of answering it
            refusedBeforeAnyRequest(() -> view.search(new float[] {1}, 5), IllegalArgumentException.class);
        }
        assertThat(viewIds(scope.forTenant("CustomerC"), null)).isEmpty();
    }

    @TestFactory
    Stream<DynamicTest> adversarialFiltersThroughATenantViewNeverLeak() {
        TenantScope scope = TenantScope.of(kb, ScenarioDataset.TENANT_FIELD);
        return TenantIsolationContract.adversarialFilters().stream().flatMap(json -> Stream.of(
                ScenarioDataset.CUSTOMER_A, ScenarioDataset.CUSTOMER_B).map(tenant -> DynamicTest.dynamicTest(
                tenant + " " + (json.length() > 80 ? json.substring(0, 77) + "..." : json), () -> {
                    Filter filter;
                    try {
                        filter = FilterJson.parse(json);
                    } catch (PortafilterException refused) {
                        return;
                    }
                    Set<String> expected = ScenarioDataset.records().stream()
                            .filter(r -> r.metadata().get("customer").orElseThrow().toJava().equals(tenant)
                                    && filter.test(r.metadata()))
                            .map(VectorRecord::id)
                            .collect(Collectors.toSet());
                    Set<String> seen;
                    try {
                        seen = viewIds(scope.forTenant(tenant), filter);
                    } catch (TenantIsolationException | InvalidFilterException refused) {
                        return;
                    }
                    assertThat(seen).isEqualTo(expected);
                })));
    }

    private Set<String> viewIds(VectorStore view, Filter filter) {
        SearchRequest request = SearchRequest.ofText(QUERY, ALL);
        List<SearchHit> hits = view.search(filter == null ? request : request.withFilter(filter));
        return hits.stream().map(h -> scenarioIdOfHit.get(h.id())).collect(Collectors.toSet());
    }
}
