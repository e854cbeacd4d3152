package dev.portafilter.conformance;

import dev.portafilter.core.filter.Filter;
import dev.portafilter.core.metadata.BooleanValue;
import dev.portafilter.core.metadata.DoubleValue;
import dev.portafilter.core.metadata.FieldSpec;
import dev.portafilter.core.metadata.LongValue;
import dev.portafilter.core.metadata.Metadata;
import dev.portafilter.core.metadata.NumberValue;
import dev.portafilter.core.metadata.ScalarValue;
import dev.portafilter.core.metadata.StringValue;
import dev.portafilter.core.store.VectorRecord;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Random records and random filters over {@link ScenarioDataset#SCHEMA}, drawn from small value pools so
 * that filters match some records and miss others.
 */
public final class RandomScenario {
    static final List<String> CUSTOMERS = List.of("CustomerA", "CustomerB", "CustomerC");
    static final List<String> DOCUMENT_TYPES = List.of("case-report", "genetic-test", "guidance", "note");
    static final List<String> FOCI = List.of("cardiology", "oncology", "genomics", "HIPAA", "NHS");
    static final List<String> REGIONS = List.of("US", "UK", "EU", "");
    static final List<String> PATIENTS = List.of("P001", "P002", "P003", "P004", "P005");
    static final List<String> TAGS = List.of("outpatient", "inpatient", "privacy", "BRCA1", "compliance");
    static final List<Long> YEARS = List.of(2019L, 2020L, 2021L, 2022L, 2023L, 2024L, 2025L);
    static final List<Double> CONFIDENCES = List.of(0.25, 0.5, 0.75, 0.9, 1.0);

    private RandomScenario() {
    }

    /** The scenario records plus {@code extra} random ones, deterministic for a seed. */
    public static List<VectorRecord> records(long seed, int extra) {
        SplittableRandom random = new SplittableRandom(seed);
        List<VectorRecord> out = new ArrayList<>(ScenarioDataset.records());
        for (int i = 0; i < extra; i++) {
            String id = String.format("R%03d", i);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("customer", pick(random, CUSTOMERS));
            m.put("documentType", pick(random, DOCUMENT_TYPES));
            if (random.nextInt(3) > 0) {
                m.put("focus", pick(random, FOCI));
            }
            if (random.nextInt(3) > 0) {
                m.put("publicationYear", pick(random, YEARS));
            }
            if (random.nextInt(3) > 0) {
                m.put("region", pick(random, REGIONS));
            }
            if (random.nextInt(2) > 0) {
                m.put("confidence", pick(random, CONFIDENCES));
            }
            if (random.nextInt(2) > 0) {
                m.put("reviewed", random.nextBoolean());
            }
            if (random.nextInt(3) > 0) {
                m.put("patientIds", subset(random, PATIENTS));
            }
            if (random.nextInt(2) > 0) {
                m.put("tags", subset(random, TAGS));
            }
            out.add(new VectorRecord(id, ScenarioDataset.vectorFor(id, ScenarioDataset.DIMENSION), "random " + id,
                    Metadata.of(m)));
        }
        return out;
    }

    /** Random filters up to {@code maxDepth} levels of $and/$or/$not over leaves on every declared field. */
    public static Arbitrary<Filter> filters(int maxDepth) {
        return Arbitraries.recursive(RandomScenario::leaves, RandomScenario::compose, 0, maxDepth);
    }

    private static Arbitrary<Filter> compose(Arbitrary<Filter> inner) {
        return Arbitraries.oneOf(
                inner.list().ofMinSize(1).ofMaxSize(3).map(Filter.And::new),
                inner.list().ofMinSize(1).ofMaxSize(3).map(Filter.Or::new),
                inner.map(Filter.Not::new));
    }

    private static Arbitrary<Filter> leaves() {
        List<Arbitrary<Filter>> choices = new ArrayList<>();
        for (FieldSpec spec : ScenarioDataset.SCHEMA.fields()) {
            Arbitrary<ScalarValue> values = values(spec);
            String f = spec.name();
            choices.add(values.map(v -> new Filter.Eq(f, v)));
            choices.add(values.map(v -> new Filter.Ne(f, v)));
            choices.add(values.list().ofMinSize(1).ofMaxSize(3).map(vs -> new Filter.In(f, vs)));
            choices.add(values.list().ofMinSize(1).ofMaxSize(3).map(vs -> new Filter.Nin(f, vs)));
            choices.add(Arbitraries.of(true, false).map(b -> new Filter.Exists(f, b)));
            if (spec.type().isNumeric()) {
                choices.add(Arbitraries.of(Filter.RangeOp.class).flatMap(op -> values.map(
                        v -> new Filter.Range(f, op, (NumberValue) v))));
            }
        }
        return Arbitraries.oneOf(choices);
    }

    private static Arbitrary<ScalarValue> values(FieldSpec spec) {
        return switch (spec.name()) {
            case "customer" -> strings(List.of("CustomerA", "CustomerB", "CustomerC", "customerA"));
            case "documentType" -> strings(List.of("case-report", "genetic-test", "guidance", "note",
                    "compliance-guide"));
            case "focus" -> strings(List.of("cardiology", "oncology", "genomics", "HIPAA", "NHS", "endocrinology"));
            case "region" -> strings(REGIONS);
            case "patientIds" -> strings(PATIENTS);
            case "tags" -> strings(List.of("outpatient", "inpatient", "privacy", "BRCA1", "compliance", "oncology"));
            case "publicationYear" -> Arbitraries.oneOf(
                    Arbitraries.longs().between(2018, 2026).map(LongValue::new),
                    Arbitraries.of(2021.0, 2022.5, 2023.0).map(DoubleValue::new));
            case "confidence" -> Arbitraries.oneOf(
                    Arbitraries.of(0.25, 0.5, 0.61, 0.75, 0.88, 0.9, 0.99).map(DoubleValue::new),
                    Arbitraries.of(0L, 1L).map(LongValue::new));
            case "reviewed" -> Arbitraries.of(BooleanValue.TRUE, BooleanValue.FALSE);
            default -> throw new IllegalStateException("no value pool for field " + spec.name());
        };
    }

    private static Arbitrary<ScalarValue> strings(List<String> pool) {
        return Arbitraries.of(pool).map(StringValue::new);
    }

    private static <T> T pick(SplittableRandom random, List<T> pool) {
        return pool.get(random.nextInt(pool.size()));
    }

    private static List<String> subset(SplittableRandom random, List<String> pool) {
        List<String> out = new ArrayList<>();
        for (String s : pool) {
            if (random.nextInt(3) == 0) {
                out.add(s);
            }
        }
        if (out.isEmpty()) {
            out.add(pick(random, pool));
        }
        return out;
    }
}
