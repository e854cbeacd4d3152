package dev.portafilter.opensearch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portafilter.core.InvalidSchemaException;
import dev.portafilter.core.InvalidStoreNameException;
import dev.portafilter.core.metadata.FieldType;
import dev.portafilter.core.metadata.MetadataSchema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** The index a layout creates, the Bedrock preset, and the names OpenSearch would misread. */
class OpenSearchIndexLayoutTest {
    private static final MetadataSchema SCHEMA = MetadataSchema.builder()
            .required("customer", FieldType.STRING)
            .optional("year", FieldType.LONG)
            .optional("score", FieldType.DOUBLE)
            .optional("reviewed", FieldType.BOOLEAN)
            .optional("tags", FieldType.STRING_LIST)
            .build();

    @Test
    void mappingsFollowTheSchemaAndTheVectorFieldAlwaysNamesItsEngine() throws Exception {
        JsonNode index = createIndexJson(OpenSearchIndexLayout.builder("docs", SCHEMA, 384).build());
        JsonNode properties = index.at("/mappings/properties");
        assertThat(properties.at("/customer/type").asText()).isEqualTo("keyword");
        assertThat(properties.at("/tags/type").asText()).isEqualTo("keyword");
        assertThat(properties.at("/year/type").asText()).isEqualTo("long");
        assertThat(properties.at("/score/type").asText()).isEqualTo("double");
        assertThat(properties.at("/reviewed/type").asText()).isEqualTo("boolean");
        assertThat(properties.at("/text/type").asText()).isEqualTo("text");
        JsonNode vector = properties.get("embedding");
        assertThat(vector.get("type").asText()).isEqualTo("knn_vector");
        assertThat(vector.get("dimension").asInt()).isEqualTo(384);
        // without an explicit method OpenSearch picks faiss, which this project's local node cannot load
        assertThat(vector.at("/method/engine").asText()).isEqualTo("lucene");
        assertThat(vector.at("/method/name").asText()).isEqualTo("hnsw");
        assertThat(vector.at("/method/space_type").asText()).isEqualTo("cosinesimil");
        assertThat(index.at("/mappings/dynamic").asText()).isEqualTo("strict");
        assertThat(index.at("/settings/knn").asBoolean()).isTrue();
        assertThat(index.at("/mappings/_routing").isMissingNode()).isTrue();
    }

    /**
     * Undeclared fields share one nested field whose entries name their field as a keyword value: no key, dotted or
     * not, ever becomes a mapping field, and each kind has its own subfield.
     */
    @Test
    void aSchemaWithUndeclaredFieldsAddsOneStrictNestedFieldOfEntries() throws Exception {
        MetadataSchema open = MetadataSchema.builder().required("customer", FieldType.STRING).allowUndeclared().build();
        OpenSearchIndexLayout layout = OpenSearchIndexLayout.builder("docs", open, 8).build();
        assertThat(layout.undeclaredField()).contains("metadata_undeclared");
        JsonNode properties = createIndexJson(layout).at("/mappings/properties");
        assertThat(properties.fieldNames()).toIterable()
                .containsExactlyInAnyOrder("embedding", "text", "customer", "metadata_undeclared");
        JsonNode nested = properties.get("metadata_undeclared");
        assertThat(nested.get("type").asText()).isEqualTo("nested");
        assertThat(nested.get("dynamic").asText()).isEqualTo("strict");
        assertThat(nested.at("/properties/key/type").asText()).isEqualTo("keyword");
        assertThat(nested.at("/properties/s/type").asText()).isEqualTo("keyword");
        assertThat(nested.at("/properties/n/type").asText()).isEqualTo("double");
        assertThat(nested.at("/properties/b/type").asText()).isEqualTo("boolean");
        assertThat(nested.get("properties").size()).isEqualTo(4);

        OpenSearchIndexLayout renamed = OpenSearchIndexLayout.builder("docs", open, 8).undeclaredField("extra").build();
        assertThat(createIndexJson(renamed).at("/mappings/properties/extra/type").asText()).isEqualTo("nested");
        // a schema that declares every field has no such field
        assertThat(OpenSearchIndexLayout.builder("docs", SCHEMA, 8).build().undeclaredField()).isEmpty();
        assertThat(createIndexJson(OpenSearchIndexLayout.builder("docs", SCHEMA, 8).build())
                .at("/mappings/properties/metadata_undeclared").isMissingNode()).isTrue();
    }

