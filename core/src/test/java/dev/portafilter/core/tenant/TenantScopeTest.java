package dev.portafilter.core.tenant;

import dev.portafilter.core.InvalidSchemaException;
import dev.portafilter.core.TenantIsolationException;
import dev.portafilter.core.filter.Filters;
import dev.portafilter.core.metadata.FieldType;
import dev.portafilter.core.metadata.Metadata;
import dev.portafilter.core.metadata.MetadataSchema;
import dev.portafilter.core.store.ForwardingVectorStore;
import dev.portafilter.core.store.InMemoryVectorStore;
import dev.portafilter.core.store.SearchHit;
import dev.portafilter.core.store.SearchRequest;
import dev.portafilter.core.store.VectorRecord;
import dev.portafilter.core.store.VectorStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TenantScopeTest {
    private static final MetadataSchema SCHEMA = MetadataSchema.builder()
            .required("tenant", FieldType.STRING)
            .optional("Tenant", FieldType.STRING)
            .optional("region", FieldType.STRING)
            .optional("year", FieldType.LONG)
            .build();

    @Test
    void theTenantFieldMustBeARequiredString() {
        InMemoryVectorStore store = new InMemoryVectorStore(SCHEMA, 2);
        assertThatThrownBy(() -> TenantScope.of(store, "nope")).isInstanceOf(InvalidSchemaException.class)
                .hasMessageContaining("not declared").extracting(e -> ((InvalidSchemaException) e).field()).isEqualTo("nope");
        assertThatThrownBy(() -> TenantScope.of(store, "region")).isInstanceOf(InvalidSchemaException.class)
                .hasMessageContaining("required STRING");
        assertThatThrownBy(() -> TenantScope.of(store, "year")).isInstanceOf(InvalidSchemaException.class)
                .hasMessageContaining("required STRING");
        assertThatThrownBy(() -> TenantScope.of(store, "tenant").forTenant("")).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"tenant", "Tenant", "TENANT", " tenant", "ten ant", "ten\u200bant", "\uff54\uff45\uff4e\uff41\uff4e\uff54",
            "tenant\u00a0"})
    void foldsLookAlikesOfTheTenantField(String name) {
        assertThat(TenantScope.fold(name)).isEqualTo("tenant");
    }

    @Test
    void aDeclaredLookAlikeFieldIsStillRefused() {
        VectorStore view = TenantScope.of(new InMemoryVectorStore(SCHEMA, 2), "tenant").forTenant("t1");
        assertThatThrownBy(() -> view.count(Filters.eq("Tenant", "t2"))).isInstanceOf(TenantIsolationException.class);
    }

    @Test
    void aMisbehavingBackendSurfacesAsAnErrorNotALeak() {
        InMemoryVectorStore real = new InMemoryVectorStore(SCHEMA, 2);
        real.upsert(List.of(new VectorRecord("x", new float[] {1, 0}, null, Metadata.of("tenant", "t2"))));
        // A backend that ignores filters entirely, as a buggy translation would.
        VectorStore ignoresFilters = new ForwardingVectorStore(real) {
            @Override
            public List<SearchHit> search(SearchRequest request) {
                return real.search(SearchRequest.of(request.vector().orElseThrow(), request.topK()));
            }
        };
        VectorStore view = TenantScope.of(ignoresFilters, "tenant").forTenant("t1");
        assertThatThrownBy(() -> view.search(new float[] {1, 0}, 5))
                .isInstanceOf(TenantIsolationException.class).hasMessageContaining("outside tenant 't1'");
    }
}
