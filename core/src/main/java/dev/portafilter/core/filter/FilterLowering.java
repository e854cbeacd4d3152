package dev.portafilter.core.filter;

import dev.portafilter.core.InvalidFilterException;
import dev.portafilter.core.internal.FilterPath;
import dev.portafilter.core.UnsupportedFilterException;
import dev.portafilter.core.filter.BackendProfile.Storage;
import dev.portafilter.core.filter.LoweredFilter.AllOf;
import dev.portafilter.core.filter.LoweredFilter.AnyOf;
import dev.portafilter.core.filter.LoweredFilter.Constant;
import dev.portafilter.core.filter.LoweredFilter.Leaf;
import dev.portafilter.core.filter.LoweredFilter.Op;
import dev.portafilter.core.metadata.BooleanValue;
import dev.portafilter.core.metadata.DoubleValue;
import dev.portafilter.core.metadata.FieldSpec;
import dev.portafilter.core.metadata.LongValue;
import dev.portafilter.core.metadata.MetadataSchema;
import dev.portafilter.core.metadata.NumberValue;
import dev.portafilter.core.metadata.ScalarValue;
import dev.portafilter.core.metadata.StringValue;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The one place where the semantics of {@code docs/semantics.md} are worked out for a backend, in the spirit of
 * Lucene's {@code Query.rewrite}: a schema-valid filter becomes a {@link LoweredFilter} with
 * <ul>
 *   <li>no negation: {@code $not} is pushed to the leaves (De Morgan), {@code $ne}/{@code $nin} become
 *   {@link Op#NONE_OF}, a negated range its complement ({@code $not $gt 5} is {@code $lte 5});</li>
 *   <li>missing fields decided: every leaf says whether a record without the field matches (negated leaves do,
 *   unless the schema requires the field, which a record then always has);</li>
 *   <li>exact numbers: each bound in the field's storage type without rounding ({@code $gt 2022.5} on an integer
 *   field is {@code $gt 2022}, {@code $eq 2.5} there matches nothing, a long no double holds becomes the nearest
 *   double on the matching side);</li>
 *   <li>the backend's limits checked: {@code $in} size, exact integers, strings it cannot hold, what its language
 *   cannot state — each an {@link UnsupportedFilterException} naming the JSON path, before any request.</li>
 * </ul>
 * {@code FilterLoweringPropertyTest} proves {@code lower(f).test(r) == f.test(r)} for random filters and records
 * under every backend's profile.
 */
public final class FilterLowering {
    private static final BigDecimal LONG_MIN = BigDecimal.valueOf(Long.MIN_VALUE);
    private static final BigDecimal LONG_MAX = BigDecimal.valueOf(Long.MAX_VALUE);

    private final MetadataSchema schema;
    private final BackendProfile profile;

    /*
     * The walk's position, kept in place rather than in an object per node (lowering runs on every query): whether an
     * odd number of $not encloses the node, the steps from the root ($and[i], $or[i], $not with index -1), and the
     * leaf being lowered. A JSON path is built from them only for an error.
     */
    private boolean negated;
    private String[] steps = new String[8];
    private int[] indices = new int[8];
    private int depth;
    private String leafField;
    private String leafOperator;

    private FilterLowering(MetadataSchema schema, BackendProfile profile) {
        this.schema = schema;
        this.profile = profile;
    }

    /**
     * The filter lowered for a backend. Throws {@link dev.portafilter.core.InvalidFilterException} when the schema
     * rejects the filter and {@link UnsupportedFilterException} when the backend cannot express it.
     */
    public static LoweredFilter lower(Filter filter, MetadataSchema schema, BackendProfile profile) {
        return filter.accept(new FilterLowering(schema, profile).new Walk());
    }

    /**
     * The walk over the source tree. It checks each leaf against the schema ({@link MetadataSchema#validate} is this
     * pass under {@link BackendProfile#REFERENCE}) as it lowers it.
     */
    private final class Walk implements FilterVisitor<LoweredFilter> {
        @Override
        public LoweredFilter eq(Filter.Eq eq) {
            at(eq.field(), "$eq");
            return membership(eq.field(), List.of(eq.value()), false, negated);
        }

