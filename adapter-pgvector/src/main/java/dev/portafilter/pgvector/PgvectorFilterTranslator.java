package dev.portafilter.pgvector;

import dev.portafilter.core.UnsupportedFilterException;
import dev.portafilter.core.filter.Filter;
import dev.portafilter.core.filter.FilterVisitor;
import dev.portafilter.core.filter.FilterPath;
import dev.portafilter.core.metadata.BooleanValue;
import dev.portafilter.core.metadata.DoubleValue;
import dev.portafilter.core.metadata.LongValue;
import dev.portafilter.core.metadata.NumberValue;
import dev.portafilter.core.metadata.ScalarValue;
import dev.portafilter.core.metadata.StringValue;
import dev.portafilter.pgvector.PgvectorTableLayout.ColumnType;
import dev.portafilter.pgvector.PgvectorTableLayout.MetadataColumn;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Translates a portable filter into a SQL condition over the layout's typed columns, with exactly the meaning
 * of the reference evaluator.
 *
 * <p>SQL's three-valued logic is why this is not a one-liner: {@code NOT (region = 'US')} is NULL, not TRUE, for a
 * row without a region. So negations are pushed down to the leaves (De Morgan), and every negated leaf says
 * what happens to NULL itself: {@code region IS DISTINCT FROM ?}, {@code (year IS NULL OR year <= ?)}. Positive
 * leaves stay plain comparisons so the planner can use B-tree and GIN indexes; their NULL means "no match",
 * which is right because no NOT is ever applied over them.
 *
 * <p>Values are always bound parameters. Numbers are converted to the column's type exactly (a double bound on
 * an integer column becomes the equivalent integer bound), so {@code 2 == 2.0} and no rounding leaks in.
 */
public final class PgvectorFilterTranslator {
    static final String BACKEND = "pgvector";

    private final PgvectorTableLayout layout;
    /** Prefix of column references, e.g. {@code existing.} where a statement names two rows; empty otherwise. */
    private final String qualifier;

    public PgvectorFilterTranslator(PgvectorTableLayout layout) {
        this(layout, null);
    }

    /** Column references qualified with a table alias, for statements where a bare column would be ambiguous. */
    PgvectorFilterTranslator(PgvectorTableLayout layout, String tableAlias) {
        this.layout = layout;
        this.qualifier = tableAlias == null ? "" : PgvectorTableLayout.quote(tableAlias) + ".";
    }

    /** The SQL condition and parameters for a filter against a layout, e.g. for an {@code explain} command. */
    public static SqlFragment toSql(PgvectorTableLayout layout, Filter filter) {
        return new PgvectorFilterTranslator(layout).translate(filter);
    }

    /**
     * The condition for a {@code WHERE} clause. Throws {@link dev.portafilter.core.InvalidFilterException} for a
     * field not in the layout or a value of the wrong type, and {@link UnsupportedFilterException} for a string
     * PostgreSQL cannot hold; both before any SQL runs.
     */
    public SqlFragment translate(Filter filter) {
        layout.metadataSchema().validate(filter);
        List<Object> params = new ArrayList<>();
        String sql = filter.accept(new Translation(FilterPath.ROOT, false, params));
        return new SqlFragment(sql, params);
    }

    /** One node's translation; {@code negated} says whether an odd number of negations sits above it. */
    private final class Translation implements FilterVisitor<String> {
        private final FilterPath path;
        private final boolean negated;
        private final List<Object> params;

        Translation(FilterPath path, boolean negated, List<Object> params) {
            this.path = path;
            this.negated = negated;
            this.params = params;
        }

        @Override
        public String eq(Filter.Eq eq) {
            return equality(eq.field(), eq.value(), "$eq", negated);
        }

        @Override
        public String ne(Filter.Ne ne) {
            return equality(ne.field(), ne.value(), "$ne", !negated);
        }

        @Override
        public String in(Filter.In in) {
            return membership(in.field(), in.values(), "$in", negated);
        }

        @Override
        public String nin(Filter.Nin nin) {
            return membership(nin.field(), nin.values(), "$nin", !negated);
        }

