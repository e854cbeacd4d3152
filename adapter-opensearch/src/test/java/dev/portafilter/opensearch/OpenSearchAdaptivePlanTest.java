package dev.portafilter.opensearch;

import dev.portafilter.core.filter.Filter;
import dev.portafilter.core.filter.Filters;
import dev.portafilter.core.metadata.FieldType;
import dev.portafilter.core.metadata.Metadata;
import dev.portafilter.core.metadata.MetadataSchema;
import dev.portafilter.core.store.SearchHit;
import dev.portafilter.core.store.VectorRecord;
import dev.portafilter.opensearch.OpenSearchSearchPlan.Strategy;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.opensearch.client.opensearch._types.Refresh;

import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** {@link OpenSearchStore.SearchMode#ADAPTIVE} on the real server: the plan per filter, its counts and their cache. */
class OpenSearchAdaptivePlanTest {
    private static final MetadataSchema SCHEMA = MetadataSchema.builder().required("customer", FieldType.STRING).build();
    private static final int DIM = 8;
    private static final int SMALL = 30;
    private static final int LARGE = 570;
    private static final Filter SMALL_TENANT = Filters.eq("customer", "small");
    private static final Filter LARGE_TENANT = Filters.eq("customer", "large");

    private static OpenSearchIndexLayout layout;
    private static OpenSearchStore loader;

    @BeforeAll
    static void load() {
        layout = OpenSearchIndexLayout.builder(TestServer.scratchIndex("adaptive"), SCHEMA, DIM).build();
        loader = TestServer.storeByUrl(layout).refresh(Refresh.WaitFor).build();
        loader.createIndex();
        loader.upsert(records("small", 0, SMALL));
        loader.upsert(records("large", 0, LARGE));
    }

    @AfterAll
    static void delete() {
        if (loader != null) {
            loader.deleteIndex();
            loader.close();
        }
    }

    @Test
    void aSmallTenantIsScoredExactlyALargeOneByTheGraphBothWithFullK() {
        try (OpenSearchStore store = TestServer.storeByUrl(layout).exactMaxRows(100).build();
             OpenSearchStore exact = TestServer.storeByUrl(layout).searchMode(OpenSearchStore.SearchMode.EXACT).build()) {
            OpenSearchSearchPlan small = store.explainPlan(SMALL_TENANT, 10);
            assertThat(small.strategy()).isEqualTo(Strategy.EXACT);
            assertThat(small.estimatedRows()).isEqualTo(SMALL);
            assertThat(small.estimatedSelectivity()).isCloseTo((double) SMALL / (SMALL + LARGE), within(1e-9));
            assertThat(small.efSearch()).isZero();
            assertThat(small.exactMaxRows()).isEqualTo(100);
            assertThat(small.reason()).contains("30 documents match, at most 100").contains("knn_score");

            OpenSearchSearchPlan large = store.explainPlan(LARGE_TENANT, 10);
            assertThat(large.strategy()).isEqualTo(Strategy.APPROXIMATE);
            assertThat(large.estimatedRows()).isEqualTo(LARGE);
            assertThat(large.efSearch()).as("95% of the index: the raised ef_search")
                    .isEqualTo(OpenSearchStore.DEFAULT_RAISED_EF_SEARCH);
            assertThat(large.reason()).contains("570 documents (95.0%) match").contains("ef_search 200");
            assertThat(large.toString()).startsWith("APPROXIMATE (about 570 documents, 95.0% of the index, ef_search 200");

            float[] q = vector(new SplittableRandom(99));
            for (Filter tenant : List.of(SMALL_TENANT, LARGE_TENANT)) {
                assertThat(store.search(q, 10, tenant)).hasSize(10).allMatch(h -> tenant.test(h.metadata()));
            }
            assertThat(store.search(q, 10, SMALL_TENANT)).extracting(SearchHit::id).as("the exact neighbours")
                    .containsExactlyElementsOf(exact.search(q, 10, SMALL_TENANT).stream().map(SearchHit::id).toList());
        }
    }

    @Test
    void aRaisedEfSearchAppliesFromItsSelectivityAndNeverBelowK() {
        try (OpenSearchStore store = TestServer.storeByUrl(layout).exactMaxRows(10).efSearch(40)
                .raisedEfSearch(300, 0.99).build()) {
            OpenSearchSearchPlan large = store.explainPlan(LARGE_TENANT, 10);
            assertThat(large.efSearch()).as("95% is below 99%: the floor").isEqualTo(40);
            assertThat(large.raisedEfFrom()).isEqualTo(0.99);
            assertThat(store.explainPlan(SMALL_TENANT, 50).efSearch()).as("k above the floor").isEqualTo(50);
        }
    }

    @Test
    void withoutAFilterOrWithAFixedModeNothingIsChosen() {
        try (OpenSearchStore store = TestServer.storeByUrl(layout).build();
             OpenSearchStore exact = TestServer.storeByUrl(layout).searchMode(OpenSearchStore.SearchMode.EXACT).build()) {
            OpenSearchSearchPlan unfiltered = store.explainPlan(10);
            assertThat(unfiltered.strategy()).isEqualTo(Strategy.APPROXIMATE);
            assertThat(unfiltered.estimatedRows()).as("nothing counted").isEqualTo(-1);
            assertThat(unfiltered.efSearch()).as("the whole index: the raised ef_search")
                    .isEqualTo(OpenSearchStore.DEFAULT_RAISED_EF_SEARCH);
            assertThat(unfiltered.reason()).startsWith("no filter");

            OpenSearchSearchPlan fixed = exact.explainPlan(LARGE_TENANT, 10);
            assertThat(fixed.strategy()).isEqualTo(Strategy.EXACT);
            assertThat(fixed.estimatedRows()).as("counted for information").isEqualTo(LARGE);
            assertThat(fixed.reason()).contains("SearchMode.EXACT");
        }
    }

    /** The count is kept for the TTL (writes do not change the plan until it runs out), or until forgotten. */
    @Test
    void theCountIsKeptForItsTtlOrUntilForgotten() throws InterruptedException {
        String index = TestServer.scratchIndex("adaptive-cache");
        OpenSearchIndexLayout own = OpenSearchIndexLayout.builder(index, SCHEMA, DIM).build();
        try (OpenSearchStore kept = TestServer.storeByUrl(own).refresh(Refresh.WaitFor).exactMaxRows(50).build();
             OpenSearchStore brief = TestServer.storeByUrl(own).exactMaxRows(50)
                     .estimateCacheTtl(Duration.ofMillis(300)).build()) {
            kept.createIndex();
            try {
                kept.upsert(records("grows", 0, 20));
                kept.upsert(records("other", 0, 20));
                Filter grows = Filters.eq("customer", "grows");
                assertThat(kept.explainPlan(grows, 5).estimatedRows()).isEqualTo(20);
                assertThat(brief.explainPlan(grows, 5).estimatedRows()).isEqualTo(20);

                kept.upsert(records("grows", 20, 100));
                assertThat(kept.search(vector(new SplittableRandom(3)), 5, grows)).hasSize(5);
                OpenSearchSearchPlan stale = kept.explainPlan(grows, 5);
                assertThat(stale.estimatedRows()).as("kept: the write is not counted yet").isEqualTo(20);
                assertThat(stale.strategy()).isEqualTo(Strategy.EXACT);

                Thread.sleep(400);
                assertThat(brief.explainPlan(grows, 5).estimatedRows()).as("after the TTL").isEqualTo(100);
                assertThat(kept.explainPlan(grows, 5).estimatedRows()).as("10 s TTL: still kept").isEqualTo(20);

                kept.forgetEstimates();
                OpenSearchSearchPlan fresh = kept.explainPlan(grows, 5);
                assertThat(fresh.estimatedRows()).isEqualTo(100);
                assertThat(fresh.estimatedSelectivity()).isCloseTo(100.0 / 120, within(1e-9));
                assertThat(fresh.strategy()).isEqualTo(Strategy.APPROXIMATE);
            } finally {
                kept.deleteIndex();
            }
        }
    }

    private static List<VectorRecord> records(String customer, int from, int to) {
        SplittableRandom random = new SplittableRandom(customer.hashCode() + from);
        return IntStream.range(from, to).mapToObj(i -> new VectorRecord(customer + "-" + i, vector(random), null,
                Metadata.of("customer", customer))).toList();
    }

    private static float[] vector(SplittableRandom random) {
        float[] v = new float[DIM];
        for (int i = 0; i < DIM; i++) {
            v[i] = (float) random.nextGaussian();
        }
        return v;
    }
}
