package dev.portafilter.core.internal;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

class JsonPathTest {
    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "customer        | $.customer",
            "$and            | $.$and",
            "_x-1            | $._x-1",
            "a9              | $.a9",
            "9a              | $['9a']",
            "-a              | $['-a']",
            "document type   | $['document type']",
            "it's            | $['it\\'s']",
            "a\\b            | $['a\\\\b']",
            "\"\"            | $['']",
            "kunde_ä         | $['kunde_ä']"})
    void aKeyFollowsADotOnlyWhenItIsAnIdentifier(String key, String path) {
        assertThat(JsonPath.key(JsonPath.ROOT, key)).isEqualTo(path);
    }

    @ParameterizedTest
    @CsvSource({"0, $[0]", "12, $[12]"})
    void anIndexIsBracketed(int index, String path) {
        assertThat(JsonPath.index(JsonPath.ROOT, index)).isEqualTo(path);
    }
}
