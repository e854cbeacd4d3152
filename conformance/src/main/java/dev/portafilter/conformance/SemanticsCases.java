package dev.portafilter.conformance;

import dev.portafilter.conformance.SemanticsCase.Id;

import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The semantics table over {@link ScenarioDataset}: every operator on present, missing and list-valued fields,
 * negations on missing fields, integer/double equality, and De Morgan pairs. The expected ids are written by
 * hand from {@code docs/semantics.md}, not computed, so the reference evaluator is checked too.
 */
public final class SemanticsCases {
    private static final Set<String> ALL = Set.copyOf(ScenarioDataset.ids());
    private static final Set<String> A = Set.copyOf(ScenarioDataset.idsOf(ScenarioDataset.CUSTOMER_A));
    private static final Set<String> B = Set.copyOf(ScenarioDataset.idsOf(ScenarioDataset.CUSTOMER_B));

    private static final List<SemanticsCase> CASES = List.of(
            // $eq on a present field, shorthand, case sensitivity, the empty string
            c(Id.EQ_STRING, "eq string", "{\"customer\":{\"$eq\":\"CustomerA\"}}", A),
            c(Id.EQ_SHORTHAND, "eq shorthand", "{\"customer\":\"CustomerB\"}", B),
            c(Id.EQ_CASE_SENSITIVE, "eq is case-sensitive", "{\"customer\":\"customera\"}", Set.of()),
            c(Id.EQ_EMPTY_STRING, "eq empty string is a value", "{\"region\":\"\"}", ids("B-NOTE")),
            c(Id.EQ_FIELD_SOME_RECORDS_LACK, "eq on a field some records lack", "{\"focus\":\"genomics\"}",
                    ids("B-S001", "B-S002")),
            c(Id.EQ_MATCHES_NOTHING, "eq matches nothing", "{\"documentType\":\"invoice\"}", Set.of()),
            // $ne matches records missing the field
            c(Id.NE_KEEPS_MISSING, "ne keeps records missing the field", "{\"region\":{\"$ne\":\"US\"}}",
                    ids("A-C002", "A-C003", "A-NOTE", "B-NHS", "B-S001", "B-S002", "B-S003", "B-S004", "B-NOTE")),
            c(Id.NE_OPTIONAL_FIELD, "ne on optional field", "{\"focus\":{\"$ne\":\"genomics\"}}",
                    minus(ALL, "B-S001", "B-S002")),
            c(Id.NE_VALUE_NOBODY_HAS, "ne on a value nobody has", "{\"documentType\":{\"$ne\":\"invoice\"}}", ALL),
            c(Id.NE_BOOLEAN_KEEPS_MISSING, "ne boolean keeps missing", "{\"reviewed\":{\"$ne\":true}}",
                    minus(ALL, "A-HIPAA", "A-C001", "B-NHS")),
            // ranges: numbers only, missing fails
            c(Id.GT_LONG, "gt long", "{\"publicationYear\":{\"$gt\":2022}}",
                    ids("A-HIPAA", "A-C003", "A-C004", "B-S001", "B-S003")),
            c(Id.GTE_LONG, "gte long", "{\"publicationYear\":{\"$gte\":2022}}",
                    ids("A-HIPAA", "A-C002", "A-C003", "A-C004", "B-NHS", "B-S001", "B-S003")),
            c(Id.LT_LONG, "lt long", "{\"publicationYear\":{\"$lt\":2022}}", ids("A-C001", "B-S004")),
            c(Id.LTE_LONG, "lte long", "{\"publicationYear\":{\"$lte\":2021}}", ids("A-C001", "B-S004")),
            c(Id.GT_DOUBLE_BOUND_ON_LONG, "gt double bound on long field", "{\"publicationYear\":{\"$gt\":2022.5}}",
                    ids("A-HIPAA", "A-C003", "A-C004", "B-S001", "B-S003")),
            c(Id.LTE_DOUBLE_BOUND_EQUAL_TO_LONG, "lte double bound equal to a long",
                    "{\"publicationYear\":{\"$lte\":2021.0}}", ids("A-C001", "B-S004")),
            c(Id.GTE_DOUBLE, "gte double", "{\"confidence\":{\"$gte\":0.88}}",
                    ids("A-C001", "A-C003", "A-C004", "B-S001")),
            c(Id.LT_DOUBLE, "lt double", "{\"confidence\":{\"$lt\":0.75}}", ids("B-S002", "B-S004")),
            c(Id.TWO_RANGES_ON_ONE_FIELD, "two ranges on one field", "{\"confidence\":{\"$gt\":0.5,\"$lte\":0.75}}",
                    ids("A-C002", "B-S004")),
            c(Id.RANGE_WINDOW, "range window", "{\"publicationYear\":{\"$gte\":2022,\"$lt\":2024}}",
                    ids("A-HIPAA", "A-C002", "A-C003", "B-NHS", "B-S001")),
            // integer/double equality
            c(Id.EQ_DOUBLE_ON_LONG, "eq double on long field", "{\"publicationYear\":2023.0}",
                    ids("A-HIPAA", "A-C003", "B-S001")),
            c(Id.EQ_INTEGER_ON_DOUBLE, "eq integer on double field", "{\"confidence\":1}", ids("A-C004")),
            c(Id.IN_MIXES_INTEGER_AND_DOUBLE, "in mixes integer and double",
                    "{\"publicationYear\":{\"$in\":[2021,2024.0]}}", ids("A-C001", "A-C004", "B-S003", "B-S004")),
            // $in / $nin
            c(Id.IN_STRINGS, "in strings", "{\"region\":{\"$in\":[\"US\",\"UK\"]}}",
                    ids("A-HIPAA", "A-C001", "A-C004", "B-NHS", "B-S001", "B-S002")),
            c(Id.IN_ONE_VALUE, "in one value", "{\"focus\":{\"$in\":[\"HIPAA\"]}}", ids("A-HIPAA")),
            c(Id.NIN_KEEPS_MISSING, "nin keeps records missing the field", "{\"region\":{\"$nin\":[\"US\",\"UK\"]}}",
                    ids("A-C002", "A-C003", "A-NOTE", "B-S003", "B-S004", "B-NOTE")),
            c(Id.NIN_OPTIONAL_FIELD, "nin on optional field", "{\"focus\":{\"$nin\":[\"genomics\",\"oncology\"]}}",
                    minus(ALL, "B-S001", "B-S002", "A-C002")),
            // $exists
            c(Id.EXISTS_TRUE, "exists true", "{\"region\":{\"$exists\":true}}",
                    ids("A-HIPAA", "A-C001", "A-C002", "A-C004", "B-NHS", "B-S001", "B-S002", "B-S003", "B-NOTE")),
            c(Id.EXISTS_FALSE, "exists false", "{\"region\":{\"$exists\":false}}", ids("A-C003", "A-NOTE", "B-S004")),
            c(Id.EXISTS_ON_REQUIRED_FIELD, "exists on a required field", "{\"documentType\":{\"$exists\":true}}", ALL),
            c(Id.EXISTS_FALSE_ON_LIST_FIELD, "exists false on a list field", "{\"tags\":{\"$exists\":false}}",
                    ids("A-C004", "A-NOTE", "B-S002", "B-S004", "B-NOTE")),
            // booleans
            c(Id.EQ_TRUE, "eq true", "{\"reviewed\":true}", ids("A-HIPAA", "A-C001", "B-NHS")),
            c(Id.EQ_FALSE, "eq false", "{\"reviewed\":false}", ids("A-C002", "B-S002")),
            // list-valued fields: any element for eq/in, none for ne/nin
            c(Id.LIST_EQ_ANY_ELEMENT, "list eq any element", "{\"patientIds\":\"P001\"}",
                    ids("A-C001", "A-C004", "B-S001")),
            c(Id.LIST_NE_NO_ELEMENT, "list ne no element, missing matches", "{\"patientIds\":{\"$ne\":\"P001\"}}",
                    ids("A-HIPAA", "A-C002", "A-C003", "A-NOTE", "B-NHS", "B-S002", "B-S003", "B-S004", "B-NOTE")),
            c(Id.LIST_IN_ANY_ELEMENT, "list in any element", "{\"patientIds\":{\"$in\":[\"P003\",\"P004\"]}}",
                    ids("A-C003", "A-C004", "B-S003", "B-S004")),
            c(Id.LIST_NIN_NO_ELEMENT, "list nin no element", "{\"patientIds\":{\"$nin\":[\"P001\",\"P004\"]}}",
                    ids("A-HIPAA", "A-C002", "A-C003", "A-NOTE", "B-NHS", "B-S002", "B-S003", "B-NOTE")),
            c(Id.LIST_EQ_SECOND_ELEMENT, "list eq second element", "{\"tags\":\"outpatient\"}",
                    ids("A-C003", "B-S003")),
            c(Id.LIST_NE_VALUE_NOBODY_HAS, "list ne value nobody has", "{\"tags\":{\"$ne\":\"none\"}}", ALL),
            // $not is the complement, also over missing fields
            c(Id.NOT_EQ_EQUALS_NE, "not eq equals ne", "{\"$not\":{\"region\":\"US\"}}",
                    ids("A-C002", "A-C003", "A-NOTE", "B-NHS", "B-S001", "B-S002", "B-S003", "B-S004", "B-NOTE")),
            c(Id.NOT_IN_EQUALS_NIN, "not in equals nin", "{\"$not\":{\"region\":{\"$in\":[\"US\",\"UK\"]}}}",
                    ids("A-C002", "A-C003", "A-NOTE", "B-S003", "B-S004", "B-NOTE")),
            c(Id.NOT_RANGE_KEEPS_MISSING, "not range keeps missing", "{\"$not\":{\"publicationYear\":{\"$gt\":2022}}}",
                    ids("A-C001", "A-C002", "A-NOTE", "B-NHS", "B-S002", "B-S004", "B-NOTE")),
            c(Id.NOT_INSIDE_A_FIELD, "not inside a field", "{\"publicationYear\":{\"$not\":{\"$gte\":2023}}}",
                    ids("A-C001", "A-C002", "A-NOTE", "B-NHS", "B-S002", "B-S004", "B-NOTE")),
            c(Id.NOT_EXISTS, "not exists", "{\"$not\":{\"tags\":{\"$exists\":true}}}",
                    ids("A-C004", "A-NOTE", "B-S002", "B-S004", "B-NOTE")),
            c(Id.DOUBLE_NEGATION, "double negation", "{\"$not\":{\"$not\":{\"customer\":\"CustomerB\"}}}", B),
            c(Id.NOT_LIST_EQ, "not list eq", "{\"$not\":{\"patientIds\":\"P001\"}}",
                    ids("A-HIPAA", "A-C002", "A-C003", "A-NOTE", "B-NHS", "B-S002", "B-S003", "B-S004", "B-NOTE")),
            // De Morgan pairs
            c(Id.DE_MORGAN_NOT_AND, "De Morgan: not and",
                    "{\"$not\":{\"$and\":[{\"customer\":\"CustomerA\"},{\"region\":\"US\"}]}}",
                    minus(ALL, "A-HIPAA", "A-C001", "A-C004")),
            c(Id.DE_MORGAN_OR_OF_NEGATIONS, "De Morgan: or of negations",
                    "{\"$or\":[{\"customer\":{\"$ne\":\"CustomerA\"}},{\"region\":{\"$ne\":\"US\"}}]}",
                    minus(ALL, "A-HIPAA", "A-C001", "A-C004")),
            c(Id.DE_MORGAN_NOT_OR, "De Morgan: not or",
                    "{\"$not\":{\"$or\":[{\"focus\":\"genomics\"},{\"confidence\":{\"$gte\":0.9}}]}}",
                    ids("A-HIPAA", "A-C002", "A-C003", "A-NOTE", "B-NHS", "B-S003", "B-S004", "B-NOTE")),
            c(Id.DE_MORGAN_AND_OF_NEGATIONS, "De Morgan: and of negations",
                    "{\"$and\":[{\"focus\":{\"$ne\":\"genomics\"}},{\"$not\":{\"confidence\":{\"$gte\":0.9}}}]}",
                    ids("A-HIPAA", "A-C002", "A-C003", "A-NOTE", "B-NHS", "B-S003", "B-S004", "B-NOTE")),
            // composition
            c(Id.IMPLICIT_AND_OF_KEYS, "implicit and of keys",
                    "{\"customer\":\"CustomerA\",\"documentType\":\"case-report\"}", ids("A-C001", "A-C002", "A-C003", "A-C004")),
            c(Id.OR_ACROSS_FIELDS, "or across fields",
                    "{\"$or\":[{\"customer\":\"CustomerA\",\"focus\":\"oncology\"},{\"patientIds\":\"P003\"}]}",
                    ids("A-C002", "A-C003", "B-S003")),
            c(Id.AND_OF_OR_WITH_MISSING_AND_EMPTY, "and of or with missing and empty",
                    "{\"$and\":[{\"customer\":\"CustomerB\"},{\"$or\":[{\"region\":{\"$exists\":false}},{\"region\":\"\"}]}]}",
                    ids("B-S004", "B-NOTE")));

