package dev.portafilter.conformance;

import dev.portafilter.core.filter.Filter;
import dev.portafilter.core.metadata.LongValue;
import dev.portafilter.core.metadata.ScalarValue;
import dev.portafilter.core.metadata.StringValue;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Random filters built to escape a tenant scope over {@link ScenarioDataset}: negations of the tenant field,
 * {@code $or} branches naming another tenant's ids in other fields, look-alike field names, injection payloads in
 * values and field names, huge {@code $in} lists and deep nesting. Through a tenant view each must be refused with a
 * typed error or return only that tenant's records.
 */
public final class AdversarialFilters {
    private static final List<String> TENANT_LOOK_ALIKES = List.of("customer", "Customer", "CUSTOMER", " customer",
            "customer ", "cus\u200btomer", "\uff43\uff55\uff53\uff54\uff4f\uff4d\uff45\uff52", "\u0441ustomer", "customer\u00a0",
            "customer\"", "customer'; --", "customer) OR (1=1", "customer.keyword", "metadata.customer", "_routing");
    private static final List<String> PAYLOADS = List.of("CustomerB", "CustomerA", "' OR '1'='1", "\") OR true --",
            "x'; DROP TABLE records; --", "\\", "%", "_", "*", ".*", "CustomerB\u0000", "{\"$ne\":null}", "$where",
            "S001", "P001", "B-S001", "genetic-test", "");
    private static final List<String> OTHER_FIELDS = List.of("documentType", "focus", "region", "patientIds", "tags");

    private AdversarialFilters() {
    }

    public static Arbitrary<Filter> filters() {
        return Arbitraries.recursive(AdversarialFilters::leaves, inner -> Arbitraries.oneOf(
                inner.list().ofMinSize(1).ofMaxSize(3).map(Filter.And::new),
                inner.list().ofMinSize(1).ofMaxSize(3).map(Filter.Or::new),
                inner.map(Filter.Not::new),
                inner.map(AdversarialFilters::deep)), 1, 4);
    }

    private static Arbitrary<Filter> leaves() {
        Arbitrary<String> anyField = Arbitraries.oneOf(Arbitraries.of(TENANT_LOOK_ALIKES), Arbitraries.of(OTHER_FIELDS));
        Arbitrary<ScalarValue> payload = Arbitraries.of(PAYLOADS).map(StringValue::new);
        return Arbitraries.oneOf(
                Combinators.combine(anyField, payload).as(Filter.Eq::new),
                Combinators.combine(anyField, payload).as(Filter.Ne::new),
                Combinators.combine(anyField, payload.list().ofMinSize(1).ofMaxSize(4)).as(Filter.In::new),
                Combinators.combine(anyField, payload.list().ofMinSize(1).ofMaxSize(4)).as(Filter.Nin::new),
                Combinators.combine(anyField, Arbitraries.of(true, false)).as(Filter.Exists::new),
                Arbitraries.of(OTHER_FIELDS).map(AdversarialFilters::hugeIn),
                Arbitraries.of(Filter.RangeOp.class).map(op -> new Filter.Range("publicationYear", op,
                        new LongValue(Long.MIN_VALUE))));
    }

    /** 5,000 values, the other tenant's among them. */
    private static Filter hugeIn(String field) {
        List<ScalarValue> values = new ArrayList<>(PAYLOADS.stream().<ScalarValue>map(StringValue::new).toList());
        IntStream.range(0, 5_000).forEach(i -> values.add(new StringValue("v" + i)));
        return new Filter.In(field, values);
    }

    /** Twenty more levels of double negation: the same meaning, deeper. */
    private static Filter deep(Filter f) {
        Filter out = f;
        for (int i = 0; i < 10; i++) {
            out = new Filter.Not(new Filter.Not(out));
        }
        return out;
    }
}
