package dev.portafilter.opensearch;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.opensearch.client.json.jackson.JacksonJsonpGenerator;
import org.opensearch.client.json.jackson.JacksonJsonpMapper;
import org.opensearch.client.opensearch._types.query_dsl.Query;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Optional;

/**
 * The JSON body of a vector search, written directly. The client's typed {@code knn} query writes each float of the
 * vector as a double ({@code 0.07807905226945877} for {@code 0.07807905f}): twice the bytes to send and for the
 * server to parse, and ~0.2 – 0.5 ms of client time per search at 384 dimensions. Here each float is written in its
 * own shortest form, which the server reads back as the same float; the filter is the translator's query, written
 * by the client's own serializer.
 */
final class SearchBody {
    private final OpenSearchIndexLayout layout;
    private final JacksonJsonpMapper mapper;

    SearchBody(OpenSearchIndexLayout layout, ObjectMapper json) {
        this.layout = layout;
        this.mapper = new JacksonJsonpMapper(json);
    }

    /**
     * A search of k neighbours of the (query-form) vector with the plan's strategy, without the fields in
     * {@code excluded} in the returned sources.
     */
    byte[] write(float[] vector, int k, Optional<Query> filter, OpenSearchSearchPlan plan, List<String> excluded) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(vector.length * 12 + 512);
        try (JsonGenerator g = mapper.objectMapper().getFactory().createGenerator(out)) {
            JacksonJsonpGenerator jsonp = new JacksonJsonpGenerator(g);
            g.writeStartObject();
            g.writeNumberField("size", k);
            g.writeObjectFieldStart("_source");
            g.writeArrayFieldStart("excludes");
            for (String field : excluded) {
                g.writeString(field);
            }
            g.writeEndArray();
            g.writeEndObject();
            g.writeObjectFieldStart("query");
            if (plan.strategy() == OpenSearchSearchPlan.Strategy.APPROXIMATE) {
                g.writeObjectFieldStart("knn");
                g.writeObjectFieldStart(layout.vectorField());
                g.writeFieldName("vector");
                floats(g, vector);
                g.writeNumberField("k", k);
                if (filter.isPresent()) {
                    g.writeFieldName("filter");
                    filter.get().serialize(jsonp, mapper);
                }
                g.writeObjectFieldStart("method_parameters");
                g.writeNumberField("ef_search", plan.efSearch());
                g.writeEndObject();
                g.writeEndObject();
                g.writeEndObject();
            } else {
                g.writeObjectFieldStart("script_score");
                g.writeFieldName("query");
                if (filter.isPresent()) {
                    filter.get().serialize(jsonp, mapper);
                } else {
                    g.writeStartObject();
                    g.writeObjectFieldStart("match_all");
                    g.writeEndObject();
                    g.writeEndObject();
                }
                g.writeObjectFieldStart("script");
                g.writeStringField("source", "knn_score");
                g.writeStringField("lang", "knn");
                g.writeObjectFieldStart("params");
                g.writeStringField("field", layout.vectorField());
                g.writeFieldName("query_value");
                floats(g, vector);
                g.writeStringField("space_type", layout.spaceType().wireName());
                g.writeEndObject();
                g.writeEndObject();
                g.writeEndObject();
            }
            g.writeEndObject();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("writing a search body to memory failed", e);
        }
        return out.toByteArray();
    }

    private static void floats(JsonGenerator g, float[] vector) throws IOException {
        g.writeStartArray();
        for (float f : vector) {
            g.writeNumber(f);
        }
        g.writeEndArray();
    }
}
