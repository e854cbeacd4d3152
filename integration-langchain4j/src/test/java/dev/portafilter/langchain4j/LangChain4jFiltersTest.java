package dev.portafilter.langchain4j;

import dev.portafilter.core.InvalidFilterException;
import dev.portafilter.core.UnsupportedFilterException;
import dev.portafilter.core.filter.Filter;
import dev.portafilter.core.filter.Filters;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.UUID;

import static dev.langchain4j.store.embedding.filter.Filter.not;
import static dev.langchain4j.store.embedding.filter.MetadataFilterBuilder.metadataKey;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class LangChain4jFiltersTest {

    @Test
    void every_langchain4j_filter_becomes_its_portable_counterpart_and_back() {
        dev.langchain4j.store.embedding.filter.Filter lc4j = metadataKey("region").isEqualTo("US")
                .and(metadataKey("year").isGreaterThanOrEqualTo(2022L)
                        .or(not(metadataKey("score").isLessThan(0.5d))))
                .and(metadataKey("tag").isIn(List.of("a", "b")).or(metadataKey("tag").isNotIn(List.of("c"))))
                .and(metadataKey("kind").isNotEqualTo("x").and(metadataKey("n").isGreaterThan(1L)))
                .and(metadataKey("m").isLessThanOrEqualTo(2.5d));

        Filter portable = LangChain4jFilters.toPortafilter(lc4j);

        assertThat(portable).isEqualTo(Filters.and(
                Filters.and(
                        Filters.and(
                                Filters.and(Filters.eq("region", "US"),
                                        Filters.or(Filters.gte("year", 2022L), Filters.not(Filters.lt("score", 0.5d)))),
                                Filters.or(Filters.in("tag", "a", "b"), Filters.nin("tag", "c"))),
                        Filters.and(Filters.ne("kind", "x"), Filters.gt("n", 1L))),
                Filters.lte("m", 2.5d)));
        assertThat(LangChain4jFilters.toLangChain4j(portable)).isEqualTo(lc4j);
    }

    @Test
    void values_map_as_the_store_writes_them() {
        UUID uuid = UUID.randomUUID();
        assertThat(LangChain4jFilters.toPortafilter(metadataKey("id").isEqualTo(uuid)))
                .isEqualTo(Filters.eq("id", uuid.toString()));
        assertThat(LangChain4jFilters.toPortafilter(metadataKey("n").isIn(1, 2)))
                .isEqualTo(Filters.in("n", 1L, 2L));
        // a Float is the double it is, exactly as a Float metadata value is written
        assertThat(LangChain4jFilters.toPortafilter(metadataKey("f").isEqualTo(1.1f)))
                .isEqualTo(Filters.eq("f", (double) 1.1f));
    }

    @Test
    void a_string_range_is_refused_naming_its_path_and_why() {
        InvalidFilterException e = catchThrowableOfType(InvalidFilterException.class, () -> LangChain4jFilters
                .toPortafilter(metadataKey("a").isEqualTo(1).or(metadataKey("key").isGreaterThan("b"))));

        assertThat(e.path()).isEqualTo("$.$or[1].key.$gt");
        assertThat(e.reason()).contains("IsGreaterThan", "ranges compare numbers only");
    }

    @Test
    void contains_string_is_refused_naming_it() {
        InvalidFilterException e = catchThrowableOfType(InvalidFilterException.class, () -> LangChain4jFilters
                .toPortafilter(not(metadataKey("key").containsString("x"))));

        assertThat(e.path()).isEqualTo("$.$not.key");
        assertThat(e.reason()).contains("ContainsString", "substrings");
    }

    @Test
    void mixed_kinds_in_one_isIn_are_refused() {
        InvalidFilterException e = catchThrowableOfType(InvalidFilterException.class,
                () -> LangChain4jFilters.toPortafilter(metadataKey("key").isIn(List.of("1", 1))));

        assertThat(e.path()).isEqualTo("$.key.$in");
    }

    @Test
    void exists_has_no_langchain4j_form() {
        UnsupportedFilterException e = catchThrowableOfType(UnsupportedFilterException.class,
                () -> LangChain4jFilters.toLangChain4j(Filters.or(Filters.eq("a", 1), Filters.missing("b"))));

        assertThat(e.backend()).isEqualTo("langchain4j");
        assertThat(e.path()).isEqualTo("$.$or[1].b.$exists");
    }

    @Test
    void an_n_ary_and_nests_to_the_left() {
        assertThat(LangChain4jFilters.toLangChain4j(Filters.and(Filters.eq("a", 1), Filters.eq("b", 2),
                Filters.eq("c", 3))))
                .isEqualTo(metadataKey("a").isEqualTo(1L).and(metadataKey("b").isEqualTo(2L))
                        .and(metadataKey("c").isEqualTo(3L)));
    }
}
