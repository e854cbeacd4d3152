package dev.portafilter.conformance;

import java.util.HashSet;
import java.util.List;
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
            c("eq string", "{\"customer\":{\"$eq\":\"CustomerA\"}}", A),
            c("eq shorthand", "{\"customer\":\"CustomerB\"}", B),
            c("eq is case-sensitive", "{\"customer\":\"customera\"}", Set.of()),
            c("eq empty string is a value", "{\"region\":\"\"}", ids("B-NOTE")),
            c("eq on a field some records lack", "{\"focus\":\"genomics\"}", ids("B-S001", "B-S002")),
            c("eq matches nothing", "{\"documentType\":\"invoice\"}", Set.of()),
            // $ne matches records missing the field
            c("ne keeps records missing the field", "{\"region\":{\"$ne\":\"US\"}}",
                    ids("A-C002", "A-C003", "A-NOTE", "B-NHS", "B-S001", "B-S002", "B-S003", "B-S004", "B-NOTE")),
            c("ne on optional field", "{\"focus\":{\"$ne\":\"genomics\"}}", minus(ALL, "B-S001", "B-S002")),
            c("ne on a value nobody has", "{\"documentType\":{\"$ne\":\"invoice\"}}", ALL),
            c("ne boolean keeps missing", "{\"reviewed\":{\"$ne\":true}}", minus(ALL, "A-HIPAA", "A-C001", "B-NHS")),
            // ranges: numbers only, missing fails
            c("gt long", "{\"publicationYear\":{\"$gt\":2022}}", ids("A-HIPAA", "A-C003", "A-C004", "B-S001", "B-S003")),
            c("gte long", "{\"publicationYear\":{\"$gte\":2022}}",
                    ids("A-HIPAA", "A-C002", "A-C003", "A-C004", "B-NHS", "B-S001", "B-S003")),
            c("lt long", "{\"publicationYear\":{\"$lt\":2022}}", ids("A-C001", "B-S004")),
            c("lte long", "{\"publicationYear\":{\"$lte\":2021}}", ids("A-C001", "B-S004")),
            c("gt double bound on long field", "{\"publicationYear\":{\"$gt\":2022.5}}",
                    ids("A-HIPAA", "A-C003", "A-C004", "B-S001", "B-S003")),
            c("lte double bound equal to a long", "{\"publicationYear\":{\"$lte\":2021.0}}", ids("A-C001", "B-S004")),
            c("gte double", "{\"confidence\":{\"$gte\":0.88}}", ids("A-C001", "A-C003", "A-C004", "B-S001")),
            c("lt double", "{\"confidence\":{\"$lt\":0.75}}", ids("B-S002", "B-S004")),
            c("two ranges on one field", "{\"confidence\":{\"$gt\":0.5,\"$lte\":0.75}}", ids("A-C002", "B-S004")),
            c("range window", "{\"publicationYear\":{\"$gte\":2022,\"$lt\":2024}}",
                    ids("A-HIPAA", "A-C002", "A-C003", "B-NHS", "B-S001")),
            // integer/double equality
            c("eq double on long field", "{\"publicationYear\":2023.0}", ids("A-HIPAA", "A-C003", "B-S001")),
            c("eq integer on double field", "{\"confidence\":1}", ids("A-C004")),
            c("in mixes integer and double", "{\"publicationYear\":{\"$in\":[2021,2024.0]}}",
                    ids("A-C001", "A-C004", "B-S003", "B-S004")),
            // $in / $nin
            c("in strings", "{\"region\":{\"$in\":[\"US\",\"UK\"]}}",
                    ids("A-HIPAA", "A-C001", "A-C004", "B-NHS", "B-S001", "B-S002")),
            c("in one value", "{\"focus\":{\"$in\":[\"HIPAA\"]}}", ids("A-HIPAA")),
            c("nin keeps records missing the field", "{\"region\":{\"$nin\":[\"US\",\"UK\"]}}",
                    ids("A-C002", "A-C003", "A-NOTE", "B-S003", "B-S004", "B-NOTE")),
            c("nin on optional field", "{\"focus\":{\"$nin\":[\"genomics\",\"oncology\"]}}",
                    minus(ALL, "B-S001", "B-S002", "A-C002")),
            // $exists
            c("exists true", "{\"region\":{\"$exists\":true}}",
                    ids("A-HIPAA", "A-C001", "A-C002", "A-C004", "B-NHS", "B-S001", "B-S002", "B-S003", "B-NOTE")),
            c("exists false", "{\"region\":{\"$exists\":false}}", ids("A-C003", "A-NOTE", "B-S004")),
            c("exists on a required field", "{\"documentType\":{\"$exists\":true}}", ALL),
            c("exists false on a list field", "{\"tags\":{\"$exists\":false}}",
                    ids("A-C004", "A-NOTE", "B-S002", "B-S004", "B-NOTE")),
            // booleans
            c("eq true", "{\"reviewed\":true}", ids("A-HIPAA", "A-C001", "B-NHS")),
            c("eq false", "{\"reviewed\":false}", ids("A-C002", "B-S002")),
            // list-valued fields: any element for eq/in, none for ne/nin
            c("list eq any element", "{\"patientIds\":\"P001\"}", ids("A-C001", "A-C004", "B-S001")),
            c("list ne no element, missing matches", "{\"patientIds\":{\"$ne\":\"P001\"}}",
                    ids("A-HIPAA", "A-C002", "A-C003", "A-NOTE", "B-NHS", "B-S002", "B-S003", "B-S004", "B-NOTE")),
            c("list in any element", "{\"patientIds\":{\"$in\":[\"P003\",\"P004\"]}}",
                    ids("A-C003", "A-C004", "B-S003", "B-S004")),
            c("list nin no element", "{\"patientIds\":{\"$nin\":[\"P001\",\"P004\"]}}",
                    ids("A-HIPAA", "A-C002", "A-C003", "A-NOTE", "B-NHS", "B-S002", "B-S003", "B-NOTE")),
            c("list eq second element", "{\"tags\":\"outpatient\"}", ids("A-C003", "B-S003")),
            c("list ne value nobody has", "{\"tags\":{\"$ne\":\"none\"}}", ALL),
            // $not is the complement, also over missing fields
            c("not eq equals ne", "{\"$not\":{\"region\":\"US\"}}",
                    ids("A-C002", "A-C003", "A-NOTE", "B-NHS", "B-S001", "B-S002", "B-S003", "B-S004", "B-NOTE")),
            c("not in equals nin", "{\"$not\":{\"region\":{\"$in\":[\"US\",\"UK\"]}}}",
                    ids("A-C002", "A-C003", "A-NOTE", "B-S003", "B-S004", "B-NOTE")),
            c("not range keeps missing", "{\"$not\":{\"publicationYear\":{\"$gt\":2022}}}",
                    ids("A-C001", "A-C002", "A-NOTE", "B-NHS", "B-S002", "B-S004", "B-NOTE")),
            c("not inside a field", "{\"publicationYear\":{\"$not\":{\"$gte\":2023}}}",
                    ids("A-C001", "A-C002", "A-NOTE", "B-NHS", "B-S002", "B-S004", "B-NOTE")),
            c("not exists", "{\"$not\":{\"tags\":{\"$exists\":true}}}",
                    ids("A-C004", "A-NOTE", "B-S002", "B-S004", "B-NOTE")),
            c("double negation", "{\"$not\":{\"$not\":{\"customer\":\"CustomerB\"}}}", B),
            c("not list eq", "{\"$not\":{\"patientIds\":\"P001\"}}",
                    ids("A-HIPAA", "A-C002", "A-C003", "A-NOTE", "B-NHS", "B-S002", "B-S003", "B-S004", "B-NOTE")),
            // De Morgan pairs
            c("De Morgan: not and", "{\"$not\":{\"$and\":[{\"customer\":\"CustomerA\"},{\"region\":\"US\"}]}}",
                    minus(ALL, "A-HIPAA", "A-C001", "A-C004")),
            c("De Morgan: or of negations",
                    "{\"$or\":[{\"customer\":{\"$ne\":\"CustomerA\"}},{\"region\":{\"$ne\":\"US\"}}]}",
                    minus(ALL, "A-HIPAA", "A-C001", "A-C004")),
            c("De Morgan: not or",
                    "{\"$not\":{\"$or\":[{\"focus\":\"genomics\"},{\"confidence\":{\"$gte\":0.9}}]}}",
                    ids("A-HIPAA", "A-C002", "A-C003", "A-NOTE", "B-NHS", "B-S003", "B-S004", "B-NOTE")),
            c("De Morgan: and of negations",
                    "{\"$and\":[{\"focus\":{\"$ne\":\"genomics\"}},{\"$not\":{\"confidence\":{\"$gte\":0.9}}}]}",
                    ids("A-HIPAA", "A-C002", "A-C003", "A-NOTE", "B-NHS", "B-S003", "B-S004", "B-NOTE")),
            // composition
            c("implicit and of keys", "{\"customer\":\"CustomerA\",\"documentType\":\"case-report\"}",
                    ids("A-C001", "A-C002", "A-C003", "A-C004")),
            c("or across fields",
                    "{\"$or\":[{\"customer\":\"CustomerA\",\"focus\":\"oncology\"},{\"patientIds\":\"P003\"}]}",
                    ids("A-C002", "A-C003", "B-S003")),
            c("and of or with missing and empty",
                    "{\"$and\":[{\"customer\":\"CustomerB\"},{\"$or\":[{\"region\":{\"$exists\":false}},{\"region\":\"\"}]}]}",
                    ids("B-S004", "B-NOTE")));

    private SemanticsCases() {
    }

    public static List<SemanticsCase> all() {
        return CASES;
    }

    private static SemanticsCase c(String name, String json, Set<String> expected) {
        return new SemanticsCase(name, json, expected);
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
