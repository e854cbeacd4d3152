package dev.portafilter.core.filter;

import dev.portafilter.core.metadata.FieldType;

import java.util.Objects;

/**
 * What a backend's filter language can state and how the backend stores values: the input, with the schema, of
 * {@link FilterLowering}. Every limit of a backend lives here, so its translator only prints.
 */
public final class BackendProfile {
    /** The largest integer a 64-bit float holds unambiguously: 2^53 + 1 rounds to 2^53, so 2^53 itself is out. */
    public static final long MAX_EXACT_DOUBLE_INTEGER = (1L << 53) - 1;

    /**
     * Whether a 64-bit float is an integer within ±(2^53 − 1): one that reads back as a long without doubt, where a
     * backend keeps every number as a float (Pinecone, Bedrock) and cannot say which was written.
     */
    public static boolean isExactInteger(double value) {
        return value == Math.rint(value) && Math.abs(value) <= MAX_EXACT_DOUBLE_INTEGER;
    }

    /** The reference semantics' abilities: every value stored exactly, every filter expressible, no limits. */
    public static final BackendProfile REFERENCE = builder("reference").build();

    /** How a backend stores one field's values. */
    public enum Storage {
        STRING, STRING_LIST, BOOLEAN, INT64, FLOAT64,
        /**
         * An undeclared field, kept in the record's metadata document: each record's value has its own kind (a
         * string, a number, a boolean or a list of strings), and a filter's value is compared as it was written.
         */
        DOCUMENT
    }

    /** Why a backend cannot store or compare a string exactly. */
    @FunctionalInterface
    public interface TextRule {
        /** The reason, or null when the backend can store and compare {@code text} exactly. */
        String problem(String text);
    }

    private final String backend;
    private final boolean integersAsDoubles;
    private final int maxInValues;
    private final boolean testsPresence;
    private final boolean negatesListMembership;
    private final boolean testsNumberType;
    private final boolean comparesUndeclaredStrings;
    private final boolean undeclaredNumbersAsDoubles;
    private final TextRule textRule;

    private BackendProfile(Builder b) {
        this.backend = b.backend;
        this.integersAsDoubles = b.integersAsDoubles;
        this.maxInValues = b.maxInValues;
        this.testsPresence = b.testsPresence;
        this.negatesListMembership = b.negatesListMembership;
        this.testsNumberType = b.testsNumberType;
        this.comparesUndeclaredStrings = b.comparesUndeclaredStrings;
        this.undeclaredNumbersAsDoubles = b.undeclaredNumbersAsDoubles;
        this.textRule = b.textRule;
    }

    /**
     * A backend that stores integers as 64-bit integers and doubles as 64-bit floats, can test whether a field is
     * present, can say that no element of a list equals a value, takes any number of {@code $in} values and any
     * string; the builder's methods say where it differs.
     */
    public static Builder builder(String backend) {
        return new Builder(backend);
    }

    /** The backend's name, for errors. */
    public String backend() {
        return backend;
    }

    /** How the backend stores a field of this type. */
    public Storage storage(FieldType type) {
        return switch (type) {
            case STRING -> Storage.STRING;
            case STRING_LIST -> Storage.STRING_LIST;
            case BOOLEAN -> Storage.BOOLEAN;
            case LONG -> integersAsDoubles ? Storage.FLOAT64 : Storage.INT64;
            case DOUBLE -> Storage.FLOAT64;
        };
    }

    /** Whether every number, integers included, is a 64-bit float on this backend. */
    public boolean integersAsDoubles() {
        return integersAsDoubles;
    }

    /** Whether the backend holds this integer exactly: always for 64-bit integers, within ±(2^53 − 1) for floats. */
    private boolean holdsInteger(long value) {
        return !integersAsDoubles || (value >= -MAX_EXACT_DOUBLE_INTEGER && value <= MAX_EXACT_DOUBLE_INTEGER);
    }

    /** Why the backend cannot store or compare this integer exactly, or null when it can. */
    public String integerProblem(long value) {
        return holdsInteger(value) ? null : "numbers are 64-bit floats on " + backend + ", which cannot hold the integer "
                + value + " exactly (limit ±" + MAX_EXACT_DOUBLE_INTEGER + ")";
    }

