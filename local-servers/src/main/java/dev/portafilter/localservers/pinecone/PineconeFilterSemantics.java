package dev.portafilter.localservers.pinecone;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Pinecone's metadata filter language as its documentation describes it (docs.pinecone.io, "Filter by metadata" and
 * "Database limits"), written independently of Portafilter's reference evaluator so that the translator is checked
 * against Pinecone's rules, not against itself:
 * <ul>
 *   <li>operators {@code $eq $ne $gt $gte $lt $lte $in $nin $exists}, combined with {@code $and}/{@code $or} and the
 *   implicit AND of several keys or several operators; no {@code $not} (an unknown operator is a compile error);</li>
 *   <li>only {@code $and}, {@code $or} and field names at the top level; a bare list or {@code $eq} of a list is a
 *   compile error; {@code $in}/{@code $nin} take strings or numbers (not booleans), at most 10,000 of them;</li>
 *   <li>every comparison, {@code $ne} and {@code $nin} included, fails on a record that lacks the field (unlike
 *   MongoDB, whose {@code $ne}/{@code $nin} match it); only {@code $exists:false} matches such a record;</li>
 *   <li>on a list of strings, {@code $eq}/{@code $in} match when any element does, {@code $ne}/{@code $nin} when no
 *   element does;</li>
 *   <li>numbers are 64-bit floats, so {@code 2} equals {@code 2.0}; values of different kinds are never equal.</li>
 * </ul>
 */
public final class PineconeFilterSemantics {
    private static final Set<String> OPERATORS = Set.of("$eq", "$ne", "$gt", "$gte", "$lt", "$lte", "$in", "$nin",
            "$exists");

    private PineconeFilterSemantics() {
    }

    /** Whether a record's metadata matches; throws {@link IllegalArgumentException} for a filter Pinecone rejects. */
    public static boolean matches(Struct filter, Struct metadata) {
        return clause(filter, metadata.getFieldsMap());
    }

    /** Rejects what Pinecone would reject, evaluating the filter against empty metadata. */
    static void validate(Struct filter) {
        matches(filter, Struct.getDefaultInstance());
    }

    private static boolean clause(Struct clause, Map<String, Value> record) {
        if (clause.getFieldsCount() == 0) {
            throw new IllegalArgumentException("empty filter clause");
        }
        boolean all = true;
        // evaluate every key (no short-circuit) so that invalid parts are always rejected
        for (Map.Entry<String, Value> e : clause.getFieldsMap().entrySet()) {
            String key = e.getKey();
            boolean result = switch (key) {
                case "$and" -> combine(e.getValue(), record, true);
                case "$or" -> combine(e.getValue(), record, false);
                default -> {
                    if (key.startsWith("$")) {
                        throw new IllegalArgumentException("operator " + key + " is not allowed at the top level of "
                                + "a filter");
                    }
                    yield field(record.get(key), e.getValue());
                }
            };
            all &= result;
        }
        return all;
    }

    private static boolean combine(Value operand, Map<String, Value> record, boolean and) {
        if (!operand.hasListValue() || operand.getListValue().getValuesCount() == 0) {
            throw new IllegalArgumentException((and ? "$and" : "$or") + " needs a non-empty list of filters");
        }
        boolean result = and;
        for (Value v : operand.getListValue().getValuesList()) {
            if (!v.hasStructValue()) {
                throw new IllegalArgumentException("$and/$or elements must be filters");
            }
            boolean m = clause(v.getStructValue(), record);
            result = and ? result & m : result | m;
        }
        return result;
    }

    private static boolean field(Value stored, Value condition) {
        if (condition.hasListValue()) {
            throw new IllegalArgumentException("a list is not a filter value: " + condition);
        }
        if (!condition.hasStructValue()) {
            return operator("$eq", stored, condition);
        }
        Map<String, Value> ops = condition.getStructValue().getFieldsMap();
        if (ops.isEmpty()) {
            throw new IllegalArgumentException("empty operator object");
        }
        boolean all = true;
        for (Map.Entry<String, Value> op : ops.entrySet()) {
            all &= operator(op.getKey(), stored, op.getValue());
        }
        return all;
    }

    private static boolean operator(String op, Value stored, Value operand) {
        if (!OPERATORS.contains(op)) {
            throw new IllegalArgumentException("unknown operator " + op);
        }
        check(op, operand);
        if (op.equals("$exists")) {
            return (stored != null) == operand.getBoolValue();
        }
        if (stored == null) {
            return false;
        }
        List<Value> elements = stored.hasListValue() ? stored.getListValue().getValuesList() : List.of(stored);
        List<Value> wanted = operand.hasListValue() ? operand.getListValue().getValuesList() : List.of(operand);
        return switch (op) {
            case "$eq", "$in" -> elements.stream().anyMatch(e -> wanted.stream().anyMatch(w -> same(e, w)));
            case "$ne", "$nin" -> elements.stream().noneMatch(e -> wanted.stream().anyMatch(w -> same(e, w)));
            default -> !stored.hasListValue() && stored.hasNumberValue()
                    && holds(op, stored.getNumberValue(), operand.getNumberValue());
        };
    }

    private static void check(String op, Value operand) {
        switch (op) {
            case "$exists" -> require(operand.hasBoolValue(), op + " takes a boolean");
            case "$gt", "$gte", "$lt", "$lte" -> require(operand.hasNumberValue(), op + " takes a number");
            case "$eq", "$ne" -> require(operand.hasStringValue() || operand.hasNumberValue() || operand.hasBoolValue(),
                    op + " takes a string, number or boolean");
            default -> {
                require(operand.hasListValue(), op + " takes a list");
                List<Value> values = operand.getListValue().getValuesList();
                require(values.size() <= 10_000, op + " accepts at most 10,000 values");
                require(values.stream().allMatch(v -> v.hasStringValue() || v.hasNumberValue()),
                        op + " takes strings or numbers");
            }
        }
    }

    private static boolean same(Value a, Value b) {
        if (a.hasStringValue() && b.hasStringValue()) {
            return a.getStringValue().equals(b.getStringValue());
        }
        if (a.hasNumberValue() && b.hasNumberValue()) {
            return a.getNumberValue() == b.getNumberValue();
        }
        return a.hasBoolValue() && b.hasBoolValue() && a.getBoolValue() == b.getBoolValue();
    }

    private static boolean holds(String op, double stored, double bound) {
        return switch (op) {
            case "$gt" -> stored > bound;
            case "$gte" -> stored >= bound;
            case "$lt" -> stored < bound;
            default -> stored <= bound;
        };
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }
}
