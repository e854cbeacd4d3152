package dev.portafilter.opensearch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portafilter.core.InvalidRecordException;
import dev.portafilter.core.StoreException;
import dev.portafilter.core.metadata.FieldType;
import dev.portafilter.core.metadata.Metadata;
import dev.portafilter.core.metadata.MetadataSchema;
import dev.portafilter.core.store.VectorRecord;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Undeclared fields as nested entries and back, and the records OpenSearch would refuse, without a server. */
class DocumentCodecTest {
    private static final MetadataSchema SCHEMA = MetadataSchema.builder()
            .required("customer", FieldType.STRING)
            .optional("year", FieldType.LONG)
            .allowUndeclared()
            .build();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final OpenSearchIndexLayout LAYOUT = OpenSearchIndexLayout.builder("codec-test", SCHEMA, 2).build();
    private final DocumentCodec codec = new DocumentCodec(LAYOUT, MappedFields.planned(LAYOUT), JSON);

    /** One entry per field, its value under its kind's subfield; read back from the JSON text with the same kinds. */
    @Test
    void undeclaredFieldsAreNestedEntriesThatReadBackWithTheirOwnKind() throws Exception {
        Metadata metadata = Metadata.of("customer", "A", "year", 2023L, "two", 2L, "twoAsDouble", 2.0, "config", 1.5,
                "config.setting", "x", "one", List.of("a"), "flag", false, "", "empty name");
        JsonNode doc = JSON.readTree(JSON.writeValueAsString(codec.encode(record(metadata))));

        assertThat(doc.get("customer").asText()).isEqualTo("A");
        assertThat(doc.get("year").asLong()).isEqualTo(2023);
        assertThat(doc.get("metadata_undeclared").toString()).isEqualTo("[{\"key\":\"\",\"s\":\"empty name\"},"
                + "{\"key\":\"config\",\"n\":1.5},{\"key\":\"config.setting\",\"s\":\"x\"},{\"key\":\"flag\",\"b\":false},"
                + "{\"key\":\"one\",\"s\":[\"a\"]},{\"key\":\"two\",\"n\":2},{\"key\":\"twoAsDouble\",\"n\":2.0}]");
        // Metadata equality is kind-exact: 2 and 2.0, "a" and ["a"] differ
        assertThat(codec.metadataOf("r", doc)).isEqualTo(metadata);
    }

    @Test
    void aRecordWithoutUndeclaredFieldsHasNoEntries() {
        assertThat(codec.encode(record(Metadata.of("customer", "A"))).has("metadata_undeclared")).isFalse();
        assertThat(codec.metadataOf("r", JSON.createObjectNode().put("customer", "A")))
                .isEqualTo(Metadata.of("customer", "A"));
    }

    @Test
    void entriesThatAreNotOneFieldsValueAreAStoreError() throws Exception {
        for (String entries : List.of("[{\"key\":\"k\",\"s\":\"a\"},{\"key\":\"k\",\"n\":1}]",
                "[{\"key\":\"k\",\"s\":\"a\",\"n\":1}]", "[{\"s\":\"a\"}]", "[{\"key\":\"k\",\"n\":\"1\"}]",
                "[{\"key\":\"k\",\"s\":[]}]", "{\"key\":\"k\",\"s\":\"a\"}")) {
            JsonNode doc = JSON.readTree("{\"customer\":\"A\",\"metadata_undeclared\":" + entries + "}");
            assertThatThrownBy(() -> codec.metadataOf("r", doc)).as(entries).isInstanceOf(StoreException.class)
                    .hasMessageContaining("'r'").hasMessageContaining("metadata_undeclared");
        }
    }

    /** index.mapping.nested_objects.limit: 10,000 entries are accepted by the server, 10,001 fail the document. */
    @Test
    void moreUndeclaredFieldsThanTheNestedObjectsLimitAreRefused() {
        Map<String, Object> fields = new LinkedHashMap<>(Map.of("customer", "A", "year", 1L));
        for (int i = 0; i < DocumentCodec.MAX_NESTED_OBJECTS; i++) {
            fields.put("k" + i, i);
        }
        assertThatCode(() -> codec.check(record(Metadata.of(fields)))).doesNotThrowAnyException();
        fields.put("one-more", true);
        assertThatThrownBy(() -> codec.check(record(Metadata.of(fields))))
                .isInstanceOfSatisfying(InvalidRecordException.class, e -> {
                    assertThat(e.recordId()).isEqualTo("r");
                    assertThat(e.field()).isNull();
                })
                .hasMessageContaining("10001 undeclared fields").hasMessageContaining("nested_objects.limit");
    }

    /** Undeclared numbers are doubles: an integer beyond ±(2^53 − 1) is refused there, never in a declared LONG. */
    @Test
    void undeclaredIntegersBeyondDoublePrecisionAreRefused() {
        long safe = (1L << 53) - 1;
        assertThatCode(() -> codec.check(record(Metadata.of("customer", "A", "n", safe, "m", -safe,
                "year", Long.MAX_VALUE)))).doesNotThrowAnyException();
        for (long beyond : new long[] {safe + 1, -(safe + 1), Long.MIN_VALUE}) {
            assertThatThrownBy(() -> codec.check(record(Metadata.of("customer", "A", "n", beyond))))
                    .isInstanceOfSatisfying(InvalidRecordException.class, e -> assertThat(e.field()).isEqualTo("n"))
                    .hasMessageContaining("'r'").hasMessageContaining(Long.toString(beyond));
        }
    }

    @Test
    void undeclaredNamesAndStringsAreKeywordsOfLimitedLength() {
        String tooLong = "k".repeat(DocumentCodec.MAX_KEYWORD_BYTES + 1);
        assertThatThrownBy(() -> codec.check(record(Metadata.of("customer", "A", tooLong, 1L))))
                .isInstanceOf(InvalidRecordException.class).hasMessageContaining("undeclared field's name");
        assertThatThrownBy(() -> codec.check(record(Metadata.of("customer", "A", "tags", List.of("a", tooLong)))))
                .isInstanceOfSatisfying(InvalidRecordException.class, e -> assertThat(e.field()).isEqualTo("tags"));
    }

    private static VectorRecord record(Metadata metadata) {
        return new VectorRecord("r", new float[] {1, 0}, null, metadata);
    }
}
