package dev.portafilter.pinecone;

import dev.portafilter.conformance.ScenarioDataset;
import dev.portafilter.core.TenantIsolationException;
import dev.portafilter.core.WriteConflictException;
import dev.portafilter.core.filter.Filters;
import dev.portafilter.core.metadata.Metadata;
import dev.portafilter.core.store.SearchHit;
import dev.portafilter.core.store.VectorRecord;
import dev.portafilter.core.store.VectorStore;
import dev.portafilter.core.tenant.TenantScope;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Writes through tenant views on namespaces: what the contract's
 * {@code writesThroughAViewAreStampedAndCannotEnterAnotherTenant} checks, with the one difference that namespaces
 * impose (ids are per namespace): a view's write of an id another tenant uses creates the tenant's own
 * record in its own namespace instead of failing, and the other tenant's record stays exactly as it was.
 */
class PineconeTenantPartitionTest {
    private static final LocalFixture FIXTURE = LocalFixture.INSTANCE;
    private static final float[] Q = ScenarioDataset.vectorFor("q", ScenarioDataset.DIMENSION);

    @Test
    void writesThroughAViewAreStampedAndStayInTheTenantsNamespace() {
        FIXTURE.withFreshScenario(store -> {
            TenantScope scope = TenantScope.of(store, ScenarioDataset.TENANT_FIELD);
            VectorStore a = scope.forTenant("CustomerA");
            VectorStore b = scope.forTenant("CustomerB");
            VectorRecord unstamped = record("A-NEW", "unstamped", Metadata.of("documentType", "note"));
            VectorRecord foreign = record("A-EVIL", "foreign", Metadata.of("customer", "CustomerB", "documentType", "note"));
            assertThatThrownBy(() -> a.upsert(List.of(unstamped, foreign))).isInstanceOf(TenantIsolationException.class);
            assertThat(ids(a)).doesNotContain("A-NEW", "A-EVIL");
            assertThat(ids(b)).doesNotContain("A-NEW", "A-EVIL");

            a.upsert(List.of(unstamped));
            assertThat(ids(a)).contains("A-NEW");
            assertThat(ids(b)).doesNotContain("A-NEW");

            VectorRecord theirs = ScenarioDataset.byId().get("B-S001");
            VectorRecord hijack = record("B-S001", "hijack", Metadata.of("documentType", "note"));
            a.upsert(List.of(hijack));
            SearchHit stillTheirs = b.search(theirs.vector(), 1).get(0);
            assertThat(stillTheirs.id()).isEqualTo("B-S001");
            assertThat(stillTheirs.text()).isEqualTo(theirs.text());
            assertThat(stillTheirs.metadata()).isEqualTo(ScenarioDataset.SCHEMA.validateRecord("B-S001", theirs.metadata()));
            assertThat(ids(b)).containsExactlyInAnyOrderElementsOf(ScenarioDataset.idsOf("CustomerB"));
            // A got a record of its own under that id, in its own namespace
            SearchHit mine = a.search(hijack.vector(), 1).get(0);
            assertThat(mine.id()).isEqualTo("B-S001");
            assertThat(mine.text()).isEqualTo("hijack");
            assertThat(mine.metadata().get("customer").orElseThrow().toJava()).isEqualTo("CustomerA");
            // deleting it through A leaves B's record alone
            assertThat(a.delete(List.of("B-S001"))).isEqualTo(1);
            assertThat(b.search(theirs.vector(), 1).get(0).text()).isEqualTo(theirs.text());
        });
    }

    @Test
    void theUnscopedStoreSeesEveryNamespaceAndGuardsIdsAcrossThem() {
        FIXTURE.withFreshScenario(store -> {
            VectorRecord hijack = record("B-S001", "hijack", Metadata.of("customer", "CustomerA", "documentType", "note"));
            assertThatThrownBy(() -> store.upsert(List.of(hijack), Filters.eq("customer", "CustomerA")))
                    .isInstanceOf(WriteConflictException.class).hasMessageContaining("B-S001");
            assertThat(store.search(Q, 100, Filters.eq("customer", "CustomerA"))).extracting(SearchHit::id)
                    .doesNotContain("B-S001");
        });
    }

    private static List<String> ids(VectorStore view) {
        return view.search(Q, 200).stream().map(SearchHit::id).toList();
    }

    private static VectorRecord record(String id, String text, Metadata metadata) {
        return new VectorRecord(id, ScenarioDataset.vectorFor(id, ScenarioDataset.DIMENSION), text, metadata);
    }
}
