package dev.portafilter.springai;

import dev.portafilter.core.filter.Filter;
import dev.portafilter.core.filter.FilterVisitor;
import dev.portafilter.core.filter.Filters;
import dev.portafilter.core.metadata.ScalarValue;
import org.springframework.ai.vectorstore.filter.Filter.Expression;
import org.springframework.ai.vectorstore.filter.Filter.ExpressionType;
import org.springframework.ai.vectorstore.filter.Filter.Group;
import org.springframework.ai.vectorstore.filter.Filter.Key;
import org.springframework.ai.vectorstore.filter.Filter.Operand;
import org.springframework.ai.vectorstore.filter.Filter.Value;
import org.springframework.ai.vectorstore.filter.FilterExpressionTextParser;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Spring AI filter expressions to portable filters and back. Every Spring AI operator has a portable counterpart
 * with the meaning {@code docs/semantics.md} gives it:
 *
 * <ul>
 *   <li>{@code EQ NE IN NIN} are {@code $eq $ne $in $nin}: {@code NE} and {@code NIN} match a record without the
 *       field, and on a list field {@code EQ} matches any element;</li>
 *   <li>{@code GT GTE LT LTE} are {@code $gt $gte $lt $lte}, with a number bound only: ranges compare numbers, so a
 *       string (or boolean) bound is refused with a {@link SpringAiFilterException}, on every backend;</li>
 *   <li>{@code ISNULL} is {@code $exists false} and {@code ISNOTNULL} {@code $exists true}: a field is either
 *       present with a value or absent;</li>
 *   <li>{@code AND OR NOT} are {@code $and $or $not} (nested {@code AND}s and {@code OR}s flattened, groups
 *       dropped).</li>
 * </ul>
 *
 * Keys in quotes ({@code "my key" == 1}, as Spring AI's text grammar allows) lose their quotes.
 */
public final class SpringAiFilters {
    private SpringAiFilters() {
    }

    /**
     * Parses Spring AI's filter text ({@code country == 'BG' && year >= 2020}) with Spring AI's own
     * {@link FilterExpressionTextParser}, then converts it.
     *
     * @throws SpringAiFilterException if the text does not parse or has no portable meaning
     */
    public static Filter parse(String text) {
        Expression expression;
        try {
            expression = new FilterExpressionTextParser().parse(text);
        } catch (RuntimeException e) {
            throw new SpringAiFilterException("$", "'" + text + "'", "it does not parse: " + e.getMessage());
        }
        return toPortafilter(expression);
    }

    /**
     * The portable filter with the same meaning.
     *
     * @throws SpringAiFilterException naming the node that has no portable meaning (a string range, a value that
     *                                 is not a string, number or boolean, an empty or mixed {@code IN} list)
     */
    public static Filter toPortafilter(Expression expression) {
        return convert(expression, "$");
    }

    /** The Spring AI expression with the same meaning; every portable filter has one. */
    public static Expression toSpringAi(Filter filter) {
        return filter.accept(ToSpringAi.INSTANCE);
    }

    private static Filter convert(Expression e, String path) {
        ExpressionType type = e.type();
        switch (type) {
            case AND, OR -> {
                List<Expression> operands = new ArrayList<>();
                flatten(e, type, operands);
                String op = type == ExpressionType.AND ? "$and" : "$or";
                List<Filter> children = new ArrayList<>(operands.size());
                for (int i = 0; i < operands.size(); i++) {
                    children.add(convert(operands.get(i), path + "." + op + "[" + i + "]"));
                }
                return type == ExpressionType.AND ? Filters.and(children) : Filters.or(children);
            }
            case NOT -> {
                return Filters.not(convert(expressionOf(e.left(), e, path + ".$not"), path + ".$not"));
            }
            case ISNULL, ISNOTNULL -> {
                String field = field(e, path);
                return type == ExpressionType.ISNULL ? Filters.missing(field) : Filters.exists(field);
            }
            default -> {
                return comparison(e, path);
            }
        }
    }

    /** The operands of a chain of one operator, e.g. {@code (a AND b) AND c} as {@code [a, b, c]}. */
    private static void flatten(Operand operand, ExpressionType type, List<Expression> into) {
        Expression e = operand instanceof Group g ? g.content() : (Expression) operand;
        if (e.type() == type) {
            flatten(e.left(), type, into);
            flatten(e.right(), type, into);
        } else {
            into.add(e);
        }
    }

    private static Expression expressionOf(Operand operand, Expression parent, String path) {
        if (operand instanceof Group g) {
            return g.content();
        }
        if (operand instanceof Expression e) {
            return e;
        }
        throw new SpringAiFilterException(path, String.valueOf(parent), "NOT needs an expression, found " + operand);
    }

    private static Filter comparison(Expression e, String path) {
        String field = field(e, path);
        String op = switch (e.type()) {
            case EQ -> "$eq";
            case NE -> "$ne";
            case GT -> "$gt";
            case GTE -> "$gte";
            case LT -> "$lt";
            case LTE -> "$lte";
            case IN -> "$in";
            case NIN -> "$nin";
            default -> throw new IllegalStateException("not a comparison: " + e.type());
        };
        String at = path + "." + field + "." + op;
        if (!(e.right() instanceof Value value)) {
            throw new SpringAiFilterException(at, String.valueOf(e), e.type() + " needs a value, found " + e.right());
        }
        Object v = value.value();
        try {
            return switch (e.type()) {
                case EQ -> Filters.eq(field, scalar(v, e, at));
                case NE -> Filters.ne(field, scalar(v, e, at));
                case IN -> Filters.in(field, list(v, e, at));
                case NIN -> Filters.nin(field, list(v, e, at));
                default -> range(e.type(), field, v, e, at);
            };
        } catch (IllegalArgumentException ex) {
            // a non-finite or oversized number, or an IN list of mixed kinds
            throw new SpringAiFilterException(at, String.valueOf(e), ex.getMessage());
        }
    }

    private static Filter range(ExpressionType type, String field, Object bound, Expression e, String at) {
        if (!(bound instanceof Number n)) {
            throw new SpringAiFilterException(at, String.valueOf(e), "ranges compare numbers only (docs/semantics.md), "
                    + "so " + type + " with the " + describe(bound) + " bound is declined on every backend; a string "
                    + "is never ordered as text");
        }
        return switch (type) {
            case GT -> Filters.gt(field, n);
            case GTE -> Filters.gte(field, n);
            case LT -> Filters.lt(field, n);
            default -> Filters.lte(field, n);
        };
    }

    private static Object scalar(Object v, Expression e, String at) {
        if (v instanceof String || v instanceof Number || v instanceof Boolean) {
            return v;
        }
        throw new SpringAiFilterException(at, String.valueOf(e), "a value must be a string, number or boolean, found "
                + describe(v));
    }

    private static List<Object> list(Object v, Expression e, String at) {
        if (!(v instanceof Collection<?> values) || values.isEmpty()) {
            throw new SpringAiFilterException(at, String.valueOf(e), e.type() + " needs a non-empty list of values, found "
                    + describe(v));
        }
        List<Object> out = new ArrayList<>(values.size());
        for (Object element : values) {
            out.add(scalar(element, e, at));
        }
        return out;
    }

    private static String field(Expression e, String path) {
        if (!(e.left() instanceof Key key)) {
            throw new SpringAiFilterException(path, String.valueOf(e), e.type() + " needs a key on its left, found "
                    + e.left());
        }
        String k = key.key();
        if (k.length() >= 2 && (k.charAt(0) == '"' || k.charAt(0) == '\'') && k.charAt(k.length() - 1) == k.charAt(0)) {
            k = k.substring(1, k.length() - 1);
        }
        if (k.isEmpty() || k.startsWith("$")) {
            throw new SpringAiFilterException(path, String.valueOf(e), "a field name cannot be empty or start with '$', "
                    + "found '" + k + "'");
        }
        return k;
    }

    private static String describe(Object v) {
        return v == null ? "null" : v instanceof String s ? "string '" + s + "'" : v.getClass().getSimpleName() + " " + v;
    }

    private enum ToSpringAi implements FilterVisitor<Expression> {
        INSTANCE;

        @Override
        public Expression eq(Filter.Eq eq) {
            return leaf(ExpressionType.EQ, eq.field(), eq.value().toJava());
        }

        @Override
        public Expression ne(Filter.Ne ne) {
            return leaf(ExpressionType.NE, ne.field(), ne.value().toJava());
        }

        @Override
        public Expression range(Filter.Range range) {
            ExpressionType type = switch (range.op()) {
                case GT -> ExpressionType.GT;
                case GTE -> ExpressionType.GTE;
                case LT -> ExpressionType.LT;
                case LTE -> ExpressionType.LTE;
            };
            return leaf(type, range.field(), range.bound().toJava());
        }

        @Override
        public Expression in(Filter.In in) {
            return leaf(ExpressionType.IN, in.field(), in.values().stream().map(ScalarValue::toJava).toList());
        }

        @Override
        public Expression nin(Filter.Nin nin) {
            return leaf(ExpressionType.NIN, nin.field(), nin.values().stream().map(ScalarValue::toJava).toList());
        }

        @Override
        public Expression exists(Filter.Exists exists) {
            return new Expression(exists.exists() ? ExpressionType.ISNOTNULL : ExpressionType.ISNULL,
                    new Key(exists.field()));
        }

        @Override
        public Expression and(Filter.And and) {
            return chain(ExpressionType.AND, and.filters());
        }

        @Override
        public Expression or(Filter.Or or) {
            return chain(ExpressionType.OR, or.filters());
        }

        @Override
        public Expression not(Filter.Not not) {
            return new Expression(ExpressionType.NOT, not.filter().accept(this));
        }

        private static Expression leaf(ExpressionType type, String field, Object value) {
            return new Expression(type, new Key(field), new Value(value));
        }

        /** Spring AI's AND and OR are binary: {@code [a, b, c]} becomes {@code (a AND b) AND c}. */
        private Expression chain(ExpressionType type, List<Filter> filters) {
            Expression result = filters.get(0).accept(this);
            for (Filter f : filters.subList(1, filters.size())) {
                result = new Expression(type, result, f.accept(this));
            }
            return result;
        }
    }
}
