package dev.portafilter.core.store;

import dev.portafilter.core.WriteConflictException;
import dev.portafilter.core.filter.Filter;
import dev.portafilter.core.filter.Filters;
import dev.portafilter.core.metadata.FieldType;
import dev.portafilter.core.metadata.Metadata;
import dev.portafilter.core.metadata.MetadataSchema;
import dev.portafilter.core.tenant.TenantScope;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Method;
import java.util.Collection;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The shape of the store API: an absent filter or guard is a separate overload, never an Optional or a null. */
class VectorStoreApiTest {
    private static final MetadataSchema SCHEMA = MetadataSchema.builder()
            .required("tenant", FieldType.STRING)
            .optional("region", FieldType.STRING)
            .build();

    @Test
    void everyFilterOrGuardIsAnOverloadOfItsOwn() throws NoSuchMethodException {
        Class<VectorStore> api = VectorStore.class;
        for (Method m : List.of(
                api.getMethod("upsert", List.class),
                api.getMethod("upsert", List.class, Filter.class),
                api.getMethod("search", SearchRequest.class),
                api.getMethod("count"),
                api.getMethod("count", Filter.class),
                api.getMethod("delete", Collection.class),
                api.getMethod("delete", Collection.class, Filter.class),
                api.getMethod("deleteWhere", Filter.class))) {
            assertThat(m.isDefault()).as("%s is for each store to implement", m).isFalse();
        }
    }

    @Test
    void theStoresInCoreRefuseANullFilterOrGuard() {
        InMemoryVectorStore memory = new InMemoryVectorStore(SCHEMA, 2);
        VectorStore forwarding = new ForwardingVectorStore(memory) {
        };
        VectorStore view = TenantScope.of(memory, "tenant").forTenant("t1");
        List<VectorRecord> one = List.of(record("a", "t1"));
        for (VectorStore store : List.of(memory, forwarding, view)) {
            Stream.<Runnable>of(
                    () -> store.upsert(one, null),
                    () -> store.count(null),
                    () -> store.delete(List.of("a"), null),
                    () -> store.deleteWhere(null)).forEach(call -> assertThatThrownBy(call::run)
                    .as(store.getClass().getName()).isInstanceOf(NullPointerException.class));
        }
        assertThat(memory.count()).as("nothing was written").isZero();
    }

    @Test
    void theOverloadsOfTheInMemoryStoreMeanWhatTheySay() {
        InMemoryVectorStore store = new InMemoryVectorStore(SCHEMA, 2);
        store.upsert(List.of(record("a", "t1"), record("b", "t2")));
        assertThat(store.count()).isEqualTo(2);
        assertThat(store.count(Filters.eq("tenant", "t1"))).isEqualTo(1);

        assertThatThrownBy(() -> store.upsert(List.of(record("b", "t1")), Filters.eq("tenant", "t1")))
                .isInstanceOf(WriteConflictException.class);
        assertThat(store.count(Filters.eq("tenant", "t2"))).as("nothing was written").isEqualTo(1);
        store.upsert(List.of(record("a", "t1"), record("c", "t1")), Filters.eq("tenant", "t1"));
        assertThat(store.count()).isEqualTo(3);

        assertThat(store.delete(List.of("a", "b"), Filters.eq("tenant", "t2"))).isEqualTo(1);
        assertThat(store.delete(List.of("a", "b", "c"))).isEqualTo(2);
        assertThat(store.count()).isZero();
    }

    private static VectorRecord record(String id, String tenant) {
        return new VectorRecord(id, new float[] {1, 0}, null, Metadata.of("tenant", tenant));
    }
}