        @Override
        public LoweredFilter ne(Filter.Ne ne) {
            at(ne.field(), "$ne");
            return membership(ne.field(), List.of(ne.value()), false, !negated);
        }

        @Override
        public LoweredFilter in(Filter.In in) {
            at(in.field(), "$in");
            return membership(in.field(), in.values(), true, negated);
        }

        @Override
        public LoweredFilter nin(Filter.Nin nin) {
            at(nin.field(), "$nin");
            return membership(nin.field(), nin.values(), true, !negated);
        }

        @Override
        public LoweredFilter range(Filter.Range range) {
            at(range.field(), range.op().operator());
            Target field = target(range.field(), range.bound(), true);
            Filter.RangeOp op = negated ? range.op().complement() : range.op();
            return FilterLowering.this.range(field, op, range.bound(), negated);
        }

        @Override
        public LoweredFilter exists(Filter.Exists exists) {
            at(exists.field(), "$exists");
            return presence(target(exists.field(), null, false), exists.exists() != negated);
        }

        @Override
        public LoweredFilter and(Filter.And and) {
            List<LoweredFilter> children = children("$and", and.filters());
            return negated ? anyOf(children) : allOf(children);
        }

        @Override
        public LoweredFilter or(Filter.Or or) {
            List<LoweredFilter> children = children("$or", or.filters());
            return negated ? allOf(children) : anyOf(children);
        }

        @Override
        public LoweredFilter not(Filter.Not not) {
            enter("$not", -1);
            negated = !negated;
            LoweredFilter inner = not.filter().accept(this);
            negated = !negated;
            depth--;
            return inner;
        }

        private List<LoweredFilter> children(String op, List<Filter> filters) {
            List<LoweredFilter> out = new ArrayList<>(filters.size());
            for (int i = 0; i < filters.size(); i++) {
                enter(op, i);
                out.add(filters.get(i).accept(this));
                depth--;
            }
            return out;
        }

        private void enter(String step, int index) {
            if (depth == steps.length) {
                steps = Arrays.copyOf(steps, depth * 2);
                indices = Arrays.copyOf(indices, depth * 2);
            }
            steps[depth] = step;
            indices[depth] = index;
            depth++;
        }

        private void at(String field, String operator) {
            leafField = field;
            leafOperator = operator;
        }
    }

    /** The JSON path of the leaf being lowered, or of its {@code index}-th value (-1: the operator itself). */
    private String path(int index) {
        FilterPath path = FilterPath.ROOT;
        for (int i = 0; i < depth; i++) {
            path = path.key(steps[i]);
            if (indices[i] >= 0) {
                path = path.index(indices[i]);
            }
        }
        path = path.operator(leafField, leafOperator);
        return (index < 0 ? path : path.index(index)).toString();
    }

    /**
     * The field a leaf tests, after the schema's checks: the field is declared (or the schema accepts undeclared
     * fields), a range ({@code range}) on a declared field is on a number, and {@code value} (null for
     * {@code $exists}) is of a declared field's kind. One value speaks for all of an {@code $in}: {@link Filter.In}
     * holds values of one kind.
     */
    private Target target(String name, ScalarValue value, boolean range) {
        FieldSpec spec = schema.field(name).orElse(null);
        if (spec == null) {
            if (schema.allowsUndeclared()) {
                return new Target(name, Storage.DOCUMENT, false, "undeclared");
            }
            throw new InvalidFilterException(path(-1), "unknown field '" + name + "': not declared in the schema");
        }
        if (range && !spec.type().isNumeric()) {
            throw new InvalidFilterException(path(-1), leafOperator + " needs a numeric field, but '" + name
                    + "' is " + spec.type());
        }
        String problem = value == null ? null : spec.kindProblem(value);
        if (problem != null) {
            throw new InvalidFilterException(path(-1), problem);
        }
        return new Target(name, profile.storage(spec.type()), spec.required(), spec.type().toString());
    }

    /**
     * A field as the lowering needs it: its name, its storage, whether every record has it, and what it is for
     * messages (its declared type, or "undeclared").
     */
    private record Target(String name, Storage storage, boolean required, String kind) {
    }

