package dev.portafilter.core.store;

import dev.portafilter.core.filter.Filters;
import dev.portafilter.core.metadata.FieldType;
import dev.portafilter.core.metadata.MetadataSchema;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SearchRequestTest {
    @Test
    void readingARequestNeverThrowsAndAStoreThatNeedsAVectorSaysSo() {
        SearchRequest text = SearchRequest.ofText("what was prescribed?", 3).withFilter(Filters.eq("customer", "A"));
        assertThat(text.vector()).isEmpty();
        assertThat(text.text()).contains("what was prescribed?");
        assertThat(text.filter()).contains(Filters.eq("customer", "A"));

        float[] v = {1, 0};
        SearchRequest both = SearchRequest.of(v, 2).withText("q");
        v[0] = 7;
        assertThat(both.vector()).hasValueSatisfying(copy -> assertThat(copy).containsExactly(1, 0));

        VectorStore store = new InMemoryVectorStore(MetadataSchema.builder().required("customer", FieldType.STRING)
                .build(), 2);
        assertThatThrownBy(() -> store.search(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("needs a query vector");
        assertThatThrownBy(() -> store.search(SearchRequest.of(new float[] {1, 0, 0}, 1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("query vector");
        assertThat(store.search(both)).isEmpty();
    }
}
