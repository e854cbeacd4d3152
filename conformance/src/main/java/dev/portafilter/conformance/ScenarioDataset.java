package dev.portafilter.conformance;

import dev.portafilter.core.metadata.FieldType;
import dev.portafilter.core.metadata.Metadata;
import dev.portafilter.core.metadata.MetadataSchema;
import dev.portafilter.core.store.VectorRecord;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Collectors;

/**
 * The README's scenario: two healthcare customers in one index. CustomerA holds a HIPAA compliance guide and
 * medical case reports C001–C004; CustomerB holds NHS guidance and genetic tests S001–S004. Both refer to the
 * same patient ids P001–P004. Some records lack optional fields, some fields are lists, one region is the
 * empty string, and one confidence is the integer-valued double 1.0.
 */
public final class ScenarioDataset {
    public static final String TENANT_FIELD = "customer";
    public static final String CUSTOMER_A = "CustomerA";
    public static final String CUSTOMER_B = "CustomerB";
    /** Small on purpose: only the filter is under test, vectors are derived from ids. */
    public static final int DIMENSION = 16;

    public static final MetadataSchema SCHEMA = MetadataSchema.builder()
            .required("customer", FieldType.STRING)
            .required("documentType", FieldType.STRING)
            .optional("focus", FieldType.STRING)
            .optional("publicationYear", FieldType.LONG)
            .optional("region", FieldType.STRING)
            .optional("confidence", FieldType.DOUBLE)
            .optional("reviewed", FieldType.BOOLEAN)
            .optional("patientIds", FieldType.STRING_LIST)
            .optional("tags", FieldType.STRING_LIST)
            .build();

