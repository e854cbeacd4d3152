package dev.portafilter.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.portafilter.core.internal.FilterJsonCodec;
import dev.portafilter.core.filter.BackendProfile;
import dev.portafilter.core.metadata.BooleanValue;
import dev.portafilter.core.metadata.DoubleValue;
import dev.portafilter.core.metadata.FieldType;
import dev.portafilter.core.metadata.LongValue;
import dev.portafilter.core.metadata.MetadataValue;
import dev.portafilter.core.metadata.StringListValue;
import dev.portafilter.core.metadata.StringValue;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/**
 * A plain JSON metadata value (as in a sidecar's plain form or a Retrieve response) as the schema field's type.
 * Bedrock has one NUMBER type; the schema decides LONG or DOUBLE, and a LONG takes only integral numbers.
 */
public final class MetadataJson {
    private MetadataJson() {
    }

    /**
     * The value, or null for an empty list, which is no value (the attribute is absent: docs/semantics.md); an
     * {@link IllegalArgumentException} whose message says why it does not fit the type.
     */
    public static MetadataValue value(JsonNode node, FieldType type) {
        return switch (type) {
            case STRING -> {
                require(node.isTextual(), node, type);
                yield new StringValue(node.textValue());
            }
            case BOOLEAN -> {
                require(node.isBoolean(), node, type);
                yield BooleanValue.of(node.booleanValue());
            }
            case LONG -> {
                require(node.isNumber(), node, type);
                yield new LongValue(integral(node.decimalValue(), node));
            }
            case DOUBLE -> {
                require(node.isNumber(), node, type);
                double d = node.doubleValue();
                if (!Double.isFinite(d)) {
                    throw new IllegalArgumentException("NUMBER " + node.asText() + " is not a finite double");
                }
                yield new DoubleValue(d);
            }
            case STRING_LIST -> {
                require(node.isArray(), node, type);
                List<String> values = new ArrayList<>(node.size());
                for (JsonNode element : node) {
                    if (!element.isTextual()) {
                        throw new IllegalArgumentException("a STRING_LIST holds only strings, found "
                                + FilterJsonCodec.kind(element));
                    }
                    values.add(element.textValue());
                }
                yield values.isEmpty() ? null : new StringListValue(values);
            }
        };
    }

    /**
     * The type an undeclared attribute is read as, from its own kind: a string, a boolean, a list (of strings), or a
     * number, integral ones within ±(2^53 − 1) as LONG. Bedrock keeps every NUMBER as a 64-bit float and answers
     * {@code 2023} as {@code 2023.0}, so the form of the digits cannot decide; as on Pinecone, the value does.
     */
    public static FieldType undeclaredType(JsonNode value) {
        if (value.isTextual()) {
            return FieldType.STRING;
        }
        if (value.isBoolean()) {
            return FieldType.BOOLEAN;
        }
        if (value.isArray()) {
            return FieldType.STRING_LIST;
        }
        if (value.isNumber()) {
            return BackendProfile.isExactInteger(value.doubleValue()) ? FieldType.LONG : FieldType.DOUBLE;
        }
        throw new IllegalArgumentException("an undeclared attribute holds a string, a number, a boolean or a list of "
                + "strings, found " + FilterJsonCodec.kind(value));
    }

    private static long integral(BigDecimal number, JsonNode node) {
        try {
            return number.stripTrailingZeros().longValueExact();
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("NUMBER " + node.asText() + " does not fit the LONG field: "
                    + (number.stripTrailingZeros().scale() > 0 ? "not an integer" : "beyond 64 bits"));
        }
    }

    private static void require(boolean ok, JsonNode node, FieldType type) {
        if (!ok) {
            throw new IllegalArgumentException("the schema declares " + type + ", found "
                    + FilterJsonCodec.kind(node) + (node == null ? "" : " " + node));
        }
    }
}
