package dev.portafilter.langchain4j;

import dev.langchain4j.store.embedding.filter.comparison.ContainsString;
import dev.langchain4j.store.embedding.filter.comparison.IsEqualTo;
import dev.langchain4j.store.embedding.filter.comparison.IsGreaterThan;
import dev.langchain4j.store.embedding.filter.comparison.IsGreaterThanOrEqualTo;
import dev.langchain4j.store.embedding.filter.comparison.IsIn;
import dev.langchain4j.store.embedding.filter.comparison.IsLessThan;
import dev.langchain4j.store.embedding.filter.comparison.IsLessThanOrEqualTo;
import dev.langchain4j.store.embedding.filter.comparison.IsNotEqualTo;
import dev.langchain4j.store.embedding.filter.comparison.IsNotIn;
import dev.langchain4j.store.embedding.filter.logical.And;
import dev.langchain4j.store.embedding.filter.logical.Not;
import dev.langchain4j.store.embedding.filter.logical.Or;
import dev.portafilter.core.InvalidFilterException;
import dev.portafilter.core.UnsupportedFilterException;
import dev.portafilter.core.filter.Filter;
import dev.portafilter.core.filter.Filter.RangeOp;
import dev.portafilter.core.filter.FilterVisitor;
import dev.portafilter.core.internal.FilterPath;
import dev.portafilter.core.metadata.BooleanValue;
import dev.portafilter.core.metadata.DoubleValue;
import dev.portafilter.core.metadata.LongValue;
import dev.portafilter.core.metadata.NumberValue;
import dev.portafilter.core.metadata.ScalarValue;
import dev.portafilter.core.metadata.StringValue;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * Translates LangChain4j's metadata filters ({@code dev.langchain4j.store.embedding.filter.Filter}) to portable
 * Portafilter filters and back. Both directions keep the meaning exactly or refuse with a typed error naming the node;
 * nothing is approximated.
 *
 * <p>LangChain4j to Portafilter:
 * <table>
 *   <caption>What each LangChain4j filter becomes</caption>
 *   <tr><th>LangChain4j</th><th>Portafilter</th></tr>
 *   <tr><td>{@code IsEqualTo}, {@code IsNotEqualTo}</td><td>{@code $eq}, {@code $ne} (a missing key matches
 *       {@code $ne}, as in LangChain4j)</td></tr>
 *   <tr><td>{@code IsGreaterThan(OrEqualTo)}, {@code IsLessThan(OrEqualTo)}</td><td>{@code $gt $gte $lt $lte}, for
 *       numbers only</td></tr>
 *   <tr><td>{@code IsIn}, {@code IsNotIn}</td><td>{@code $in}, {@code $nin}</td></tr>
 *   <tr><td>{@code And}, {@code Or}, {@code Not}</td><td>{@code $and}, {@code $or}, {@code $not}</td></tr>
 * </table>
 * Values: String as is; UUID as its string form (the way the store writes it); Integer and Long as integers; Float
 * widened to the double it is ({@code 1.1f} is {@code 1.100000023841858}, which is what a Float written through
 * {@link PortafilterEmbeddingStore} holds too); Double as is; Boolean as a boolean. An {@link InvalidFilterException}
 * naming the node's JSON path refuses what the portable algebra cannot state: {@code ContainsString} (substring
 * matching), a range over a string or UUID (ranges compare numbers only, {@code docs/semantics.md}: string ranges are
 * declined on every backend), values of other types or of mixed kinds in one {@code IsIn}, and filter classes this
 * translator does not know.
 *
 * <p>Portafilter to LangChain4j is the reverse; {@code $exists} has no LangChain4j form and is refused with an
 * {@link UnsupportedFilterException} for backend {@code langchain4j}.
 */
public final class LangChain4jFilters {
    private LangChain4jFilters() {
    }

    /** The portable filter that means exactly what {@code filter} means. */
    public static Filter toPortafilter(dev.langchain4j.store.embedding.filter.Filter filter) {
        return toPortafilter(Objects.requireNonNull(filter, "filter"), FilterPath.ROOT);
    }

