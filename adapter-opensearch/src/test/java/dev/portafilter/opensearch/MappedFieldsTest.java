package dev.portafilter.opensearch;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portafilter.core.InvalidRecordException;
import dev.portafilter.core.InvalidSchemaException;
import dev.portafilter.core.UnsupportedFilterException;
import dev.portafilter.core.filter.Filters;
import dev.portafilter.core.metadata.FieldType;
import dev.portafilter.core.metadata.Metadata;
import dev.portafilter.core.metadata.MetadataSchema;
import dev.portafilter.core.store.VectorRecord;
import jakarta.json.stream.JsonParser;
import org.junit.jupiter.api.Test;
import org.opensearch.client.json.JsonpMapper;
import org.opensearch.client.json.jackson.JacksonJsonpMapper;
import org.opensearch.client.opensearch._types.mapping.TypeMapping;

import java.io.StringReader;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Mappings other libraries leave behind, read without a server: what Portafilter filters on, and what it refuses
 * because the index could not answer it exactly. The same mappings on a live node: interop-tests.
 */
class MappedFieldsTest {
    private static final JsonpMapper MAPPER = new JacksonJsonpMapper(new ObjectMapper());
    private static final MetadataSchema SCHEMA = MetadataSchema.builder()
            .required("customer", FieldType.STRING)
            .optional("year", FieldType.LONG)
            .optional("tags", FieldType.STRING_LIST)
            .build();
    private static final OpenSearchIndexLayout SPRING_AI = OpenSearchIndexLayout.springAi("peer", SCHEMA, 3).build();

    /** What dynamic mapping makes of Spring AI's documents: strings as text with a keyword subfield. */
    private static String dynamicMapping(String customer, String year) {
        return """
                {"properties":{
                  "embedding":{"type":"knn_vector","dimension":3,
                               "method":{"name":"hnsw","engine":"lucene","space_type":"cosinesimil"}},
                  "content":{"type":"text"},
                  "id":{"type":"text","fields":{"keyword":{"type":"keyword","ignore_above":256}}},
                  "metadata":{"properties":{
                    "customer":%s,
                    "year":%s,
                    "tags":{"type":"text","fields":{"keyword":{"type":"keyword","ignore_above":256}}}}}}}
                """.formatted(customer, year);
    }

    private static final String DYNAMIC_STRING = "{\"type\":\"text\",\"fields\":{\"keyword\":{\"type\":\"keyword\","
            + "\"ignore_above\":256}}}";

    private static TypeMapping mapping(String json) {
        try (JsonParser parser = MAPPER.jsonProvider().createParser(new StringReader(json))) {
            return TypeMapping._DESERIALIZER.deserialize(parser, MAPPER);
        }
    }

    private static MappedFields read(OpenSearchIndexLayout layout, String json) {
        return MappedFields.read(layout, mapping(json));
    }

    @Test
    void analysedStringsAreFilteredOnTheirKeywordSubfieldAndPresentInEitherForm() {
        MappedFields fields = read(SPRING_AI, dynamicMapping(DYNAMIC_STRING, "{\"type\":\"long\"}"));
        assertThat(fields.field("customer")).isEqualTo(new MappedFields.Field("metadata.customer.keyword",
                List.of("metadata.customer.keyword", "metadata.customer"), 256));
        assertThat(fields.field("year")).isEqualTo(new MappedFields.Field("metadata.year", List.of("metadata.year"),
                Integer.MAX_VALUE));
        assertThat(fields.shortestIgnoreAbove()).isEqualTo(256);

        OpenSearchFilterTranslator translator = new OpenSearchFilterTranslator(SPRING_AI, fields, MAPPER);
        assertThat(translator.toJson(Filters.eq("customer", "A")))
                .isEqualTo("{\"term\":{\"metadata.customer.keyword\":{\"value\":\"A\"}}}");
        assertThat(translator.toJson(Filters.exists("customer"))).isEqualTo("{\"bool\":{\"minimum_should_match\":\"1\","
                + "\"should\":[{\"exists\":{\"field\":\"metadata.customer.keyword\"}},"
                + "{\"exists\":{\"field\":\"metadata.customer\"}}]}}");
        // a value the keyword subfield would not hold cannot be compared: refused, for $ne as for $eq
        String tooLong = "x".repeat(257);
        assertThatThrownBy(() -> translator.translate(Filters.ne("customer", tooLong)))
                .isInstanceOf(UnsupportedFilterException.class).hasMessageContaining("ignore_above");
        assertThat(translator.toJson(Filters.eq("customer", "x".repeat(256)))).contains("metadata.customer.keyword");
    }

