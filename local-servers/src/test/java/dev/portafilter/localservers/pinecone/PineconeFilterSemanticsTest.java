package dev.portafilter.localservers.pinecone;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ListValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The test server's filter semantics against the examples in Pinecone's documentation. */
class PineconeFilterSemanticsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Struct GENRES = struct("{\"genre\":[\"comedy\",\"documentary\"],\"year\":2019}");

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"genre\":\"comedy\"}",
            "{\"genre\":{\"$in\":[\"documentary\",\"action\"]}}",
            "{\"$and\":[{\"genre\":\"comedy\"},{\"genre\":\"documentary\"}]}",
            "{\"year\":{\"$eq\":2019.0}}",
            "{\"year\":{\"$gte\":2019,\"$lt\":2020}}",
            "{\"genre\":{\"$ne\":\"drama\"}}",
            "{\"genre\":{\"$nin\":[\"drama\",\"action\"]}}",
            "{\"rating\":{\"$exists\":false}}"})
    void documentedMatches(String filter) {
        assertThat(PineconeFilterSemantics.matches(struct(filter), GENRES)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"$and\":[{\"genre\":\"comedy\"},{\"genre\":\"drama\"}]}",
            "{\"genre\":{\"$ne\":\"comedy\"}}",
            "{\"genre\":{\"$nin\":[\"comedy\"]}}",
            "{\"rating\":{\"$ne\":5}}",
            "{\"rating\":{\"$nin\":[5]}}",
            "{\"year\":\"2019\"}",
            "{\"genre\":{\"$gt\":1}}"})
    void documentedNonMatches(String filter) {
        assertThat(PineconeFilterSemantics.matches(struct(filter), GENRES)).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"genre\":[\"comedy\",\"documentary\"]}",
            "{\"genre\":{\"$eq\":[\"comedy\",\"documentary\"]}}",
            "{\"$not\":{\"genre\":\"comedy\"}}",
            "{\"genre\":{\"$not\":{\"$eq\":\"comedy\"}}}",
            "{\"$gt\":5}",
            "{\"reviewed\":{\"$in\":[true]}}",
            "{\"year\":{\"$gt\":\"2019\"}}"})
    void documentedCompileErrors(String filter) {
        assertThatThrownBy(() -> PineconeFilterSemantics.validate(struct(filter)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void moreThan10000InValuesIsRejected() {
        ListValue.Builder values = ListValue.newBuilder();
        for (int i = 0; i <= 10_000; i++) {
            values.addValues(Value.newBuilder().setNumberValue(i));
        }
        Struct in = Struct.newBuilder().putFields("$in", Value.newBuilder().setListValue(values).build()).build();
        Struct filter = Struct.newBuilder().putFields("year", Value.newBuilder().setStructValue(in).build()).build();
        assertThatThrownBy(() -> PineconeFilterSemantics.validate(filter)).hasMessageContaining("10,000");
    }

    private static Struct struct(String json) {
        try {
            return struct(JSON.readTree(json)).getStructValue();
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static Value struct(JsonNode node) {
        Value.Builder out = Value.newBuilder();
        if (node.isObject()) {
            Struct.Builder s = Struct.newBuilder();
            for (Map.Entry<String, JsonNode> e : node.properties()) {
                s.putFields(e.getKey(), struct(e.getValue()));
            }
            return out.setStructValue(s).build();
        }
        if (node.isArray()) {
            ListValue.Builder list = ListValue.newBuilder();
            node.forEach(n -> list.addValues(struct(n)));
            return out.setListValue(list).build();
        }
        if (node.isTextual()) {
            return out.setStringValue(node.asText()).build();
        }
        if (node.isBoolean()) {
            return out.setBoolValue(node.asBoolean()).build();
        }
        return out.setNumberValue(node.asDouble()).build();
    }
}