    @Test
    void theUndeclaredFieldIsAFieldNameOfItsOwn() {
        MetadataSchema open = MetadataSchema.builder().optional("metadata_undeclared", FieldType.STRING)
                .allowUndeclared().build();
        assertThatThrownBy(() -> OpenSearchIndexLayout.builder("docs", open, 8).build())
                .isInstanceOf(InvalidSchemaException.class).hasMessageContaining("metadata_undeclared");
        MetadataSchema undeclaredOnly = MetadataSchema.builder().allowUndeclared().build();
        assertThatThrownBy(() -> OpenSearchIndexLayout.builder("docs", undeclaredOnly, 8).undeclaredField("text").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("text");
        assertThatThrownBy(() -> OpenSearchIndexLayout.builder("docs", undeclaredOnly, 8).undeclaredField("a.b").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("a.b");
    }

    @Test
    void bedrockPresetUsesBedrocksFieldNamesWithTheAttributesAtTopLevel() throws Exception {
        OpenSearchIndexLayout layout = OpenSearchIndexLayout.bedrockKnowledgeBase("kb", SCHEMA, 1024).build();
        assertThat(layout.vectorField()).isEqualTo("bedrock-knowledge-base-default-vector");
        assertThat(layout.textField()).isEqualTo("AMAZON_BEDROCK_TEXT_CHUNK");
        assertThat(layout.metadataField()).contains("AMAZON_BEDROCK_METADATA");
        JsonNode index = createIndexJson(layout);
        JsonNode properties = index.at("/mappings/properties");
        assertThat(properties.at("/bedrock-knowledge-base-default-vector/method/engine").asText()).isEqualTo("faiss");
        assertThat(properties.at("/bedrock-knowledge-base-default-vector/method/space_type").asText()).isEqualTo("l2");
        assertThat(properties.at("/AMAZON_BEDROCK_METADATA/index").asBoolean(true)).isFalse();
        assertThat(properties.at("/customer/type").asText()).isEqualTo("keyword");
        assertThat(index.at("/mappings/dynamic").asText()).isEqualTo("true");
    }

    @Test
    void routingByTenantRequiresRoutingAndARequiredStringField() throws Exception {
        JsonNode index = createIndexJson(OpenSearchIndexLayout.builder("docs", SCHEMA, 8).routeByTenant("customer").build());
        assertThat(index.at("/mappings/_routing/required").asBoolean()).isTrue();
        assertThatThrownBy(() -> OpenSearchIndexLayout.builder("docs", SCHEMA, 8).routeByTenant("year").build())
                .isInstanceOf(InvalidSchemaException.class).hasMessageContaining("year");
        assertThatThrownBy(() -> OpenSearchIndexLayout.builder("docs", SCHEMA, 8).routeByTenant("nope").build())
                .isInstanceOf(InvalidSchemaException.class).hasMessageContaining("nope");
    }

    @ParameterizedTest
    @ValueSource(strings = {"a.b", "_id", "_routing", "cust*", "who?"})
    void fieldNamesOpenSearchWouldMisreadAreRefused(String name) {
        MetadataSchema schema = MetadataSchema.builder().optional(name, FieldType.STRING).build();
        assertThatThrownBy(() -> OpenSearchIndexLayout.builder("docs", schema, 8).build())
                .isInstanceOf(InvalidSchemaException.class).hasMessageContaining(name)
                .extracting(e -> ((InvalidSchemaException) e).field()).isEqualTo(name);
    }

    @Test
    void schemaFieldsMayNotCollideWithTheLayoutsFields() {
        MetadataSchema schema = MetadataSchema.builder().optional("text", FieldType.STRING).build();
        assertThatThrownBy(() -> OpenSearchIndexLayout.builder("docs", schema, 8).build())
                .isInstanceOf(InvalidSchemaException.class).hasMessageContaining("text");
        assertThatThrownBy(() -> OpenSearchIndexLayout.builder("docs", SCHEMA, 8).vectorField("customer").build())
                .isInstanceOf(InvalidSchemaException.class).hasMessageContaining("customer");
    }

    @ParameterizedTest
    @ValueSource(strings = {"Docs", "_docs", "-docs", "a b", "a/b", "a*", "a,b", "a#b", ".", ".."})
    void invalidIndexNamesAreRefused(String name) {
        assertThatThrownBy(() -> OpenSearchIndexLayout.builder(name, SCHEMA, 8).build())
                .isInstanceOf(InvalidStoreNameException.class).hasMessageContaining("index name");
    }

    @Test
    void everySpaceScoreConvertsBackToCosine() {
        for (double cos : new double[] {-1, -0.6, 0, 0.3, 1}) {
            double cosinesimil = (1 + cos) / 2;
            double l2 = 1 / (1 + (2 - 2 * cos));
            double innerProduct = cos >= 0 ? 1 + cos : 1 / (1 - cos);
            assertThat(OpenSearchIndexLayout.SpaceType.COSINESIMIL.cosineFromScore(cosinesimil)).isCloseTo(cos, within(1e-12));
            assertThat(OpenSearchIndexLayout.SpaceType.L2.cosineFromScore(l2)).isCloseTo(cos, within(1e-12));
            assertThat(OpenSearchIndexLayout.SpaceType.INNERPRODUCT.cosineFromScore(innerProduct)).isCloseTo(cos, within(1e-12));
        }
    }

    private static JsonNode createIndexJson(OpenSearchIndexLayout layout) throws Exception {
        return new ObjectMapper().readTree(layout.createIndexRequest().toJsonString());
    }
}