    @Test
    void aWriteOfAStringTheKeywordSubfieldWouldIgnoreIsRefused() {
        MappedFields fields = read(SPRING_AI, dynamicMapping(DYNAMIC_STRING, "{\"type\":\"long\"}"));
        DocumentCodec codec = new DocumentCodec(SPRING_AI, fields, new ObjectMapper());
        VectorRecord r = new VectorRecord("r1", new float[] {1, 0, 0}, "t",
                Metadata.of("customer", "A", "tags", List.of("ok", "y".repeat(300))));
        assertThatThrownBy(() -> codec.check(r)).isInstanceOf(InvalidRecordException.class)
                .hasMessageContaining("tags").hasMessageContaining("ignore_above");
        // the document as Spring AI reads it: the id in the source, the metadata in its object
        VectorRecord fits = new VectorRecord("r2", new float[] {1, 0, 0}, "t", Metadata.of("customer", "A", "year", 7L));
        assertThat(codec.encode(fits).toString()).contains("\"id\":\"r2\"")
                .contains("\"metadata\":{\"customer\":\"A\",\"year\":7}");
    }

    @Test
    void whatTheIndexCannotAnswerExactlyIsRefusedNamingTheField() {
        assertThatThrownBy(() -> read(SPRING_AI, dynamicMapping("{\"type\":\"text\"}", "{\"type\":\"long\"}")))
                .isInstanceOf(InvalidSchemaException.class).hasMessageContaining("customer")
                .hasMessageContaining("no keyword subfield");
        // dynamic mapping makes 0.5 a float: a DOUBLE there would compare rounded values
        OpenSearchIndexLayout doubles = OpenSearchIndexLayout.springAi("peer", MetadataSchema.builder()
                .required("customer", FieldType.STRING).optional("year", FieldType.DOUBLE).build(), 3).build();
        assertThatThrownBy(() -> read(doubles, dynamicMapping(DYNAMIC_STRING, "{\"type\":\"float\"}")))
                .isInstanceOf(InvalidSchemaException.class).hasMessageContaining("year").hasMessageContaining("float");
        assertThatThrownBy(() -> read(doubles, dynamicMapping(DYNAMIC_STRING, "{\"type\":\"long\"}")))
                .isInstanceOf(InvalidSchemaException.class).hasMessageContaining("truncates");
        // a declared field no document has held: a write would map it by itself
        OpenSearchIndexLayout more = OpenSearchIndexLayout.springAi("peer", MetadataSchema.builder()
                .required("customer", FieldType.STRING).optional("region", FieldType.STRING).build(), 3).build();
        assertThatThrownBy(() -> read(more, dynamicMapping(DYNAMIC_STRING, "{\"type\":\"long\"}")))
                .isInstanceOf(InvalidSchemaException.class).hasMessageContaining("metadata.region")
                .hasMessageContaining("addField");
        // undeclared fields need the nested field a dynamic index does not have
        OpenSearchIndexLayout open = OpenSearchIndexLayout.springAi("peer", MetadataSchema.builder()
                .required("customer", FieldType.STRING).allowUndeclared().build(), 3).build();
        assertThatThrownBy(() -> read(open, dynamicMapping(DYNAMIC_STRING, "{\"type\":\"long\"}")))
                .isInstanceOf(InvalidSchemaException.class).hasMessageContaining("metadata_undeclared");
    }

    @Test
    void theVectorFieldMustHaveTheLayoutsDimensionAndSpace() {
        OpenSearchIndexLayout wider = OpenSearchIndexLayout.springAi("peer", SCHEMA, 4).build();
        assertThatThrownBy(() -> read(wider, dynamicMapping(DYNAMIC_STRING, "{\"type\":\"long\"}")))
                .isInstanceOf(InvalidSchemaException.class).hasMessageContaining("dimension 3");
        OpenSearchIndexLayout l2 = OpenSearchIndexLayout.springAi("peer", SCHEMA, 3)
                .spaceType(OpenSearchIndexLayout.SpaceType.L2).build();
        assertThatThrownBy(() -> read(l2, dynamicMapping(DYNAMIC_STRING, "{\"type\":\"long\"}")))
                .isInstanceOf(InvalidSchemaException.class).hasMessageContaining("cosinesimil");
    }

    @Test
    void theLayoutsOwnMappingReadsBackAsPlanned() {
        OpenSearchIndexLayout own = OpenSearchIndexLayout.springAi("peer", SCHEMA, 3).build();
        String created = OpenSearchFilterTranslator.json(own.createIndexRequest().mappings(), MAPPER);
        assertThat(read(own, created)).isEqualTo(MappedFields.planned(own));
    }
}