    private static final Map<Id, SemanticsCase> BY_ID = byId();

    private SemanticsCases() {
    }

    public static List<SemanticsCase> all() {
        return CASES;
    }

    /** The case with this identity. */
    public static SemanticsCase get(Id id) {
        return BY_ID.get(id);
    }

    private static SemanticsCase c(Id id, String name, String json, Set<String> expected) {
        return new SemanticsCase(id, name, json, expected);
    }

    /** The cases by identity; every identity names exactly one case. */
    private static Map<Id, SemanticsCase> byId() {
        Map<Id, SemanticsCase> byId = new EnumMap<>(Id.class);
        for (SemanticsCase c : CASES) {
            if (byId.put(c.id(), c) != null) {
                throw new IllegalStateException("two cases of the semantics table are " + c.id());
            }
        }
        for (Id id : Id.values()) {
            if (!byId.containsKey(id)) {
                throw new IllegalStateException("no case of the semantics table is " + id);
            }
        }
        return Map.copyOf(byId);
    }

    private static Set<String> ids(String... ids) {
        for (String id : ids) {
            if (!ALL.contains(id)) {
                throw new IllegalStateException("unknown id in the semantics table: " + id);
            }
        }
        return Set.of(ids);
    }

    private static Set<String> minus(Set<String> from, String... ids) {
        Set<String> out = new HashSet<>(from);
        for (String id : ids) {
            if (!out.remove(id)) {
                throw new IllegalStateException("unknown id in the semantics table: " + id);
            }
        }
        return out;
    }
}