    /** {@code field} equals one of {@code values} ({@code none}: equals none of them, or is missing). */
    private LoweredFilter membership(String name, List<ScalarValue> values, boolean listForm, boolean none) {
        Target field = target(name, values.get(0), false);
        Storage storage = field.storage();
        if (values.size() > profile.maxInValues()) {
            throw unsupported(path(-1), "it accepts at most " + profile.maxInValues() + " values in one $in or "
                    + "$nin, this one has " + values.size());
        }
        // an undeclared field may hold a list of strings in any record
        boolean undeclaredString = storage == Storage.DOCUMENT && values.get(0) instanceof StringValue;
        boolean mayBeList = storage == Storage.STRING_LIST || undeclaredString;
        if (none && mayBeList && !profile.negatesListMembership()) {
            throw unsupported(path(-1), "'" + name + "' " + (storage == Storage.DOCUMENT ? "is undeclared and may "
                    + "hold a list" : "is a list") + ", and it cannot express that no element "
                    + (values.size() == 1 ? "equals " + values.get(0) : "is one of " + values));
        }
        if (undeclaredString && !profile.comparesUndeclaredStrings()) {
            throw unsupported(path(-1), "'" + name + "' is undeclared, so a record may hold a string or a list of "
                    + "strings in it, and there is no one test for \"equals " + values.get(0) + " or is a list holding "
                    + "it\"; declare '" + name + "' as STRING or STRING_LIST");
        }
        // in the source's order, duplicates kept, so that a codec can write back exactly what it read; the source's
        // list itself when every value is already in stored form (the usual case)
        List<ScalarValue> stored = values;
        int size = values.size();
        for (int i = 0; i < size; i++) {
            ScalarValue value = values.get(i);
            ScalarValue v = storedForm(storage, value, size == 1 ? -1 : i);
            if (v != value && stored == values) {
                stored = new ArrayList<>(values.subList(0, i));
            }
            if (stored != values && v != null) {
                stored.add(v);
            }
        }
        boolean missingMatches = none && !field.required();
        if (stored.isEmpty()) {
            // no stored value can equal any of them: every present value is "none of them"
            return presentOrMissing(field, none, missingMatches);
        }
        return new Leaf(name, storage, none ? Op.NONE_OF : Op.ANY_OF, stored, listForm, missingMatches);
    }

    /** A range on the present values; {@code complemented}: a record without the field matches too. */
    private LoweredFilter range(Target field, Filter.RangeOp op, NumberValue bound, boolean complemented) {
        boolean missingMatches = complemented && !field.required();
        if (missingMatches && !profile.testsPresence()) {
            throw unsupported(path(-1), "$not around " + op.complement().operator() + " also matches records "
                    + "without '" + field.name() + "', and it cannot express a missing attribute");
        }
        Storage storage = field.storage();
        if (storage == Storage.DOCUMENT) {
            return documentRange(field.name(), op, bound, complemented);
        }
        Bound b = storage == Storage.INT64 ? integerBound(op, bound) : doubleBound(op, bound);
        if (b.everyValue() != null) {
            return presentOrMissing(field, b.everyValue(), missingMatches);
        }
        return new Leaf(field.name(), storage, Op.of(b.op()), List.of(b.value()), false, missingMatches);
    }

    /**
     * A range on an undeclared field, whose values may be of any kind: the bound as written, compared with numbers
     * only. Its complement also matches a record without the field and one whose value is not a number.
     */
    private LoweredFilter documentRange(String name, Filter.RangeOp op, NumberValue bound, boolean complemented) {
        NumberValue b = (NumberValue) storedForm(Storage.DOCUMENT, bound, -1);
        Leaf numbers = new Leaf(name, Storage.DOCUMENT, Op.of(op), List.of(b), false, complemented);
        if (!complemented) {
            return numbers;
        }
        if (!profile.testsNumberType()) {
            throw unsupported(path(-1), "$not around " + op.complement().operator() + " also matches records whose "
                    + "'" + name + "' is not a number, and it cannot test whether an undeclared field holds one");
        }
        return anyOf(List.of(numbers, new Leaf(name, Storage.DOCUMENT, Op.NOT_NUMBER, List.of(), false, false)));
    }

