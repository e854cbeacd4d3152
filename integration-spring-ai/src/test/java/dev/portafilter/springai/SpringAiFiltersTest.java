package dev.portafilter.springai;

import dev.portafilter.core.InvalidFilterException;
import dev.portafilter.core.filter.Filter;
import dev.portafilter.core.metadata.Metadata;
import org.junit.jupiter.api.Test;
import org.springframework.ai.vectorstore.filter.Filter.Expression;
import org.springframework.ai.vectorstore.filter.Filter.ExpressionType;
import org.springframework.ai.vectorstore.filter.Filter.Key;
import org.springframework.ai.vectorstore.filter.Filter.Value;
import org.springframework.ai.vectorstore.filter.FilterExpressionBuilder;

import java.util.Date;
import java.util.List;

import static dev.portafilter.core.filter.Filters.and;
import static dev.portafilter.core.filter.Filters.eq;
import static dev.portafilter.core.filter.Filters.exists;
import static dev.portafilter.core.filter.Filters.gt;
import static dev.portafilter.core.filter.Filters.gte;
import static dev.portafilter.core.filter.Filters.in;
import static dev.portafilter.core.filter.Filters.lt;
import static dev.portafilter.core.filter.Filters.lte;
import static dev.portafilter.core.filter.Filters.missing;
import static dev.portafilter.core.filter.Filters.ne;
import static dev.portafilter.core.filter.Filters.nin;
import static dev.portafilter.core.filter.Filters.not;
import static dev.portafilter.core.filter.Filters.or;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SpringAiFiltersTest {
    private static final FilterExpressionBuilder B = new FilterExpressionBuilder();

    @Test
    void everySpringAiOperatorHasItsPortableCounterpart() {
        assertThat(SpringAiFilters.toPortafilter(B.eq("country", "BG").build())).isEqualTo(eq("country", "BG"));
        assertThat(SpringAiFilters.toPortafilter(B.ne("country", "BG").build())).isEqualTo(ne("country", "BG"));
        assertThat(SpringAiFilters.toPortafilter(B.gt("year", 2020).build())).isEqualTo(gt("year", 2020));
        assertThat(SpringAiFilters.toPortafilter(B.gte("year", 2020.5).build())).isEqualTo(gte("year", 2020.5));
        assertThat(SpringAiFilters.toPortafilter(B.lt("year", 2020L).build())).isEqualTo(lt("year", 2020));
        assertThat(SpringAiFilters.toPortafilter(B.lte("year", 2020).build())).isEqualTo(lte("year", 2020));
        assertThat(SpringAiFilters.toPortafilter(B.in("country", "BG", "NL").build())).isEqualTo(in("country", "BG", "NL"));
        assertThat(SpringAiFilters.toPortafilter(B.nin("country", "BG").build())).isEqualTo(nin("country", "BG"));
        assertThat(SpringAiFilters.toPortafilter(B.isNull("year").build())).isEqualTo(missing("year"));
        assertThat(SpringAiFilters.toPortafilter(B.isNotNull("year").build())).isEqualTo(exists("year"));
        assertThat(SpringAiFilters.toPortafilter(B.and(B.eq("a", true), B.eq("b", 1)).build()))
                .isEqualTo(and(eq("a", true), eq("b", 1)));
        assertThat(SpringAiFilters.toPortafilter(B.or(B.eq("a", true), B.eq("b", 1)).build()))
                .isEqualTo(or(eq("a", true), eq("b", 1)));
        assertThat(SpringAiFilters.toPortafilter(B.not(B.eq("a", "x")).build())).isEqualTo(not(eq("a", "x")));
    }

    @Test
    void theTextDslGoesThroughSpringAisOwnParser() {
        assertThat(SpringAiFilters.parse("country == 'BG' && year >= 2020 && year < 2024"))
                .isEqualTo(and(eq("country", "BG"), gte("year", 2020), lt("year", 2024)));
        assertThat(SpringAiFilters.parse("(country in ['BG', 'NL'] || year IS NULL) && NOT(draft == true)"))
                .isEqualTo(and(or(in("country", "BG", "NL"), missing("year")), not(eq("draft", true))));
        assertThat(SpringAiFilters.parse("country not in ['BG'] && year != 2020 && year IS NOT NULL"))
                .isEqualTo(and(nin("country", "BG"), ne("year", 2020), exists("year")));
    }

    @Test
    void everyPortableFilterComesBackUnchanged() {
        List<Filter> filters = List.of(
                eq("country", "BG"), ne("year", 2020L), gt("score", 0.5), gte("n", 1), lt("n", 2), lte("n", 3.25),
                in("country", "BG", "NL"), nin("year", 2020, 2021), exists("year"), missing("year"),
                and(eq("a", true), or(eq("b", "x"), not(gt("c", 1))), in("d", "y")),
                not(and(eq("a", 1), eq("b", 2))));
        for (Filter f : filters) {
            assertThat(SpringAiFilters.toPortafilter(SpringAiFilters.toSpringAi(f))).as(f.toString()).isEqualTo(f);
        }
    }

    @Test
    void nestedChainsFlattenWithoutChangingWhichRecordsMatch() {
        Filter nested = and(and(eq("a", 1), eq("b", 2)), eq("c", 3));
        Filter back = SpringAiFilters.toPortafilter(SpringAiFilters.toSpringAi(nested));
        assertThat(back).isEqualTo(and(eq("a", 1), eq("b", 2), eq("c", 3)));
        for (Metadata m : List.of(Metadata.of("a", 1, "b", 2, "c", 3), Metadata.of("a", 1, "b", 2), Metadata.empty())) {
            assertThat(back.test(m)).isEqualTo(nested.test(m));
        }
    }

    @Test
    void stringRangesAreDeclinedBecauseRangesCompareNumbersOnly() {
        assertThatThrownBy(() -> SpringAiFilters.parse("country == 'BG' && name > 'M'"))
                .isInstanceOf(SpringAiFilterException.class)
                .isInstanceOf(InvalidFilterException.class)
                .hasMessageContaining("ranges compare numbers only (docs/semantics.md)")
                .hasMessageContaining("declined on every backend")
                .satisfies(e -> assertThat(((SpringAiFilterException) e).path()).isEqualTo("$.$and[1].name.$gt"));
        assertThatThrownBy(() -> SpringAiFilters.toPortafilter(B.lte("flag", true).build()))
                .isInstanceOf(SpringAiFilterException.class)
                .hasMessageContaining("ranges compare numbers only");
    }

    @Test
    void valuesWithoutAPortableMeaningAreRefusedNamingTheNode() {
        assertThatThrownBy(() -> SpringAiFilters.toPortafilter(
                new Expression(ExpressionType.EQ, new Key("published"), new Value(new Date(0)))))
                .isInstanceOf(SpringAiFilterException.class)
                .hasMessageContaining("must be a string, number or boolean")
                .satisfies(e -> assertThat(((SpringAiFilterException) e).path()).isEqualTo("$.published.$eq"));
        assertThatThrownBy(() -> SpringAiFilters.toPortafilter(
                new Expression(ExpressionType.IN, new Key("country"), new Value(List.of()))))
                .isInstanceOf(SpringAiFilterException.class)
                .hasMessageContaining("non-empty list");
        assertThatThrownBy(() -> SpringAiFilters.toPortafilter(B.or(B.eq("a", 1), B.in("year", 2020, "2021")).build()))
                .isInstanceOf(SpringAiFilterException.class)
                .hasMessageContaining("one kind")
                .satisfies(e -> assertThat(((SpringAiFilterException) e).path()).isEqualTo("$.$or[1].year.$in"));
        assertThatThrownBy(() -> SpringAiFilters.parse("country == "))
                .isInstanceOf(SpringAiFilterException.class)
                .hasMessageContaining("does not parse");
    }

    @Test
    void quotedKeysLoseTheirQuotes() {
        assertThat(SpringAiFilters.toPortafilter(new Expression(ExpressionType.EQ, new Key("\"my key\""), new Value(1))))
                .isEqualTo(eq("my key", 1));
        assertThat(SpringAiFilters.toPortafilter(new Expression(ExpressionType.EQ, new Key("'k'"), new Value("v"))))
                .isEqualTo(eq("k", "v"));
    }
}
