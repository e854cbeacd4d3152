package dev.portafilter.bedrock;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.portafilter.core.internal.FilterJsonCodec;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portafilter.core.InvalidFilterException;
import dev.portafilter.core.UnsupportedFilterException;
import dev.portafilter.core.filter.Filter;
import dev.portafilter.core.filter.FilterJson;
import dev.portafilter.core.internal.JsonPath;
import dev.portafilter.core.filter.ParseLimits;
import dev.portafilter.core.metadata.MetadataSchema;
import software.amazon.awssdk.services.bedrockagentruntime.model.RetrievalFilter;

/**
 * Amazon Bedrock's {@code RetrievalFilter} (the {@code filter} of the Retrieve and RetrieveAndGenerate APIs) to and
 * from Portafilter filters, as JSON and as the AWS SDK v2 model, with exactly the same meaning both ways.
 *
 * <pre>{@code
 * Filter f = RetrievalFilterCodec.fromJson("{\"notEquals\":{\"key\":\"region\",\"value\":\"US\"}}", schema);
 * RetrievalFilter sdk = RetrievalFilterCodec.toSdk(Filters.eq("patientIds", "P003"), schema); // listContains
 * }</pre>
 *
 * <p>The schema says which fields are lists: {@code $eq} on a STRING_LIST field is {@code listContains}. Where it
 * allows undeclared fields, numbers and booleans compare with them both ways; a string does not, since such a key may
 * hold a single string or a list, and Bedrock documents {@code equals} for the one and {@code listContains} for the
 * other only (declare the field to compare strings with it). What has no portable meaning ({@code startsWith},
 * {@code stringContains}) or no Bedrock form (a Portafilter filter Bedrock cannot express) is an
 * {@link UnsupportedFilterException}; malformed input or a mismatch with the schema is an
 * {@link InvalidFilterException}. Both name the JSON path. The mapping and its normal forms are in
 * {@code docs/bedrock.md}.
 */
public final class RetrievalFilterCodec {
    /** The backend name in {@link UnsupportedFilterException}s. */
    public static final String BACKEND = "bedrock";

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private RetrievalFilterCodec() {
    }

    /** Parses RetrievalFilter JSON text; errors name paths such as {@code $.andAll[1].equals.value}. */
    public static Filter fromJson(String json, MetadataSchema schema) {
        if (json == null) {
            throw new InvalidFilterException(JsonPath.ROOT, "no filter given");
        }
        return fromJson(FilterJsonCodec.readTree(json, ParseLimits.DEFAULT), schema);
    }

    public static Filter fromJson(JsonNode json, MetadataSchema schema) {
        Filter filter = new BedrockFilterReader(schema, ParseLimits.DEFAULT).read(json);
        schema.validate(filter);
        return filter;
    }

    /** The RetrievalFilter JSON text of a filter. */
    public static String toJson(Filter filter, MetadataSchema schema) {
        try {
            return MAPPER.writeValueAsString(toJsonNode(filter, schema));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a JSON tree", e);
        }
    }

    /** The RetrievalFilter JSON tree of a filter; errors name paths in the filter's canonical Portafilter JSON. */
    public static ObjectNode toJsonNode(Filter filter, MetadataSchema schema) {
        return BedrockFilterWriter.write(filter, schema);
    }

    public static Filter fromSdk(RetrievalFilter filter, MetadataSchema schema) {
        return fromJson(SdkJson.toJson(filter, JsonPath.ROOT), schema);
    }

    public static RetrievalFilter toSdk(Filter filter, MetadataSchema schema) {
        return SdkJson.toSdk(toJsonNode(filter, schema));
    }

    /** The JSON form of an SDK RetrievalFilter (its {@code toString()} hides values, so never use that). */
    public static ObjectNode sdkToJson(RetrievalFilter filter) {
        return SdkJson.toJson(filter, JsonPath.ROOT);
    }
}