    /** The LangChain4j filter that means exactly what {@code filter} means. */
    public static dev.langchain4j.store.embedding.filter.Filter toLangChain4j(Filter filter) {
        return toLangChain4j(Objects.requireNonNull(filter, "filter"), FilterPath.ROOT);
    }

    private static Filter toPortafilter(dev.langchain4j.store.embedding.filter.Filter f, FilterPath path) {
        if (f instanceof IsEqualTo eq) {
            return new Filter.Eq(eq.key(), scalar(eq.comparisonValue(), path.operator(eq.key(), "$eq")));
        }
        if (f instanceof IsNotEqualTo ne) {
            return new Filter.Ne(ne.key(), scalar(ne.comparisonValue(), path.operator(ne.key(), "$ne")));
        }
        if (f instanceof IsGreaterThan gt) {
            return range(gt.key(), RangeOp.GT, gt.comparisonValue(), "IsGreaterThan", path);
        }
        if (f instanceof IsGreaterThanOrEqualTo gte) {
            return range(gte.key(), RangeOp.GTE, gte.comparisonValue(), "IsGreaterThanOrEqualTo", path);
        }
        if (f instanceof IsLessThan lt) {
            return range(lt.key(), RangeOp.LT, lt.comparisonValue(), "IsLessThan", path);
        }
        if (f instanceof IsLessThanOrEqualTo lte) {
            return range(lte.key(), RangeOp.LTE, lte.comparisonValue(), "IsLessThanOrEqualTo", path);
        }
        if (f instanceof IsIn in) {
            return new Filter.In(in.key(), scalars(in.comparisonValues(), path.operator(in.key(), "$in")));
        }
        if (f instanceof IsNotIn nin) {
            return new Filter.Nin(nin.key(), scalars(nin.comparisonValues(), path.operator(nin.key(), "$nin")));
        }
        if (f instanceof And and) {
            FilterPath at = path.key("$and");
            return new Filter.And(List.of(toPortafilter(and.left(), at.index(0)), toPortafilter(and.right(), at.index(1))));
        }
        if (f instanceof Or or) {
            FilterPath at = path.key("$or");
            return new Filter.Or(List.of(toPortafilter(or.left(), at.index(0)), toPortafilter(or.right(), at.index(1))));
        }
        if (f instanceof Not not) {
            return new Filter.Not(toPortafilter(not.expression(), path.key("$not")));
        }
        if (f instanceof ContainsString contains) {
            throw new InvalidFilterException(path.key(contains.key()).toString(), "LangChain4j's " + contains
                    + " has no portable form: Portafilter filters compare whole values, they do not match substrings");
        }
        throw new InvalidFilterException(path.toString(), "LangChain4j filter " + f.getClass().getName()
                + " has no portable form");
    }

    private static Filter range(String key, RangeOp op, Object bound, String lc4jName, FilterPath path) {
        if (bound instanceof Integer || bound instanceof Long || bound instanceof Float || bound instanceof Double) {
            return new Filter.Range(key, op, NumberValue.of((Number) bound));
        }
        throw new InvalidFilterException(path.operator(key, op.operator()).toString(), "LangChain4j's " + lc4jName
                + " compares " + describe(bound) + " '" + bound + "'; Portafilter ranges compare numbers only "
                + "(docs/semantics.md), so string ranges are declined on every backend");
    }

    private static List<ScalarValue> scalars(Collection<?> values, FilterPath path) {
        List<ScalarValue> out = new ArrayList<>(values.size());
        for (Object v : values) {
            ScalarValue s = scalar(v, path);
            if (!out.isEmpty() && out.get(0).kind() != s.kind()) {
                throw new InvalidFilterException(path.toString(), "the values mix " + out.get(0).kind() + " and "
                        + s.kind() + ", which never compare equal to one field's value");
            }
            out.add(s);
        }
        return out;
    }

    private static ScalarValue scalar(Object value, FilterPath path) {
        return portableValue(value).orElseThrow(() -> new InvalidFilterException(path.toString(),
                "LangChain4j filter value " + value + " is " + describe(value) + "; portable values are strings, "
                        + "UUIDs (as strings), integers, finite floats and doubles, and booleans"));
    }