    /** {@code $exists}: whether the field is present. */
    private LoweredFilter presence(Target field, boolean present) {
        Storage storage = field.storage();
        if (profile.testsPresence()) {
            return new Leaf(field.name(), storage, present ? Op.PRESENT : Op.MISSING, List.of(), false, !present);
        }
        // no presence test, but a finite domain or a total order gives an exact one
        if (storage == Storage.BOOLEAN) {
            return new Leaf(field.name(), storage, present ? Op.ANY_OF : Op.NONE_OF,
                    List.of(BooleanValue.of(true), BooleanValue.of(false)), true, !present);
        }
        if ((storage == Storage.INT64 || storage == Storage.FLOAT64) && present) {
            return anyOf(List.of(new Leaf(field.name(), storage, Op.GTE, List.of(new LongValue(0)), false, false),
                    new Leaf(field.name(), storage, Op.LT, List.of(new LongValue(0)), false, false)));
        }
        throw unsupported(path(-1), "it cannot test whether the " + field.kind() + " field '" + field.name()
                + "' is " + (present ? "present" : "missing"));
    }

    /** Every present value matches ({@code every}) or none does; a record without the field per {@code missingMatches}. */
    private LoweredFilter presentOrMissing(Target field, boolean every, boolean missingMatches) {
        if (every == missingMatches) {
            return every ? Constant.ALL : Constant.NONE;
        }
        return presence(field, every);
    }

    /** The value as the field stores it, or null when no stored value can equal it; {@code index} -1 for a single value. */
    private ScalarValue storedForm(Storage storage, ScalarValue value, int index) {
        return switch (storage) {
            case STRING, STRING_LIST -> checkText((StringValue) value, index);
            case BOOLEAN -> value;
            case INT64 -> exactLong((NumberValue) value);
            case FLOAT64 -> exactDouble((NumberValue) value, index);
            // each record's value keeps its own kind: the value as written, if the backend holds it exactly
            case DOCUMENT -> value instanceof StringValue s ? checkText(s, index)
                    : value instanceof LongValue l ? checkUndeclaredInteger(l, index) : value;
        };
    }

    /** The integer, if the backend holds it exactly in an undeclared field. */
    private LongValue checkUndeclaredInteger(LongValue value, int index) {
        String problem = profile.undeclaredIntegerProblem(value.value());
        if (problem != null) {
            throw unsupported(path(index), problem);
        }
        return value;
    }

    /** The integer, if the backend holds it exactly (a 64-bit float backend: within ±(2^53 − 1)). */
    private LongValue checkInteger(LongValue value, int index) {
        String problem = profile.integerProblem(value.value());
        if (problem != null) {
            throw unsupported(path(index), problem);
        }
        return value;
    }

    private StringValue checkText(StringValue value, int index) {
        String problem = profile.textProblem(value.value());
        if (problem != null) {
            throw unsupported(path(index), problem + ", so no stored value can be compared with it");
        }
        return value;
    }

    /** The long equal to the number, or null: 2023.0 is 2023, 2023.5 and 1e19 have none. */
    private static LongValue exactLong(NumberValue value) {
        if (value instanceof LongValue l) {
            return l;
        }
        BigDecimal exact = new BigDecimal(((DoubleValue) value).value());
        boolean integral = exact.signum() == 0 || exact.stripTrailingZeros().scale() <= 0;
        return integral && exact.compareTo(LONG_MIN) >= 0 && exact.compareTo(LONG_MAX) <= 0
                ? new LongValue(exact.longValueExact()) : null;
    }

    /**
     * The number as a 64-bit float holds it: a double as it is, a long when a double holds it exactly, null for a
     * long no double holds. Where every integer is a float, one beyond ±(2^53 − 1) is refused: stored integers
     * there are within that range, so it could only be compared inexactly.
     */
    private NumberValue exactDouble(NumberValue value, int index) {
        if (value instanceof DoubleValue) {
            return value;
        }
        long l = checkInteger((LongValue) value, index).value();
        return isDouble(l) ? value : null;
    }

