package dev.portafilter.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.portafilter.core.internal.FilterJsonCodec;
import dev.portafilter.core.filter.FilterJson;
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

    /** The value, or an {@link IllegalArgumentException} whose message says why it does not fit the type. */
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
                if (values.isEmpty()) {
                    throw new IllegalArgumentException("an empty list is not a value; omit the attribute instead");
                }
                yield new StringListValue(values);
            }
        };
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
