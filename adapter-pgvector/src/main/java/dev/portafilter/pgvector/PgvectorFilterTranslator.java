package dev.portafilter.pgvector;

import dev.portafilter.core.filter.BackendProfile;
import dev.portafilter.core.filter.BackendProfile.Storage;
import dev.portafilter.core.filter.Filter;
import dev.portafilter.core.filter.FilterLowering;
import dev.portafilter.core.filter.LoweredFilter;
import dev.portafilter.core.metadata.NumberValue;
import dev.portafilter.core.metadata.ScalarValue;
import dev.portafilter.pgvector.PgvectorTableLayout.MetadataColumn;

import java.util.ArrayList;
import java.util.List;

/**
 * Prints a filter, lowered by core's {@link FilterLowering}, as a SQL condition over the layout's typed columns.
 *
 * <p>SQL's three-valued logic is why the lowering matters here: {@code NOT (region = 'US')} is NULL, not TRUE, for a
 * row without a region. The lowered filter has no negation, so no NOT ever wraps a NULL; a leaf that also matches
 * rows without the field says so, and is printed with its own {@code IS NULL OR} ({@code region IS DISTINCT FROM ?},
 * {@code (year IS NULL OR year <= ?)}). Other leaves stay plain comparisons, so the planner can use B-tree and GIN
 * indexes. Bounds arrive in the column's type already ({@code $gt 2022.5} on a bigint column is {@code > 2022}).
 *
 * <p>Values are always bound parameters; identifiers come only from the layout, quoted.
 */
public final class PgvectorFilterTranslator {
    static final String BACKEND = "pgvector";

    /** PostgreSQL: typed integer and float columns, {@code IS NULL} for a missing field; text cannot hold NUL. */
    public static final BackendProfile PROFILE = BackendProfile.builder(BACKEND).textRule(PgText::problem).build();

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
     * field not in the layout or a value of the wrong type, and {@link dev.portafilter.core.UnsupportedFilterException}
     * for a string PostgreSQL cannot hold; both before any SQL runs.
     */
    public SqlFragment translate(Filter filter) {
        LoweredFilter lowered = FilterLowering.lower(filter, layout.metadataSchema(), PROFILE);
        List<Object> params = new ArrayList<>();
        return new SqlFragment(lowered.accept(new Printer(params)), params);
    }

    private final class Printer implements LoweredFilter.Visitor<String> {
        private final List<Object> params;

        Printer(List<Object> params) {
            this.params = params;
        }

        @Override
        public String leaf(LoweredFilter.Leaf leaf) {
            MetadataColumn column = layout.column(leaf.field());
            String c = qualifier + column.sqlName();
            boolean list = leaf.storage() == Storage.STRING_LIST;
            boolean single = leaf.values().size() == 1;
            if (leaf.op() == LoweredFilter.Op.NONE_OF && !list && single && leaf.missingMatches()) {
                return c + " IS DISTINCT FROM " + bind(leaf);
            }
            String present = switch (leaf.op()) {
                case ANY_OF -> list ? anyElement(c, leaf) : single ? c + " = " + bind(leaf) : c + " = ANY(" + bindAll(leaf) + ")";
                case NONE_OF -> list ? "NOT (" + anyElement(c, leaf) + ")"
                        : single ? c + " <> " + bind(leaf) : c + " <> ALL(" + bindAll(leaf) + ")";
                case GT -> c + " > " + bind(leaf);
                case GTE -> c + " >= " + bind(leaf);
                case LT -> c + " < " + bind(leaf);
                case LTE -> c + " <= " + bind(leaf);
                case PRESENT -> c + " IS NOT NULL";
                case MISSING -> c + " IS NULL";
            };
            return leaf.missingMatches() && leaf.op() != LoweredFilter.Op.MISSING
                    ? "(" + c + " IS NULL OR " + present + ")" : present;
        }

        @Override
        public String allOf(LoweredFilter.AllOf allOf) {
            return junction(allOf.filters(), " AND ");
        }

        @Override
        public String anyOf(LoweredFilter.AnyOf anyOf) {
            return junction(anyOf.filters(), " OR ");
        }

        @Override
        public String constant(LoweredFilter.Constant constant) {
            return constant.matches() ? "TRUE" : "FALSE";
        }

        private String junction(List<LoweredFilter> members, String connective) {
            List<String> parts = new ArrayList<>(members.size());
            for (LoweredFilter m : members) {
                parts.add(m.accept(this));
            }
            return "(" + String.join(connective, parts) + ")";
        }

        /** Some element of a text[] column is one of the values. */
        private String anyElement(String c, LoweredFilter.Leaf leaf) {
            return leaf.values().size() == 1 ? c + " @> ARRAY[" + bind(leaf) + "]::text[]"
                    : c + " && " + bindAll(leaf) + "::text[]";
        }

        private String bind(LoweredFilter.Leaf leaf) {
            params.add(javaValue(leaf.storage(), leaf.value()));
            return "?";
        }

        private String bindAll(LoweredFilter.Leaf leaf) {
            List<Object> values = new ArrayList<>(leaf.values().size());
            leaf.values().forEach(v -> values.add(javaValue(leaf.storage(), v)));
            params.add(List.copyOf(values));
            return "?";
        }
    }

    /** A float column's bound as a double (the lowering made it one exactly), any other as its Java value. */
    private static Object javaValue(Storage storage, ScalarValue value) {
        return storage == Storage.FLOAT64 ? ((NumberValue) value).asDouble() : value.toJava();
    }
}
