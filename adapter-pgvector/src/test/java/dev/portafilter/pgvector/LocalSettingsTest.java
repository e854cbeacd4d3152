package dev.portafilter.pgvector;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Settings as one {@code set_config} statement whose names and values are all bound, never SQL text. */
class LocalSettingsTest {
    @Test
    void nothingToSetIsEmpty() {
        assertThat(LocalSettings.NONE.isEmpty()).isTrue();
        assertThat(LocalSettings.forTenant(null)).isEqualTo(LocalSettings.NONE);
        assertThat(LocalSettings.forSearch(null).isEmpty()).isFalse();
    }

    @Test
    void aSearchOfATenantThroughTheHnswIndexSetsEverything() {
        LocalSettings settings = LocalSettings.forSearch("Customer'A")
                .with(new LocalSettings.Hnsw(200, PgvectorStore.IterativeScan.STRICT_ORDER, 777));
        SqlFragment setConfig = settings.setConfig();
        assertThat(setConfig.sql()).isEqualTo("SELECT set_config(?, ?, true), set_config(?, ?, true), "
                + "set_config(?, ?, true), set_config(?, ?, true), set_config(?, ?, true), set_config(?, ?, true)");
        assertThat(setConfig.params()).containsExactly(PgvectorSchemaManager.TENANT_SETTING, "Customer'A",
                "plan_cache_mode", "force_custom_plan", "hnsw.ef_search", "200", "hnsw.iterative_scan", "strict_order",
                "enable_sort", "off", "hnsw.max_scan_tuples", "777");
    }

    @Test
    void withoutMaxScanTuplesTheServersStands() {
        LocalSettings settings = LocalSettings.forTenant(null)
                .with(new LocalSettings.Hnsw(40, PgvectorStore.IterativeScan.OFF, null));
        assertThat(settings.values().keySet())
                .containsExactlyElementsOf(List.of("hnsw.ef_search", "hnsw.iterative_scan", "enable_sort"));
        assertThat(settings.setConfig().params()).hasSize(6);
    }
}