    /**
     * Why the backend cannot store or compare this integer exactly in an undeclared field, or null when it can: where
     * every number, or every undeclared one, is a 64-bit float, beyond ±(2^53 − 1).
     */
    public String undeclaredIntegerProblem(long value) {
        if (!undeclaredNumbersAsDoubles || integersAsDoubles) {
            return integerProblem(value);
        }
        return value >= -MAX_EXACT_DOUBLE_INTEGER && value <= MAX_EXACT_DOUBLE_INTEGER ? null
                : "undeclared numbers are 64-bit floats on " + backend + ", which cannot hold the integer " + value
                + " exactly (limit ±" + MAX_EXACT_DOUBLE_INTEGER + "); declare the field as LONG";
    }

    /** Why the backend cannot store or compare this string exactly, or null when it can. */
    public String textProblem(String text) {
        return textRule.problem(text);
    }

    int maxInValues() {
        return maxInValues;
    }

    boolean testsPresence() {
        return testsPresence;
    }

    boolean negatesListMembership() {
        return negatesListMembership;
    }

    boolean testsNumberType() {
        return testsNumberType;
    }

    boolean comparesUndeclaredStrings() {
        return comparesUndeclaredStrings;
    }

    @Override
    public String toString() {
        return "BackendProfile[" + backend + "]";
    }

    public static final class Builder {
        private final String backend;
        private boolean integersAsDoubles;
        private int maxInValues = Integer.MAX_VALUE;
        private boolean testsPresence = true;
        private boolean negatesListMembership = true;
        private boolean testsNumberType = true;
        private boolean comparesUndeclaredStrings = true;
        private boolean undeclaredNumbersAsDoubles;
        private TextRule textRule = text -> null;

        private Builder(String backend) {
            this.backend = Objects.requireNonNull(backend, "backend");
        }

        /**
         * Every number is a 64-bit float: an integer beyond ±(2^53 − 1) cannot be stored or compared exactly. Every
         * filter value then has a stored form, so the lowering never leaves a {@link LoweredFilter.Constant}: a
         * language without a literal for "every record" or "none" needs this.
         */
        public Builder integersAsDoubles() {
            this.integersAsDoubles = true;
            return this;
        }

        /** The most values one {@code $in} or {@code $nin} may have. */
        public Builder maxInValues(int maxInValues) {
            if (maxInValues < 1) {
                throw new IllegalArgumentException("maxInValues must be positive");
            }
            this.maxInValues = maxInValues;
            return this;
        }

        /**
         * The language cannot test whether a field is present. Its negated equality must then itself match records
         * without the field (Bedrock's {@code notEquals} does); a presence test becomes a test of the field's whole
         * domain where one exists (booleans, numbers), else the filter is refused.
         */
        public Builder noPresenceTest() {
            this.testsPresence = false;
            return this;
        }

        /** The language cannot say that no element of a list equals a value. */
        public Builder noListNegation() {
            this.negatesListMembership = false;
            return this;
        }

        /**
         * The language cannot test whether an undeclared field's value is a number, which the complement of a range
         * on such a field needs ({@code $not $gt 5} also matches {@code "six"}).
         */
        public Builder noNumberTypeTest() {
            this.testsNumberType = false;
            return this;
        }

        /**
         * The language has no one test for "equals this string, or is a list holding it", which is what a string
         * comparison means on an undeclared field (a string in one record, a list of strings in another): Bedrock
         * documents {@code equals} for single values and {@code listContains} for lists only. Strings compared with
         * undeclared fields ({@code $eq $ne $in $nin}) are then refused; numbers and booleans, which no list holds,
         * are not.
         */
        public Builder noUndeclaredStringComparison() {
            this.comparesUndeclaredStrings = false;
            return this;
        }

        /** Numbers in undeclared fields are 64-bit floats (declared LONG fields keep 64-bit integers). */
        public Builder undeclaredNumbersAsDoubles() {
            this.undeclaredNumbersAsDoubles = true;
            return this;
        }

        /** Strings the backend cannot store or compare exactly. */
        public Builder textRule(TextRule textRule) {
            this.textRule = Objects.requireNonNull(textRule, "textRule");
            return this;
        }

        public BackendProfile build() {
            return new BackendProfile(this);
        }
    }
}
