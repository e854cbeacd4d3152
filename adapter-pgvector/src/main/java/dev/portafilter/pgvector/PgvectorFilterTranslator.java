package dev.portafilter.pgvector;

import dev.portafilter.core.filter.BackendProfile;
import dev.portafilter.core.filter.BackendProfile.Storage;
import dev.portafilter.core.filter.Filter;
import dev.portafilter.core.filter.FilterLowering;
import dev.portafilter.core.filter.LoweredFilter;
import dev.portafilter.core.metadata.NumberValue;
import dev.portafilter.core.metadata.ScalarValue;

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
 * <p>An undeclared field is read from the layout's {@code jsonb} document with its key as a parameter too: equality as
 * an SQL/JSON path match ({@code doc @? '$."k" ? (@ == "v")'}, which also finds v in a list), served by the GIN
 * index; ranges only where the value is a JSON number.
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
        Printer printer = new Printer();
        lowered.accept(printer);
        return new SqlFragment(printer.sql.toString(), printer.params);
    }

    /** Appends the condition to one buffer: the whole filter is one string and one parameter list. */
    private final class Printer implements LoweredFilter.Visitor<Void> {
        private final StringBuilder sql = new StringBuilder(128);
        private final List<Object> params = new ArrayList<>();

        @Override
        public Void leaf(LoweredFilter.Leaf leaf) {
            if (leaf.storage() == Storage.DOCUMENT || !layout.hasColumn(leaf.field())) {
                return documentLeaf(leaf);
            }
            String c = qualifier + layout.column(leaf.field()).sqlName();
            boolean list = leaf.storage() == Storage.STRING_LIST;
            boolean single = leaf.values().size() == 1;
            LoweredFilter.Op op = leaf.op();
            if (op == LoweredFilter.Op.NONE_OF && !list && single && leaf.missingMatches()) {
                sql.append(c).append(" IS DISTINCT FROM ?");
                bind(leaf);
                return null;
            }
            boolean orMissing = leaf.missingMatches() && op != LoweredFilter.Op.MISSING;
            if (orMissing) {
                sql.append('(').append(c).append(" IS NULL OR ");
            }
            switch (op) {
                case ANY_OF -> {
                    if (list) {
                        anyElement(c, leaf);
                    } else {
                        compare(c, single ? " = ?" : " = ANY(?)", leaf);
                    }
                }
                case NONE_OF -> {
                    if (list) {
                        sql.append("NOT (");
                        anyElement(c, leaf);
                        sql.append(')');
                    } else {
                        compare(c, single ? " <> ?" : " <> ALL(?)", leaf);
                    }
                }
                case GT, GTE, LT, LTE -> compare(c, " " + comparison(op) + " ?", leaf);
                case PRESENT -> sql.append(c).append(" IS NOT NULL");
                case MISSING -> sql.append(c).append(" IS NULL");
                case NOT_NUMBER -> throw new IllegalStateException("only undeclared fields lower to NOT_NUMBER");
            }
            if (orMissing) {
                sql.append(')');
            }
            return null;
        }

        /**
         * A leaf on a field without a column (undeclared, or declared in a table that keeps all metadata in one JSON
         * column), over the document with the key and values as parameters. Equality is a path match ({@code @?},
         * served by a GIN index), presence is {@code ?} (both written with {@code ??} for JDBC) on a value that is not
         * JSON {@code null}; a range reads the value as {@code numeric} only where it is a JSON number. Tables other
         * tools created may hold NULL documents, so a negation is {@code NOT COALESCE(..., false)}.
         */
        private Void documentLeaf(LoweredFilter.Leaf leaf) {
            String d = layout.documentSql(qualifier);
            String key = leaf.field();
            if (layout.numbersAsText() && (leaf.storage() == Storage.INT64 || leaf.storage() == Storage.FLOAT64)) {
                return numberAsTextLeaf(d, leaf);
            }
            switch (leaf.op()) {
                case ANY_OF -> containsAny(d, leaf);
                case NONE_OF -> {
                    sql.append("NOT COALESCE(");
                    containsAny(d, leaf);
                    sql.append(", false)");
                }
                case GT, GTE, LT, LTE -> {
                    if (leaf.missingMatches()) {
                        sql.append('(');
                        missing(d, key);
                        sql.append(" OR ");
                    }
                    sql.append("CASE WHEN jsonb_typeof(").append(d).append(" -> ?) = 'number' THEN (").append(d)
                            .append(" -> ?)::numeric ").append(comparison(leaf.op())).append(" ? END");
                    params.add(key);
                    params.add(key);
                    params.add(DocumentJson.decimal((NumberValue) leaf.value()));
                    if (leaf.missingMatches()) {
                        sql.append(')');
                    }
                }
                case PRESENT -> present(d, key);
                case MISSING -> missing(d, key);
                case NOT_NUMBER -> {
                    sql.append("jsonb_typeof(").append(d).append(" -> ?) NOT IN ('number', 'null')");
                    params.add(key);
                }
            }
            return null;
        }

        /**
         * A declared number in a document that holds numbers as text ({@code "2023"}): compared as {@code numeric},
         * read from a JSON number or from a string of a JSON number's form; anything else compares as NULL (false).
         */
        private Void numberAsTextLeaf(String d, LoweredFilter.Leaf leaf) {
            String key = leaf.field();
            boolean orMissing = leaf.missingMatches() && leaf.op() != LoweredFilter.Op.MISSING
                    && leaf.op() != LoweredFilter.Op.NONE_OF;
            if (orMissing) {
                sql.append('(');
                missing(d, key);
                sql.append(" OR ");
            }
            switch (leaf.op()) {
                case ANY_OF, NONE_OF -> {
                    sql.append(leaf.op() == LoweredFilter.Op.NONE_OF ? "NOT COALESCE(" : "(");
                    numeric(d, key);
                    sql.append(" = ANY(?)").append(leaf.op() == LoweredFilter.Op.NONE_OF ? ", false)" : ")");
                    params.add(leaf.values().stream().map(v -> DocumentJson.decimal((NumberValue) v)).toList());
                }
                case GT, GTE, LT, LTE -> {
                    numeric(d, key);
                    sql.append(' ').append(comparison(leaf.op())).append(" ?");
                    params.add(DocumentJson.decimal((NumberValue) leaf.value()));
                }
                case PRESENT -> present(d, key);
                case MISSING -> missing(d, key);
                case NOT_NUMBER -> throw new IllegalStateException("only undeclared fields lower to NOT_NUMBER");
            }
            if (orMissing) {
                sql.append(')');
            }
            return null;
        }

        /** The key's value as {@code numeric}: a JSON number, or a string holding one; else NULL. */
        private void numeric(String d, String key) {
            sql.append("(CASE jsonb_typeof(").append(d).append(" -> ?) WHEN 'number' THEN (").append(d)
                    .append(" -> ?)::numeric WHEN 'string' THEN CASE WHEN (").append(d)
                    .append(" ->> ?) ~ '^-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][-+]?[0-9]+)?$' THEN (").append(d)
                    .append(" ->> ?)::numeric END END)");
            for (int i = 0; i < 4; i++) {
                params.add(key);
            }
        }

        /** The document lacks the key or holds JSON {@code null} there; a NULL document lacks every key. */
        private void missing(String d, String key) {
            sql.append("NOT COALESCE(");
            present(d, key);
            sql.append(", false)");
        }

        /** The document holds the key with a value: JSON {@code null} is no value. */
        private void present(String d, String key) {
            sql.append('(').append(d).append(" ?? ? AND jsonb_typeof(").append(d).append(" -> ?) <> 'null')");
            params.add(key);
            params.add(key);
        }

        /** The document holds the field equal to one of the values, as a scalar or in a list: one GIN condition. */
        private void containsAny(String d, LoweredFilter.Leaf leaf) {
            sql.append('(').append(d).append(" @?? ?::jsonpath)");
            params.add(DocumentJson.anyOfPath(leaf.field(), leaf.values()));
        }

        private static String comparison(LoweredFilter.Op op) {
            return switch (op) {
                case GT -> ">";
                case GTE -> ">=";
                case LT -> "<";
                case LTE -> "<=";
                default -> throw new IllegalStateException(op + " is not a range");
            };
        }

        @Override
        public Void allOf(LoweredFilter.AllOf allOf) {
            return junction(allOf.filters(), " AND ");
        }

        @Override
        public Void anyOf(LoweredFilter.AnyOf anyOf) {
            return junction(anyOf.filters(), " OR ");
        }

        @Override
        public Void constant(LoweredFilter.Constant constant) {
            sql.append(constant.matches() ? "TRUE" : "FALSE");
            return null;
        }

        private Void junction(List<LoweredFilter> members, String connective) {
            sql.append('(');
            for (int i = 0; i < members.size(); i++) {
                if (i > 0) {
                    sql.append(connective);
                }
                members.get(i).accept(this);
            }
            sql.append(')');
            return null;
        }

        /** {@code column} followed by an operator whose one parameter is the leaf's value, or all its values. */
        private void compare(String c, String operator, LoweredFilter.Leaf leaf) {
            sql.append(c).append(operator);
            bind(leaf);
        }

        /** Some element of a text[] column is one of the values. */
        private void anyElement(String c, LoweredFilter.Leaf leaf) {
            compare(c, leaf.values().size() == 1 ? " @> ARRAY[?]::text[]" : " && ?::text[]", leaf);
        }

        /** One parameter: the single value, or the values as one array parameter. */
        private void bind(LoweredFilter.Leaf leaf) {
            List<ScalarValue> values = leaf.values();
            if (values.size() == 1) {
                params.add(javaValue(leaf.storage(), values.get(0)));
                return;
            }
            Object[] array = new Object[values.size()];
            for (int i = 0; i < array.length; i++) {
                array[i] = javaValue(leaf.storage(), values.get(i));
            }
            params.add(List.of(array));
        }
    }

    /** A float column's bound as a double (the lowering made it one exactly), any other as its Java value. */
    private static Object javaValue(Storage storage, ScalarValue value) {
        return storage == Storage.FLOAT64 ? ((NumberValue) value).asDouble() : value.toJava();
    }
}
