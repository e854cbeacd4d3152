package dev.portafilter.localservers.bedrock;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Bedrock's RetrievalFilter semantics as the API reference states them, written from that text and NOT from
 * Portafilter's reference evaluator, so that the two can be compared:
 * <ul>
 *   <li>equals, greaterThan..., in: the document has the attribute and its value compares as stated;</li>
 *   <li>notEquals: the attribute's value differs, or the key is not present (stated by the reference);</li>
 *   <li>notIn: the attribute's value is not in the list, or the key is not present — the reference states the
 *       second half for notEquals only; notIn follows it by analogy, and the cloud contract checks it;</li>
 *   <li>listContains: the attribute is a list with the value as one of its members;</li>
 *   <li>andAll / orAll: all / at least one of at least 2 members.</li>
 * </ul>
 * Numbers compare as doubles (Bedrock's NUMBER). What the reference leaves open (equals, notEquals, in, notIn on a
 * list attribute) and what the stand-in does not model (startsWith, stringContains) is a ValidationException, so
 * a codec that sent it would fail loudly.
 */
public final class BedrockSemantics {
    private BedrockSemantics() {
    }

    /** Raised for filters Bedrock would reject, or that this stand-in does not model. */
    static final class ValidationException extends RuntimeException {
        ValidationException(String message) {
            super(message);
        }
    }

    public static boolean matches(JsonNode filter, JsonNode attributes) {
        if (filter == null || !filter.isObject() || filter.size() != 1) {
            throw new ValidationException("a filter needs exactly one operator: " + filter);
        }
        String op = filter.fieldNames().next();
        JsonNode body = filter.get(op);
        if (op.equals("andAll") || op.equals("orAll")) {
            if (!body.isArray() || body.size() < 2) {
                throw new ValidationException(op + " needs at least 2 members: " + body);
            }
            for (JsonNode member : body) {
                if (matches(member, attributes) == op.equals("orAll")) {
                    return op.equals("orAll");
                }
            }
            return op.equals("andAll");
        }
        String key = body.path("key").asText();
        JsonNode want = body.get("value");
        JsonNode have = attributes.get(key);
        if (want == null || !body.path("key").isTextual()) {
            throw new ValidationException(op + " needs key and value: " + body);
        }
        return switch (op) {
            case "equals" -> have != null && same(scalar(have, op), want);
            case "notEquals" -> have == null || !same(scalar(have, op), want);
            case "greaterThan", "greaterThanOrEquals", "lessThan", "lessThanOrEquals" -> {
                if (!want.isNumber()) {
                    throw new ValidationException(op + " needs a number: " + want);
                }
                if (have == null || !have.isNumber()) {
                    yield false;
                }
                double x = have.doubleValue();
                double n = want.doubleValue();
                yield switch (op) {
                    case "greaterThan" -> x > n;
                    case "greaterThanOrEquals" -> x >= n;
                    case "lessThan" -> x < n;
                    default -> x <= n;
                };
            }
            case "in" -> have != null && anySame(scalar(have, op), list(want, op));
            case "notIn" -> have == null || !anySame(scalar(have, op), list(want, op));
            case "listContains" -> have != null && have.isArray() && anySame(want, have);
            default -> throw new ValidationException("operator " + op + " is not modelled by this stand-in");
        };
    }

    private static boolean same(JsonNode a, JsonNode b) {
        if (a.isTextual() && b.isTextual()) {
            return a.textValue().equals(b.textValue());
        }
        if (a.isNumber() && b.isNumber()) {
            return a.doubleValue() == b.doubleValue();
        }
        return a.isBoolean() && b.isBoolean() && a.booleanValue() == b.booleanValue();
    }

    private static boolean anySame(JsonNode value, JsonNode candidates) {
        for (JsonNode c : candidates) {
            if (same(value, c)) {
                return true;
            }
        }
        return false;
    }

    private static JsonNode scalar(JsonNode have, String op) {
        if (have.isArray()) {
            throw new ValidationException(op + " on a list attribute is not documented; the stand-in refuses it");
        }
        return have;
    }

    private static JsonNode list(JsonNode want, String op) {
        if (!want.isArray() || want.isEmpty()) {
            throw new ValidationException(op + " needs a non-empty array: " + want);
        }
        return want;
    }
}
