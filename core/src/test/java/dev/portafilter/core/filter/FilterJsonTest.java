package dev.portafilter.core.filter;

import dev.portafilter.core.InvalidFilterException;
import dev.portafilter.core.metadata.DoubleValue;
import dev.portafilter.core.metadata.LongValue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static dev.portafilter.core.filter.Filters.and;
import static dev.portafilter.core.filter.Filters.eq;
import static dev.portafilter.core.filter.Filters.gt;
import static dev.portafilter.core.filter.Filters.gte;
import static dev.portafilter.core.filter.Filters.in;
import static dev.portafilter.core.filter.Filters.lt;
import static dev.portafilter.core.filter.Filters.missing;
import static dev.portafilter.core.filter.Filters.ne;
import static dev.portafilter.core.filter.Filters.nin;
import static dev.portafilter.core.filter.Filters.not;
import static dev.portafilter.core.filter.Filters.or;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FilterJsonTest {

    @Test
    void parsesTheExplicitAndTheShorthandForm() {
        assertThat(FilterJson.parse("{\"customer\":{\"$eq\":\"CustomerA\"}}")).isEqualTo(eq("customer", "CustomerA"));
        assertThat(FilterJson.parse("{\"customer\":\"CustomerA\"}")).isEqualTo(eq("customer", "CustomerA"));
    }

    @Test
    void severalKeysAreAnImplicitAnd() {
        assertThat(FilterJson.parse("{\"customer\":\"A\",\"publicationYear\":{\"$gte\":2020,\"$lt\":2024}}"))
                .isEqualTo(and(eq("customer", "A"), and(gte("publicationYear", 2020), lt("publicationYear", 2024))));
    }

    @Test
    void parsesLogicalOperatorsAndBothFormsOfNot() {
        assertThat(FilterJson.parse("{\"$or\":[{\"a\":1},{\"$not\":{\"b\":true}}]}"))
                .isEqualTo(or(eq("a", 1L), not(eq("b", true))));
        assertThat(FilterJson.parse("{\"year\":{\"$not\":{\"$gt\":2020}}}")).isEqualTo(not(gt("year", 2020)));
    }

    @Test
    void integersAndDoublesStayDistinctInTheTree() {
        assertThat(FilterJson.parse("{\"x\":2}")).isEqualTo(new Filter.Eq("x", new LongValue(2)));
        assertThat(FilterJson.parse("{\"x\":2.0}")).isEqualTo(new Filter.Eq("x", new DoubleValue(2.0)));
    }

    @Test
    void writesTheCanonicalForm() {
        Filter f = and(eq("customer", "A"), or(in("region", "US", "UK"), missing("region")), nin("tags", "x"),
                not(ne("reviewed", false)), gt("confidence", 0.5));
        assertThat(FilterJson.write(f)).isEqualTo("{\"$and\":[{\"customer\":{\"$eq\":\"A\"}},{\"$or\":[{\"region\":"
                + "{\"$in\":[\"US\",\"UK\"]}},{\"region\":{\"$exists\":false}}]},{\"tags\":{\"$nin\":[\"x\"]}},"
                + "{\"$not\":{\"reviewed\":{\"$ne\":false}}},{\"confidence\":{\"$gt\":0.5}}]}");
        assertThat(FilterJson.parse(FilterJson.write(f))).isEqualTo(f);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            {"a":                                        | $.a                       | malformed JSON
            {"a":1} x                                    | $                         | malformed JSON
            []                                           | $                         | expected a JSON object
            {}                                           | $                         | an empty object is not a filter
            {"$and":[{"a":1},{"b":{"$foo":1}}]}          | $.$and[1].b.$foo          | unknown operator $foo
            {"$and":[]}                                  | $.$and                    | needs at least one filter
            {"$or":{"a":1}}                              | $.$or                     | expects an array
            {"a":{"$in":[]}}                             | $.a.$in                   | needs at least one value
            {"a":{"$nin":[]}}                            | $.a.$nin                  | needs at least one value
            {"a":{"$in":["x",1]}}                        | $.a.$in[1]                | must all be of one kind
            {"$and":[{"a":1},{"publicationYear":{"$gt":"2020"}}]} | $.$and[1].publicationYear.$gt | compares numbers only
            {"a":{"$gt":true}}                           | $.a.$gt                   | compares numbers only
            {"a":1,"a":2}                                | $.a                       | Duplicate field 'a'
            {"a":{"$eq":1,"$eq":2}}                      | $.a.$eq                   | Duplicate field '$eq'
            {"a":null}                                   | $.a                       | found null
            {"a":{"$eq":null}}                           | $.a.$eq                   | found null
            {"a":[1,2]}                                  | $.a                       | use {"$in"
            {"a":{"$exists":1}}                          | $.a.$exists               | expects true or false
            {"a":{"$eq":{"b":1}}}                        | $.a.$eq                   | found an object
            {"a":{"b":1}}                                | $.a.b                     | expected an operator
            {"$eq":1}                                    | $.$eq                     | must be inside a field
            {"a":{"$and":[]}}                            | $.a.$and                  | cannot be inside a field
            {"a":{"$eq":99999999999999999999}}           | $.a.$eq                   | does not fit in 64 bits
            {"a":{"$eq":1e400}}                          | $.a.$eq                   | not finite
            {"a":{"$eq":NaN}}                            | $.a.$eq                   | malformed JSON
            {"":1}                                       | $['']                     | field name cannot be empty
            {"a b":{"$x":1}}                             | $['a b'].$x               | unknown operator $x
            """)
    void rejectsBadInputNamingTheJsonPath(String json, String path, String reason) {
        assertThatThrownBy(() -> FilterJson.parse(json))
                .isInstanceOfSatisfying(InvalidFilterException.class, e -> {
                    assertThat(e.path()).isEqualTo(path);
                    assertThat(e.reason()).contains(reason);
                });
    }

    @Test
    void nullInputIsATypedError() {
        assertThatThrownBy(() -> FilterJson.parse(null)).isInstanceOf(InvalidFilterException.class);
        assertThatThrownBy(() -> FilterJson.parse("")).isInstanceOf(InvalidFilterException.class);
        assertThatThrownBy(() -> FilterJson.parse("null")).isInstanceOf(InvalidFilterException.class);
    }

    @Test
    void enforcesTheDepthLimit() {
        String ok = nestedNots(32);
        assertThat(FilterJson.parse(ok)).isNotNull();
        assertThatThrownBy(() -> FilterJson.parse(nestedNots(33)))
                .isInstanceOfSatisfying(InvalidFilterException.class,
                        e -> assertThat(e.reason()).contains("nesting deeper than the limit of 32"));
        assertThatThrownBy(() -> FilterJson.parse(nestedNots(5), new ParseLimits(4, 100, 100)))
                .isInstanceOf(InvalidFilterException.class);
    }

    @Test
    void hostileNestingNeverOverflowsTheStack() {
        String deep = "{\"$and\":[".repeat(100_000) + "{\"a\":1}" + "]}".repeat(100_000);
        assertThatThrownBy(() -> FilterJson.parse(deep)).isInstanceOf(InvalidFilterException.class);
        String unbalanced = "{\"$not\":".repeat(500_000);
        assertThatThrownBy(() -> FilterJson.parse(unbalanced)).isInstanceOf(InvalidFilterException.class);
    }

    @Test
    void enforcesTheNodeAndInLimits() {
        String wide = "{\"$or\":[" + String.join(",", java.util.Collections.nCopies(1_001, "{\"a\":1}")) + "]}";
        assertThatThrownBy(() -> FilterJson.parse(wide)).isInstanceOfSatisfying(InvalidFilterException.class,
                e -> assertThat(e.reason()).contains("1000 filter nodes"));
        String many = "{\"a\":{\"$in\":[" + String.join(",", java.util.Collections.nCopies(10_001, "1")) + "]}}";
        assertThatThrownBy(() -> FilterJson.parse(many)).isInstanceOfSatisfying(InvalidFilterException.class,
                e -> {
                    assertThat(e.path()).isEqualTo("$.a.$in");
                    assertThat(e.reason()).contains("10000");
                });
        assertThat(FilterJson.parse(many.replace("10_001", ""), new ParseLimits(32, 1000, 20_000))).isNotNull();
    }

    @Test
    void builderRejectsWhatIsNotAValue() {
        assertThatThrownBy(() -> eq("a", null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> eq("a", Double.NaN)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> gt("a", Double.POSITIVE_INFINITY)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> eq("a", List.of("x"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> in("a", List.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> in("a", "x", 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> eq("$a", 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Filters.and()).isInstanceOf(IllegalArgumentException.class);
    }

    private static String nestedNots(int depth) {
        return "{\"$not\":".repeat(depth) + "{\"a\":1}" + "}".repeat(depth);
    }
}
