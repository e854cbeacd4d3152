package dev.portafilter.core.filter;

import dev.portafilter.core.InvalidFilterException;
import dev.portafilter.core.metadata.BooleanValue;
import dev.portafilter.core.metadata.DoubleValue;
import dev.portafilter.core.metadata.LongValue;
import dev.portafilter.core.metadata.Metadata;
import dev.portafilter.core.metadata.NumberValue;
import dev.portafilter.core.metadata.ScalarValue;
import dev.portafilter.core.metadata.StringValue;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import static org.assertj.core.api.Assertions.assertThat;

/** parse(write(f)) == f for every filter, and no input string ever escapes as anything but a typed error. */
class FilterJsonPropertiesTest {

    @Property(tries = 500)
    void parseOfWriteIsIdentity(@ForAll("filters") Filter filter) {
        assertThat(FilterJson.parse(FilterJson.write(filter))).isEqualTo(filter);
    }

    @Property(tries = 500)
    void notIsTheComplementAndDeMorganHolds(@ForAll("filters") Filter a, @ForAll("filters") Filter b,
                                            @ForAll("metadata") Metadata m) {
        assertThat(new Filter.Not(a).test(m)).isEqualTo(!a.test(m));
        assertThat(new Filter.Not(Filters.and(a, b)).test(m))
                .isEqualTo(Filters.or(new Filter.Not(a), new Filter.Not(b)).test(m));
        assertThat(new Filter.Not(Filters.or(a, b)).test(m))
                .isEqualTo(Filters.and(new Filter.Not(a), new Filter.Not(b)).test(m));
    }

    @Property(tries = 1000)
    void arbitraryTextIsParsedOrRejectedWithATypedError(@ForAll("jsonish") String text) {
        try {
            FilterJson.parse(text);
        } catch (InvalidFilterException expected) {
            assertThat(expected.path()).startsWith("$");
        }
    }

    @Provide
    Arbitrary<Filter> filters() {
        Arbitrary<String> fields = Arbitraries.of("a", "b", "list", "n", "weird key", "ключ");
        Arbitrary<ScalarValue> values = Arbitraries.oneOf(
                Arbitraries.strings().ofMaxLength(5).map(StringValue::new),
                Arbitraries.longs().map(LongValue::new),
                Arbitraries.doubles().map(DoubleValue::new),
                Arbitraries.of(BooleanValue.TRUE, BooleanValue.FALSE));
        Arbitrary<NumberValue> numbers = Arbitraries.oneOf(
                Arbitraries.longs().map(LongValue::new), Arbitraries.doubles().map(DoubleValue::new));
        Arbitrary<Filter> leaves = Arbitraries.oneOf(
                Combinators.combine(fields, values).as(Filter.Eq::new),
                Combinators.combine(fields, values).as(Filter.Ne::new),
                Combinators.combine(fields, Arbitraries.of(Filter.RangeOp.class), numbers).as(Filter.Range::new),
                Combinators.combine(fields, Arbitraries.strings().ofMaxLength(3).list().ofMinSize(1).ofMaxSize(3))
                        .as((f, vs) -> new Filter.In(f, vs.stream().<ScalarValue>map(StringValue::new).toList())),
                Combinators.combine(fields, Arbitraries.longs().list().ofMinSize(1).ofMaxSize(3))
                        .as((f, vs) -> new Filter.Nin(f, vs.stream().<ScalarValue>map(LongValue::new).toList())),
                Combinators.combine(fields, Arbitraries.of(true, false)).as(Filter.Exists::new));
        return Arbitraries.recursive(() -> leaves, inner -> Arbitraries.oneOf(
                inner.list().ofMinSize(1).ofMaxSize(3).map(Filter.And::new),
                inner.list().ofMinSize(1).ofMaxSize(3).map(Filter.Or::new),
                inner.map(Filter.Not::new)), 0, 4);
    }

    @Provide
    Arbitrary<Metadata> metadata() {
        return Arbitraries.maps(Arbitraries.of("a", "b", "list", "n"), Arbitraries.oneOf(
                        Arbitraries.strings().ofMaxLength(2).map(s -> (Object) s),
                        Arbitraries.longs().between(-3, 3).map(l -> (Object) l),
                        Arbitraries.of(true, false).map(b -> (Object) b),
                        Arbitraries.strings().ofMaxLength(2).list().ofMinSize(1).ofMaxSize(3).map(l -> (Object) l)))
                .ofMaxSize(4).map(Metadata::of);
    }

    @Provide
    Arbitrary<String> jsonish() {
        Arbitrary<String> tokens = Arbitraries.of("{", "}", "[", "]", ":", ",", "\"a\"", "\"$and\"", "\"$or\"",
                "\"$not\"", "\"$in\"", "\"$eq\"", "\"$gt\"", "\"$exists\"", "1", "-2.5", "true", "null", "\"x\"", " ",
                "1e999", "\"$nin\"", "\"\"");
        return tokens.list().ofMaxSize(30).map(l -> String.join("", l));
    }
}