    /**
     * A LangChain4j metadata or filter value as a portable one, the one rule for both so that a filter compares what
     * the store wrote; empty for a value that has no portable form.
     */
    static Optional<ScalarValue> portableValue(Object value) {
        if (value instanceof String s) {
            return Optional.of(new StringValue(s));
        }
        if (value instanceof UUID u) {
            return Optional.of(new StringValue(u.toString()));
        }
        if (value instanceof Integer || value instanceof Long) {
            return Optional.of(new LongValue(((Number) value).longValue()));
        }
        if ((value instanceof Float || value instanceof Double) && Double.isFinite(((Number) value).doubleValue())) {
            return Optional.of(new DoubleValue(((Number) value).doubleValue()));
        }
        if (value instanceof Boolean b) {
            return Optional.of(BooleanValue.of(b));
        }
        return Optional.empty();
    }

    private static String describe(Object value) {
        return value instanceof String ? "a string" : value instanceof UUID ? "a UUID"
                : "a " + value.getClass().getSimpleName();
    }

    private static dev.langchain4j.store.embedding.filter.Filter toLangChain4j(Filter f, FilterPath path) {
        return f.accept(new ToLangChain4j(path));
    }

    /** One node of a portable filter as LangChain4j's; the path names it in an error. */
    private record ToLangChain4j(FilterPath path) implements FilterVisitor<dev.langchain4j.store.embedding.filter.Filter> {
        @Override
        public dev.langchain4j.store.embedding.filter.Filter eq(Filter.Eq eq) {
            return new IsEqualTo(eq.field(), eq.value().toJava());
        }

        @Override
        public dev.langchain4j.store.embedding.filter.Filter ne(Filter.Ne ne) {
            return new IsNotEqualTo(ne.field(), ne.value().toJava());
        }

        @Override
        public dev.langchain4j.store.embedding.filter.Filter range(Filter.Range r) {
            Comparable<?> bound = (Comparable<?>) r.bound().toJava();
            return switch (r.op()) {
                case GT -> new IsGreaterThan(r.field(), bound);
                case GTE -> new IsGreaterThanOrEqualTo(r.field(), bound);
                case LT -> new IsLessThan(r.field(), bound);
                case LTE -> new IsLessThanOrEqualTo(r.field(), bound);
            };
        }

        @Override
        public dev.langchain4j.store.embedding.filter.Filter in(Filter.In in) {
            return new IsIn(in.field(), in.values().stream().map(ScalarValue::toJava).toList());
        }

        @Override
        public dev.langchain4j.store.embedding.filter.Filter nin(Filter.Nin nin) {
            return new IsNotIn(nin.field(), nin.values().stream().map(ScalarValue::toJava).toList());
        }

        @Override
        public dev.langchain4j.store.embedding.filter.Filter exists(Filter.Exists ex) {
            throw new UnsupportedFilterException("langchain4j", path.operator(ex.field(), "$exists").toString(),
                    "LangChain4j filters have no test for whether a key is present");
        }

        @Override
        public dev.langchain4j.store.embedding.filter.Filter and(Filter.And and) {
            return fold(and.filters(), path.key("$and"), true);
        }

        @Override
        public dev.langchain4j.store.embedding.filter.Filter or(Filter.Or or) {
            return fold(or.filters(), path.key("$or"), false);
        }

        @Override
        public dev.langchain4j.store.embedding.filter.Filter not(Filter.Not not) {
            return new Not(toLangChain4j(not.filter(), path.key("$not")));
        }
    }

    /** LangChain4j's And and Or are binary: n children nest to the left, which means the same. */
    private static dev.langchain4j.store.embedding.filter.Filter fold(List<Filter> children, FilterPath path,
                                                                       boolean and) {
        dev.langchain4j.store.embedding.filter.Filter result = toLangChain4j(children.get(0), path.index(0));
        for (int i = 1; i < children.size(); i++) {
            dev.langchain4j.store.embedding.filter.Filter next = toLangChain4j(children.get(i), path.index(i));
            result = and ? new And(result, next) : new Or(result, next);
        }
        return result;
    }
}
