package dev.portafilter.core.metadata;

import dev.portafilter.core.InvalidFilterException;
import dev.portafilter.core.InvalidRecordException;
import dev.portafilter.core.filter.FilterJson;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MetadataSchemaTest {
    private static final MetadataSchema SCHEMA = MetadataSchema.builder()
            .required("customer", FieldType.STRING)
            .optional("publicationYear", FieldType.LONG)
            .optional("confidence", FieldType.DOUBLE)
            .optional("reviewed", FieldType.BOOLEAN)
            .optional("tags", FieldType.STRING_LIST)
            .build();

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            {"colour":"red"}                                         | $.colour.$eq                          | unknown field 'colour'
            {"$and":[{"customer":"A"},{"publicationYear":{"$gt":"x"}}]} | $.$and[1].publicationYear.$gt     | compares numbers only
            {"$and":[{"customer":"A"},{"publicationYear":"2020"}]}   | $.$and[1].publicationYear.$eq         | is LONG, but the value "2020" is a string
            {"customer":{"$gt":3}}                                   | $.customer.$gt                        | needs a numeric field
            {"reviewed":{"$lt":1}}                                   | $.reviewed.$lt                        | needs a numeric field
            {"tags":{"$gte":1}}                                      | $.tags.$gte                           | needs a numeric field
            {"reviewed":"true"}                                      | $.reviewed.$eq                        | is BOOLEAN
            {"tags":{"$in":[1,2]}}                                   | $.tags.$in                            | is STRING_LIST
            {"$or":[{"customer":"A"},{"$not":{"nope":{"$exists":true}}}]} | $.$or[1].$not.nope.$exists       | unknown field 'nope'
            """)
    void rejectsFiltersThatDoNotFitNamingThePath(String json, String path, String reason) {
        assertThatThrownBy(() -> SCHEMA.validate(FilterJson.parse(json)))
                .isInstanceOfSatisfying(InvalidFilterException.class, e -> {
                    assertThat(e.path()).isEqualTo(path);
                    assertThat(e.reason()).contains(reason);
                });
    }

    @Test
    void acceptsNumbersOfEitherKindOnNumericFields() {
        SCHEMA.validate(FilterJson.parse("{\"publicationYear\":{\"$gt\":2020.5},\"confidence\":1}"));
    }

    @Test
    void validatesAndNormalizesRecords() {
        Metadata m = SCHEMA.validateRecord("r1", Metadata.of("customer", "A", "confidence", 1, "tags", List.of("x")));
        assertThat(m.get("confidence")).contains(new DoubleValue(1.0));
        assertThatThrownBy(() -> SCHEMA.validateRecord("r2", Metadata.of("publicationYear", 2020)))
                .isInstanceOfSatisfying(InvalidRecordException.class, e -> {
                    assertThat(e.recordId()).isEqualTo("r2");
                    assertThat(e.field()).isEqualTo("customer");
                });
        assertThatThrownBy(() -> SCHEMA.validateRecord("r3", Metadata.of("customer", "A", "publicationYear", 2020.5)))
                .isInstanceOfSatisfying(InvalidRecordException.class, e -> assertThat(e.field()).isEqualTo("publicationYear"));
        assertThatThrownBy(() -> SCHEMA.validateRecord("r4", Metadata.of("customer", "A", "extra", 1)))
                .isInstanceOfSatisfying(InvalidRecordException.class, e -> assertThat(e.reason()).contains("not declared"));
        assertThatThrownBy(() -> SCHEMA.validateRecord("r5", Metadata.of("customer", List.of("A"))))
                .isInstanceOf(InvalidRecordException.class);
    }

    @Test
    void metadataRejectsWhatIsNotAValue() {
        assertThatThrownBy(() -> Metadata.of("a", null)).hasMessageContaining("field 'a'");
        assertThatThrownBy(() -> Metadata.of("a", Double.NaN)).hasMessageContaining("finite");
        assertThatThrownBy(() -> Metadata.of("a", List.of("x", 1))).hasMessageContaining("only strings");
    }

    /** OpenSearch cannot tell [] from a missing field, so no backend may: an empty list is the field absent. */
    @Test
    void anEmptyListIsTheFieldAbsent() {
        Metadata m = Metadata.of("a", List.of(), "b", "x");
        assertThat(m.has("a")).isFalse();
        assertThat(m).isEqualTo(Metadata.of("b", "x"));
        MetadataSchema schema = MetadataSchema.builder().required("a", FieldType.STRING_LIST).build();
        assertThatThrownBy(() -> schema.validateRecord("r1", Metadata.of("a", List.of())))
                .isInstanceOf(InvalidRecordException.class).hasMessageContaining("required field is missing");
    }

    @Test
    void undeclaredFieldsAreAcceptedOnlyWhereTheSchemaAllowsThem() {
        MetadataSchema closed = MetadataSchema.builder().required("tenant", FieldType.STRING).build();
        MetadataSchema open = MetadataSchema.builder().required("tenant", FieldType.STRING).allowUndeclared().build();
        Metadata record = Metadata.of("tenant", "t1", "config.setting", 2, "tags", List.of("a"));
        assertThatThrownBy(() -> closed.validateRecord("r1", record)).isInstanceOf(InvalidRecordException.class)
                .hasMessageContaining("config.setting");
        assertThat(open.validateRecord("r1", record)).isEqualTo(record);
        // declared fields keep their types
        assertThatThrownBy(() -> open.validateRecord("r1", Metadata.of("tenant", 7)))
                .isInstanceOf(InvalidRecordException.class);
        // a filter on an undeclared field takes any kind of value; ranges still compare numbers only
        open.validate(FilterJson.parse("{\"config.setting\":{\"$in\":[\"2\",\"3\"]},\"n\":{\"$gt\":2}}"));
        assertThatThrownBy(() -> closed.validate(FilterJson.parse("{\"n\":{\"$gt\":2}}")))
                .isInstanceOf(InvalidFilterException.class).hasMessageContaining("unknown field 'n'");
        assertThatThrownBy(() -> open.validate(FilterJson.parse("{\"n\":{\"$gt\":\"2\"}}")))
                .isInstanceOf(InvalidFilterException.class).hasMessageContaining("numbers only");
    }

    @Test
    void numbersCompareExactlyAcrossKinds() {
        assertThat(new LongValue(2).numericallyEquals(new DoubleValue(2.0))).isTrue();
        // 2^53 + 1 is not representable as a double: an exact comparison must not call them equal
        assertThat(new LongValue(9_007_199_254_740_993L).numericallyEquals(new DoubleValue(9.007199254740992E15)))
                .isFalse();
        assertThat(new DoubleValue(-0.0)).isEqualTo(new DoubleValue(0.0));
    }
}
