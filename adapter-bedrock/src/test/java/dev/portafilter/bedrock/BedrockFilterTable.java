package dev.portafilter.bedrock;

import com.fasterxml.jackson.databind.JsonNode;
import dev.portafilter.conformance.ScenarioDataset;
import dev.portafilter.core.metadata.MetadataSchema;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Filters written in Bedrock's RetrievalFilter format, as users of Bedrock already have them, with the scenario ids
 * each must return — worked out by hand from the scenario data and Bedrock's documented semantics.
 */
final class BedrockFilterTable {
    record Row(String name, String json, Set<String> expectedIds) {
        @Override
        public String toString() {
            return name + " " + json;
        }
    }

    private static final Set<String> ALL = Set.copyOf(ScenarioDataset.ids());

    static final List<Row> ROWS = List.of(
            row("equals the tenant", "{\"equals\":{\"key\":\"customer\",\"value\":\"CustomerA\"}}",
                    "A-HIPAA", "A-C001", "A-C002", "A-C003", "A-C004", "A-NOTE"),
            row("notEquals keeps records without the key", "{\"notEquals\":{\"key\":\"region\",\"value\":\"US\"}}",
                    "A-C002", "A-C003", "A-NOTE", "B-NHS", "B-S001", "B-S002", "B-S003", "B-S004", "B-NOTE"),
            row("notIn keeps records without the key", "{\"notIn\":{\"key\":\"region\",\"value\":[\"US\",\"UK\"]}}",
                    "A-C002", "A-C003", "A-NOTE", "B-S003", "B-S004", "B-NOTE"),
            row("in strings", "{\"in\":{\"key\":\"documentType\",\"value\":[\"guidance\",\"compliance-guide\"]}}",
                    "A-HIPAA", "B-NHS"),
            row("in numbers", "{\"in\":{\"key\":\"publicationYear\",\"value\":[2021,2024]}}",
                    "A-C001", "A-C004", "B-S003", "B-S004"),
            row("listContains", "{\"listContains\":{\"key\":\"patientIds\",\"value\":\"P001\"}}",
                    "A-C001", "A-C004", "B-S001"),
            row("listContains a second element", "{\"listContains\":{\"key\":\"tags\",\"value\":\"outpatient\"}}",
                    "A-C003", "B-S003"),
            row("greaterThan", "{\"greaterThan\":{\"key\":\"publicationYear\",\"value\":2022}}",
                    "A-HIPAA", "A-C003", "A-C004", "B-S001", "B-S003"),
            row("greaterThanOrEquals a fraction on integers",
                    "{\"greaterThanOrEquals\":{\"key\":\"publicationYear\",\"value\":2023.5}}", "A-C004", "B-S003"),
            row("lessThanOrEquals doubles", "{\"lessThanOrEquals\":{\"key\":\"confidence\",\"value\":0.75}}",
                    "A-C002", "B-S002", "B-S004"),
            row("equals an integer on a double", "{\"equals\":{\"key\":\"confidence\",\"value\":1}}", "A-C004"),
            row("equals false", "{\"equals\":{\"key\":\"reviewed\",\"value\":false}}", "A-C002", "B-S002"),
            row("notEquals true keeps records without the key", "{\"notEquals\":{\"key\":\"reviewed\",\"value\":true}}",
                    minus("A-HIPAA", "A-C001", "B-NHS")),
            row("equals the empty string", "{\"equals\":{\"key\":\"region\",\"value\":\"\"}}", "B-NOTE"),
            row("notIn on a key some records lack",
                    "{\"notIn\":{\"key\":\"focus\",\"value\":[\"genomics\",\"HIPAA\"]}}",
                    minus("B-S001", "B-S002", "A-HIPAA")),
            row("andAll of orAll", "{\"andAll\":[{\"equals\":{\"key\":\"customer\",\"value\":\"CustomerB\"}},"
                    + "{\"orAll\":[{\"notEquals\":{\"key\":\"region\",\"value\":\"UK\"}},"
                    + "{\"listContains\":{\"key\":\"tags\",\"value\":\"BRCA1\"}}]}]}",
                    "B-S001", "B-S003", "B-S004", "B-NOTE"),
            row("orAll of andAll", "{\"orAll\":[{\"andAll\":[{\"equals\":{\"key\":\"customer\",\"value\":\"CustomerA\"}},"
                    + "{\"equals\":{\"key\":\"focus\",\"value\":\"oncology\"}}]},"
                    + "{\"listContains\":{\"key\":\"patientIds\",\"value\":\"P003\"}}]}",
                    "A-C002", "A-C003", "B-S003"),
            row("andAll with a negation and a nested orAll",
                    "{\"andAll\":[{\"notEquals\":{\"key\":\"focus\",\"value\":\"genomics\"}},"
                            + "{\"orAll\":[{\"lessThan\":{\"key\":\"confidence\",\"value\":0.8}},"
                            + "{\"in\":{\"key\":\"region\",\"value\":[\"EU\"]}}]}]}",
                    "A-C002", "B-S003", "B-S004"),
            row("orAll with a range window", "{\"orAll\":[{\"equals\":{\"key\":\"documentType\",\"value\":\"note\"}},"
                    + "{\"andAll\":[{\"greaterThanOrEquals\":{\"key\":\"publicationYear\",\"value\":2021}},"
                    + "{\"lessThan\":{\"key\":\"publicationYear\",\"value\":2022}}]}]}",
                    "A-NOTE", "B-NOTE", "A-C001", "B-S004"));

    private BedrockFilterTable() {
    }

    /**
     * Whether a RetrievalFilter compares a string with a key the schema does not declare: what Bedrock has no
     * documented form for (the key may hold a string in one document and a list in another).
     */
    static boolean comparesUndeclaredString(JsonNode filter, MetadataSchema schema) {
        String op = filter.fieldNames().next();
        JsonNode body = filter.get(op);
        if (op.equals("andAll") || op.equals("orAll")) {
            for (JsonNode member : body) {
                if (comparesUndeclaredString(member, schema)) {
                    return true;
                }
            }
            return false;
        }
        JsonNode value = body.get("value");
        return schema.field(body.get("key").textValue()).isEmpty()
                && (value.isArray() ? value.get(0) : value).isTextual();
    }

    private static Row row(String name, String json, String... ids) {
        return new Row(name, json, checked(Set.of(ids)));
    }

    private static Row row(String name, String json, Set<String> ids) {
        return new Row(name, json, checked(ids));
    }

    private static Set<String> minus(String... ids) {
        Set<String> out = new HashSet<>(ALL);
        for (String id : ids) {
            if (!out.remove(id)) {
                throw new IllegalStateException("unknown id " + id);
            }
        }
        return out;
    }

    private static Set<String> checked(Set<String> ids) {
        if (!ALL.containsAll(ids)) {
            throw new IllegalStateException("unknown id in " + ids);
        }
        return Set.copyOf(ids);
    }
}