        @Override
        public String range(Filter.Range range) {
            MetadataColumn column = layout.column(range.field());
            String c = qualifier + column.sqlName();
            Comparison cmp = column.type() == ColumnType.DOUBLE_PRECISION
                    ? doubleComparison(range.op(), range.bound())
                    : integerComparison(range.op(), range.bound());
            if (cmp == Comparison.NONE) {
                return constant(negated);
            }
            if (cmp == Comparison.EVERY_PRESENT) {
                return negated ? c + " IS NULL" : c + " IS NOT NULL";
            }
            params.add(cmp.value);
            return negated ? "(" + c + " IS NULL OR " + c + " " + complement(cmp.op) + " ?)" : c + " " + cmp.op + " ?";
        }

        @Override
        public String exists(Filter.Exists exists) {
            String c = qualifier + layout.column(exists.field()).sqlName();
            return exists.exists() != negated ? c + " IS NOT NULL" : c + " IS NULL";
        }

        @Override
        public String and(Filter.And and) {
            return junction("$and", and.filters(), negated ? " OR " : " AND ");
        }

        @Override
        public String or(Filter.Or or) {
            return junction("$or", or.filters(), negated ? " AND " : " OR ");
        }

        @Override
        public String not(Filter.Not not) {
            return not.filter().accept(new Translation(path.key("$not"), !negated, params));
        }

        private String junction(String op, List<Filter> children, String connective) {
            FilterPath base = path.key(op);
            List<String> parts = new ArrayList<>(children.size());
            for (int i = 0; i < children.size(); i++) {
                parts.add(children.get(i).accept(new Translation(base.index(i), negated, params)));
            }
            return parts.size() == 1 ? parts.get(0) : "(" + String.join(connective, parts) + ")";
        }

        /** {@code field = value}, or its exact complement when {@code complement}. */
        private String equality(String field, ScalarValue value, String op, boolean complement) {
            MetadataColumn column = layout.column(field);
            String c = qualifier + column.sqlName();
            FilterPath valuePath = path.operator(field, op);
            if (column.type() == ColumnType.TEXT_ARRAY) {
                params.add(text(value, valuePath));
                String anyElement = c + " @> ARRAY[?]::text[]";
                return complement ? "(" + c + " IS NULL OR NOT (" + anyElement + "))" : anyElement;
            }
            Optional<Object> bound = columnValue(column, value, valuePath);
            if (bound.isEmpty()) {
                return constant(complement);
            }
            params.add(bound.get());
            return complement ? c + " IS DISTINCT FROM ?" : c + " = ?";
        }

        /** {@code field IN values}, or its exact complement when {@code complement}. */
        private String membership(String field, List<ScalarValue> values, String op, boolean complement) {
            MetadataColumn column = layout.column(field);
            String c = qualifier + column.sqlName();
            FilterPath valuePath = path.operator(field, op);
            List<Object> bound = new ArrayList<>(values.size());
            for (ScalarValue v : values) {
                if (column.type() == ColumnType.TEXT_ARRAY) {
                    bound.add(text(v, valuePath));
                } else {
                    columnValue(column, v, valuePath).ifPresent(bound::add);
                }
            }
            if (bound.isEmpty()) {
                return constant(complement);
            }
            params.add(List.copyOf(bound));
            if (column.type() == ColumnType.TEXT_ARRAY) {
                String overlaps = c + " && ?::text[]";
                return complement ? "(" + c + " IS NULL OR NOT (" + overlaps + "))" : overlaps;
            }
            return complement ? "(" + c + " IS NULL OR " + c + " <> ALL(?))" : c + " = ANY(?)";
        }

        /** A condition that holds for every row (also rows missing the field) or for none. */
        private String constant(boolean holds) {
            return holds ? "TRUE" : "FALSE";
        }
    }

    /**
     * The value as the column's Java type, or empty when no value the column can hold equals it (2.5 in an
     * integer column, 2^53 + 1 in a double column).
     */
    private static Optional<Object> columnValue(MetadataColumn column, ScalarValue value, FilterPath path) {
        return switch (column.type()) {
            case TEXT -> Optional.of(text(value, path));
            case BOOLEAN -> Optional.of(((BooleanValue) value).value());
            case BIGINT, INTEGER -> exactLong((NumberValue) value).map(Object.class::cast);
            case DOUBLE_PRECISION -> exactDouble((NumberValue) value).map(Object.class::cast);
            case TEXT_ARRAY -> throw new IllegalStateException("list columns are compared element-wise");
        };
    }