    /** Whether a 64-bit float holds the long exactly (2^63, which Long.MAX_VALUE rounds to, is no long). */
    private static boolean isDouble(long l) {
        double d = l;
        return d != 0x1p63 && (long) d == l;
    }

    /** A range bound in storage form: an operator and a value, or "every present value" / "none" (everyValue). */
    private record Bound(Filter.RangeOp op, NumberValue value, Boolean everyValue) {
        static Bound of(Filter.RangeOp op, NumberValue value) {
            return new Bound(op, value, null);
        }

        static Bound all(boolean every) {
            return new Bound(null, null, every);
        }
    }

    /** An integer field against any bound: a fractional bound becomes the equivalent integer bound. */
    private static Bound integerBound(Filter.RangeOp op, NumberValue bound) {
        if (bound instanceof LongValue l) {
            return Bound.of(op, l);
        }
        BigDecimal d = new BigDecimal(((DoubleValue) bound).value());
        // x > d <=> x > floor(d); x >= d <=> x >= ceil(d); x < d <=> x < ceil(d); x <= d <=> x <= floor(d)
        RoundingMode mode = op == Filter.RangeOp.GT || op == Filter.RangeOp.LTE ? RoundingMode.FLOOR : RoundingMode.CEILING;
        BigInteger k = d.setScale(0, mode).toBigIntegerExact();
        boolean lowerBound = op == Filter.RangeOp.GT || op == Filter.RangeOp.GTE;
        if (k.compareTo(BigInteger.valueOf(Long.MAX_VALUE)) > 0) {
            return Bound.all(!lowerBound);
        }
        if (k.compareTo(BigInteger.valueOf(Long.MIN_VALUE)) < 0) {
            return Bound.all(lowerBound);
        }
        return Bound.of(op, new LongValue(k.longValueExact()));
    }

    /** A float field against any bound: a long no double holds becomes the nearest double on the matching side. */
    private Bound doubleBound(Filter.RangeOp op, NumberValue bound) {
        NumberValue exact = exactDouble(bound, -1);
        if (exact != null) {
            return Bound.of(op, exact);
        }
        long l = ((LongValue) bound).value();
        double rounded = l;
        boolean roundedUp = new BigDecimal(rounded).compareTo(BigDecimal.valueOf(l)) > 0;
        // no stored double equals l, so > and >= (and < and <=) select the same values
        return switch (op) {
            case GT, GTE -> Bound.of(Filter.RangeOp.GTE, new DoubleValue(roundedUp ? rounded : Math.nextUp(rounded)));
            case LT, LTE -> Bound.of(Filter.RangeOp.LTE, new DoubleValue(roundedUp ? Math.nextDown(rounded) : rounded));
        };
    }

    /** All of them, with constants folded: one member stands alone, none is every record. */
    private static LoweredFilter allOf(List<LoweredFilter> children) {
        return junction(children, true);
    }

    /** Any of them, with constants folded: one member stands alone, none is no record. */
    private static LoweredFilter anyOf(List<LoweredFilter> children) {
        return junction(children, false);
    }

    private static LoweredFilter junction(List<LoweredFilter> children, boolean all) {
        List<LoweredFilter> kept = children;
        for (int i = 0; i < children.size(); i++) {
            if (children.get(i) instanceof Constant c) {
                if (c.matches() != all) {
                    return c;   // FALSE in an AND, TRUE in an OR decides it
                }
                if (kept == children) {
                    kept = new ArrayList<>(children.subList(0, i));
                }
            } else if (kept != children) {
                kept.add(children.get(i));
            }
        }
        if (kept.isEmpty()) {
            return all ? Constant.ALL : Constant.NONE;
        }
        if (kept.size() == 1) {
            return kept.get(0);
        }
        return all ? new AllOf(kept) : new AnyOf(kept);
    }

    private UnsupportedFilterException unsupported(String at, String reason) {
        return new UnsupportedFilterException(profile.backend(), at, reason);
    }
}