    private static final List<VectorRecord> RECORDS = List.of(
            record("A-HIPAA", "HIPAA compliance guide: protected health information may be shared only with the "
                            + "covered entity's business associates under a signed agreement.",
                    "customer", CUSTOMER_A, "documentType", "compliance-guide", "focus", "HIPAA",
                    "publicationYear", 2023, "region", "US", "reviewed", true, "tags", List.of("compliance", "privacy")),
            record("A-C001", "Case report C001. DoctorID D17. PatientID P001. Diagnosis: atrial fibrillation. "
                            + "TreatmentPlan: apixaban 5 mg twice daily, rate control with metoprolol.",
                    "customer", CUSTOMER_A, "documentType", "case-report", "focus", "cardiology",
                    "publicationYear", 2021, "region", "US", "confidence", 0.92, "reviewed", true,
                    "patientIds", List.of("P001"), "tags", List.of("cardiology", "inpatient")),
            record("A-C002", "Case report C002. DoctorID D04. PatientID P002. Diagnosis: stage II breast cancer. "
                            + "TreatmentPlan: lumpectomy followed by radiotherapy.",
                    "customer", CUSTOMER_A, "documentType", "case-report", "focus", "oncology",
                    "publicationYear", 2022, "region", "EU", "confidence", 0.75, "reviewed", false,
                    "patientIds", List.of("P002"), "tags", List.of("oncology")),
            record("A-C003", "Case report C003. DoctorID D17. PatientID P003. Diagnosis: type 2 diabetes. "
                            + "TreatmentPlan: prescribed metformin 500 mg twice daily and a low-carbohydrate diet.",
                    "customer", CUSTOMER_A, "documentType", "case-report", "focus", "endocrinology",
                    "publicationYear", 2023, "confidence", 0.88,
                    "patientIds", List.of("P003"), "tags", List.of("endocrinology", "outpatient")),
            record("A-C004", "Case report C004. DoctorID D09. PatientIDs P001 and P004. Diagnosis: community-acquired "
                            + "pneumonia. TreatmentPlan: amoxicillin for seven days.",
                    "customer", CUSTOMER_A, "documentType", "case-report",
                    "publicationYear", 2024, "region", "US", "confidence", 1.0,
                    "patientIds", List.of("P001", "P004")),
            record("A-NOTE", "Internal note: quarterly audit of record access logs scheduled.",
                    "customer", CUSTOMER_A, "documentType", "note"),
            record("B-NHS", "NHS guidance on genomic testing: results are shared with the patient's GP and stored "
                            + "in the national genomic record.",
                    "customer", CUSTOMER_B, "documentType", "guidance", "focus", "NHS",
                    "publicationYear", 2022, "region", "UK", "reviewed", true, "tags", List.of("guidance", "genomics")),
            record("B-S001", "Genetic test S001. SampleID S001. PatientID P001. TestType: BRCA1/2 panel. "
                            + "Result: pathogenic BRCA1 variant detected.",
                    "customer", CUSTOMER_B, "documentType", "genetic-test", "focus", "genomics",
                    "publicationYear", 2023, "region", "UK", "confidence", 0.99,
                    "patientIds", List.of("P001"), "tags", List.of("BRCA1")),
            record("B-S002", "Genetic test S002. SampleID S002. PatientID P002. TestType: cystic fibrosis carrier "
                            + "screen. Result: no variant detected.",
                    "customer", CUSTOMER_B, "documentType", "genetic-test", "focus", "genomics",
                    "region", "UK", "confidence", 0.5, "reviewed", false, "patientIds", List.of("P002")),
            record("B-S003", "Genetic test S003. SampleID S003. PatientID P003. TestType: CYP2D6 pharmacogenomic "
                            + "panel. Result: poor metabolizer; codeine should not be prescribed.",
                    "customer", CUSTOMER_B, "documentType", "genetic-test", "focus", "pharmacogenomics",
                    "publicationYear", 2024, "region", "EU",
                    "patientIds", List.of("P003"), "tags", List.of("CYP2D6", "outpatient")),
            record("B-S004", "Genetic test S004. SampleID S004. PatientID P004. TestType: Lynch syndrome panel. "
                            + "Result: variant of uncertain significance in MLH1.",
                    "customer", CUSTOMER_B, "documentType", "genetic-test",
                    "publicationYear", 2021, "confidence", 0.61, "patientIds", List.of("P004")),
            record("B-NOTE", "Internal note: lab courier schedule changes next month.",
                    "customer", CUSTOMER_B, "documentType", "note", "region", ""));

    private ScenarioDataset() {
    }

    public static List<VectorRecord> records() {
        return RECORDS;
    }

    public static List<String> ids() {
        return RECORDS.stream().map(VectorRecord::id).toList();
    }

    public static List<String> idsOf(String customer) {
        return RECORDS.stream()
                .filter(r -> r.metadata().get(TENANT_FIELD).map(v -> v.toJava().equals(customer)).orElse(false))
                .map(VectorRecord::id)
                .toList();
    }

    public static Map<String, VectorRecord> byId() {
        return RECORDS.stream().collect(Collectors.toMap(VectorRecord::id, r -> r, (a, b) -> a, LinkedHashMap::new));
    }

    /** A deterministic unit vector derived from an id, so that tests never depend on an embedding model. */
    public static float[] vectorFor(String id, int dimension) {
        long seed = 1125899906842597L;
        for (byte b : id.getBytes(StandardCharsets.UTF_8)) {
            seed = 31 * seed + b;
        }
        SplittableRandom random = new SplittableRandom(seed);
        float[] v = new float[dimension];
        double norm = 0;
        for (int i = 0; i < dimension; i++) {
            v[i] = (float) (random.nextDouble() * 2 - 1);
            norm += v[i] * v[i];
        }
        float scale = (float) (1 / Math.sqrt(norm));
        for (int i = 0; i < dimension; i++) {
            v[i] *= scale;
        }
        return v;
    }

    private static VectorRecord record(String id, String text, Object... metadata) {
        return new VectorRecord(id, vectorFor(id, DIMENSION), text, Metadata.of(metadata));
    }
}