    private static String text(ScalarValue value, FilterPath path) {
        String s = ((StringValue) value).value();
        String problem = PgText.problem(s);
        if (problem != null) {
            throw new UnsupportedFilterException(BACKEND, path, problem + ", so no stored value can be compared with it");
        }
        return s;
    }

    private static Optional<Long> exactLong(NumberValue n) {
        if (n instanceof LongValue l) {
            return Optional.of(l.value());
        }
        try {
            return Optional.of(new BigDecimal(((DoubleValue) n).value()).longValueExact());
        } catch (ArithmeticException notAnInteger) {
            return Optional.empty();
        }
    }

    private static Optional<Double> exactDouble(NumberValue n) {
        if (n instanceof DoubleValue d) {
            return Optional.of(d.value());
        }
        long l = ((LongValue) n).value();
        double d = l;
        return new BigDecimal(d).compareTo(BigDecimal.valueOf(l)) == 0 ? Optional.of(d) : Optional.empty();
    }

    /** {@code column op value}, or one of the two bounds that need no value: no row, every row with the field. */
    private record Comparison(String op, Object value) {
        static final Comparison NONE = new Comparison("none", null);
        static final Comparison EVERY_PRESENT = new Comparison("present", null);
    }

    /** An integer column against any bound: a fractional bound becomes the equivalent integer bound. */
    private static Comparison integerComparison(Filter.RangeOp op, NumberValue bound) {
        String sqlOp = sqlOperator(op);
        if (bound instanceof LongValue l) {
            return new Comparison(sqlOp, l.value());
        }
        BigDecimal d = new BigDecimal(((DoubleValue) bound).value());
        // x > d <=> x > floor(d); x >= d <=> x >= ceil(d); x < d <=> x < ceil(d); x <= d <=> x <= floor(d)
        RoundingMode mode = op == Filter.RangeOp.GT || op == Filter.RangeOp.LTE ? RoundingMode.FLOOR : RoundingMode.CEILING;
        BigInteger k = d.setScale(0, mode).toBigIntegerExact();
        boolean lowerBound = op == Filter.RangeOp.GT || op == Filter.RangeOp.GTE;
        if (k.compareTo(BigInteger.valueOf(Long.MAX_VALUE)) > 0) {
            return lowerBound ? Comparison.NONE : Comparison.EVERY_PRESENT;
        }
        if (k.compareTo(BigInteger.valueOf(Long.MIN_VALUE)) < 0) {
            return lowerBound ? Comparison.EVERY_PRESENT : Comparison.NONE;
        }
        return new Comparison(sqlOp, k.longValueExact());
    }

    /** A double column against any bound: a long no double can hold becomes the nearest double on the right side. */
    private static Comparison doubleComparison(Filter.RangeOp op, NumberValue bound) {
        Optional<Double> exact = exactDouble(bound);
        if (exact.isPresent()) {
            return new Comparison(sqlOperator(op), exact.get());
        }
        long l = ((LongValue) bound).value();
        double rounded = l;
        boolean roundedUp = new BigDecimal(rounded).compareTo(BigDecimal.valueOf(l)) > 0;
        double above = roundedUp ? rounded : Math.nextUp(rounded);
        double below = roundedUp ? Math.nextDown(rounded) : rounded;
        // no stored double equals l, so > and >= (and < and <=) select the same rows
        return switch (op) {
            case GT, GTE -> new Comparison(">=", above);
            case LT, LTE -> new Comparison("<=", below);
        };
    }

    private static String sqlOperator(Filter.RangeOp op) {
        return switch (op) {
            case GT -> ">";
            case GTE -> ">=";
            case LT -> "<";
            case LTE -> "<=";
        };
    }

    private static String complement(String sqlOp) {
        return switch (sqlOp) {
            case ">" -> "<=";
            case ">=" -> "<";
            case "<" -> ">=";
            case "<=" -> ">";
            default -> throw new IllegalArgumentException(sqlOp);
        };
    }
}
