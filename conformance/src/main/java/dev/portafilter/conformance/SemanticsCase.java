package dev.portafilter.conformance;

import dev.portafilter.core.filter.Filter;
import dev.portafilter.core.filter.FilterJson;

import java.util.Objects;
import java.util.Set;

/**
 * One row of the semantics table: a filter in the JSON syntax and the exact ids it must match.
 *
 * @param id   the case's identity: what code that selects cases refers to, so that renaming a case cannot change
 *             what is selected
 * @param name the case's name for people, part of test names and reports
 */
public record SemanticsCase(Id id, String name, String filterJson, Set<String> expectedIds) {
    /** The identities of the cases in {@link SemanticsCases}, one each, in the table's order. */
    public enum Id {
        EQ_STRING,
        EQ_SHORTHAND,
        EQ_CASE_SENSITIVE,
        EQ_EMPTY_STRING,
        EQ_FIELD_SOME_RECORDS_LACK,
        EQ_MATCHES_NOTHING,
        NE_KEEPS_MISSING,
        NE_OPTIONAL_FIELD,
        NE_VALUE_NOBODY_HAS,
        NE_BOOLEAN_KEEPS_MISSING,
        GT_LONG,
        GTE_LONG,
        LT_LONG,
        LTE_LONG,
        GT_DOUBLE_BOUND_ON_LONG,
        LTE_DOUBLE_BOUND_EQUAL_TO_LONG,
        GTE_DOUBLE,
        LT_DOUBLE,
        TWO_RANGES_ON_ONE_FIELD,
        RANGE_WINDOW,
        EQ_DOUBLE_ON_LONG,
        EQ_INTEGER_ON_DOUBLE,
        IN_MIXES_INTEGER_AND_DOUBLE,
        IN_STRINGS,
        IN_ONE_VALUE,
        NIN_KEEPS_MISSING,
        NIN_OPTIONAL_FIELD,
        EXISTS_TRUE,
        EXISTS_FALSE,
        EXISTS_ON_REQUIRED_FIELD,
        EXISTS_FALSE_ON_LIST_FIELD,
        EQ_TRUE,
        EQ_FALSE,
        LIST_EQ_ANY_ELEMENT,
        LIST_NE_NO_ELEMENT,
        LIST_IN_ANY_ELEMENT,
        LIST_NIN_NO_ELEMENT,
        LIST_EQ_SECOND_ELEMENT,
        LIST_NE_VALUE_NOBODY_HAS,
        NOT_EQ_EQUALS_NE,
        NOT_IN_EQUALS_NIN,
        NOT_RANGE_KEEPS_MISSING,
        NOT_INSIDE_A_FIELD,
        NOT_EXISTS,
        DOUBLE_NEGATION,
        NOT_LIST_EQ,
        DE_MORGAN_NOT_AND,
        DE_MORGAN_OR_OF_NEGATIONS,
        DE_MORGAN_NOT_OR,
        DE_MORGAN_AND_OF_NEGATIONS,
        IMPLICIT_AND_OF_KEYS,
        OR_ACROSS_FIELDS,
        AND_OF_OR_WITH_MISSING_AND_EMPTY
    }

    public SemanticsCase {
        Objects.requireNonNull(id, "id");
        expectedIds = Set.copyOf(expectedIds);
    }

    public Filter filter() {
        return FilterJson.parse(filterJson);
    }

    @Override
    public String toString() {
        return name + " " + filterJson;
    }
}
