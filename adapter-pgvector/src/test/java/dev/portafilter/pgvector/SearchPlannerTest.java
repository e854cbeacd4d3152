package dev.portafilter.pgvector;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.portafilter.pgvector.PgvectorSearchPlan.Strategy;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The decision alone, from given estimates: its boundaries and how it reads estimates under row-level security. */
class SearchPlannerTest {
    private final SearchPlanner planner = planner(null);

    @Test
    void exactUpToTheRowThresholdInclusiveThenHnsw() {
        assertThat(planner.choose(new RowEstimate(3_000, 100_000, 100_000), 10).strategy()).isEqualTo(Strategy.EXACT);
        PgvectorSearchPlan hnsw = planner.choose(new RowEstimate(3_001, 100_000, 100_000), 10);
        assertThat(hnsw.strategy()).isEqualTo(Strategy.HNSW_ITERATIVE);
        assertThat(hnsw.estimatedRows()).isEqualTo(3_001);
        assertThat(hnsw.efSearch()).isEqualTo(100);
        assertThat(hnsw.reason()).contains("3001 rows", "relaxed_order");
    }

    @Test
    void exactUpToTheSelectivityThresholdHoweverManyRowsThatIs() {
        PgvectorSearchPlan onePercent = planner.choose(new RowEstimate(100_000, 10_000_000, 10_000_000), 10);
        assertThat(onePercent.strategy()).isEqualTo(Strategy.EXACT);
        assertThat(onePercent.reason()).contains("1.00%");
        assertThat(planner.choose(new RowEstimate(100_001, 10_000_000, 10_000_000), 10).strategy()).isEqualTo(Strategy.HNSW_ITERATIVE);
    }

    @Test
    void underRowLevelSecurityTheShareIsOfTheWholeTable() {
        // the policy's tenant condition makes the table look as large as the tenant: half of 100,000 rows here
        PgvectorSearchPlan plan = planner.choose(new RowEstimate(50_000, 50_000, 100_000), 10);
        assertThat(plan.estimatedSelectivity()).isCloseTo(0.5, within(1e-9));
        assertThat(plan.estimatedRows()).isEqualTo(50_000);
        assertThat(plan.strategy()).isEqualTo(Strategy.HNSW_ITERATIVE);
        assertThat(planner.choose(new RowEstimate(900, 50_000, 100_000), 10).strategy()).isEqualTo(Strategy.EXACT);
    }

    @Test
    void aTableNeverAnalyzedIsSizedByThePlanner() {
        PgvectorSearchPlan plan = planner.choose(new RowEstimate(500, 40_000, -1), 10);
        assertThat(plan.estimatedRows()).isEqualTo(500);
        assertThat(plan.strategy()).isEqualTo(Strategy.EXACT);
    }

    @Test
    void efSearchIsNeverBelowK() {
        assertThat(planner.choose(new RowEstimate(50_000, 100_000, 100_000), 400).efSearch()).isEqualTo(400);
        assertThat(planner.choose(new RowEstimate(50_000, 100_000, 100_000), 5_000).efSearch()).isEqualTo(SearchPlanner.MAX_EF_SEARCH);
    }

    @Test
    void onlyTheHnswPlanChangesSettings() {
        LocalSettings search = LocalSettings.forSearch("t1");
        assertThat(planner.settings(planner.choose(new RowEstimate(10, 100_000, 100_000), 10), search)).isEqualTo(search);
        assertThat(planner.settings(planner.choose(new RowEstimate(50_000, 100_000, 100_000), 10), search))
                .isEqualTo(search.with(new LocalSettings.Hnsw(100, PgvectorStore.IterativeScan.RELAXED_ORDER, null)));
    }

    @Test
    void aFixedStrategyIgnoresTheEstimate() {
        PgvectorSearchPlan large = planner(Strategy.EXACT).choose(new RowEstimate(50_000, 100_000, 100_000), 10);
        assertThat(large.strategy()).isEqualTo(Strategy.EXACT);
        assertThat(large.estimatedRows()).isEqualTo(50_000);
        assertThat(large.reason()).contains("fixedStrategy");
        assertThat(planner(Strategy.HNSW_ITERATIVE).choose(new RowEstimate(10, 100_000, 100_000), 10).strategy())
                .isEqualTo(Strategy.HNSW_ITERATIVE);
    }

    @Test
    void aPlanMadeWithoutAnEstimateSaysSo() {
        PgvectorSearchPlan unestimated = new PgvectorSearchPlan(Strategy.HNSW_ITERATIVE, -1, Double.NaN, 3_000, 0.01,
                400, "fixed");
        assertThat(unestimated.toString()).startsWith("HNSW_ITERATIVE (not estimated");
    }

    private static SearchPlanner planner(Strategy fixedStrategy) {
        return new SearchPlanner("t", new SearchPlanner.Options(3_000, 0.01, 100, PgvectorStore.IterativeScan.RELAXED_ORDER,
                null, fixedStrategy, Duration.ZERO), Ticker.systemTicker());
    }
}
