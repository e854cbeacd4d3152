package dev.portafilter.core.filter;

import dev.portafilter.core.InvalidFilterException;
import dev.portafilter.core.UnsupportedFilterException;
import dev.portafilter.core.metadata.BooleanValue;
import dev.portafilter.core.metadata.DoubleValue;
import dev.portafilter.core.metadata.FieldSpec;
import dev.portafilter.core.metadata.FieldType;
import dev.portafilter.core.metadata.LongValue;
import dev.portafilter.core.metadata.Metadata;
import dev.portafilter.core.metadata.MetadataSchema;
import dev.portafilter.core.metadata.NumberValue;
import dev.portafilter.core.metadata.ScalarValue;
import dev.portafilter.core.metadata.StringValue;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * {@code lower(f).test(r) == f.test(r)} for random filters and records under every profile: each combination of
 * the profile's switches, with values at the edges that need care (±2^53 ± 1, the long range, fractions on integer
 * fields, strings a backend cannot hold), and records each profile can store. The schema allows undeclared fields:
 * {@code u} is one, holding a value of any kind (or a list of strings) in each record.
 */
class FilterLoweringPropertyTest {
    static final MetadataSchema SCHEMA = MetadataSchema.builder()
            .required("tenant", FieldType.STRING)
            .required("rank", FieldType.LONG)
            .optional("s", FieldType.STRING)
            .optional("n", FieldType.LONG)
            .optional("d", FieldType.DOUBLE)
            .optional("b", FieldType.BOOLEAN)
            .optional("tags", FieldType.STRING_LIST)
            .allowUndeclared()
            .build();
    /** The same fields, none other accepted. */
    static final MetadataSchema CLOSED = MetadataSchema.of(SCHEMA.fields());
    static final String UNDECLARED = "u";

    static final long P53 = 1L << 53;
    static final List<Long> LONGS = List.of(0L, 1L, -1L, 2L, 2022L, 2023L, P53 - 1, P53, P53 + 1, -(P53 - 1), -P53,
            -(P53 + 1), Long.MIN_VALUE, Long.MAX_VALUE, Long.MAX_VALUE - 1);
    static final List<Double> DOUBLES = List.of(0.0, 2.0, 2.5, -2.5, 2022.5, 2023.0, (double) P53, (double) P53 + 2,
            -(double) P53, 1e19, -1e19, 9.223372036854775807E18, 1e300, 0.1);
    static final List<String> STRINGS = List.of("a", "b", "", "A", "a\u0000", "2");
    /** Values of every kind, for the undeclared field. */
    static final List<ScalarValue> ANY_KIND = anyKind();

    private static List<ScalarValue> anyKind() {
        List<ScalarValue> out = new ArrayList<>();
        STRINGS.forEach(v -> out.add(new StringValue(v)));
        LONGS.forEach(v -> out.add(new LongValue(v)));
        DOUBLES.forEach(v -> out.add(new DoubleValue(v)));
        out.add(BooleanValue.TRUE);
        out.add(BooleanValue.FALSE);
        return out;
    }

    /** Every combination of the profile's restrictions. */
    static final List<BackendProfile> PROFILES = everyProfile();

    private static List<BackendProfile> everyProfile() {
        List<BackendProfile> out = new ArrayList<>();
        for (int bits = 0; bits < 256; bits++) {
            BackendProfile.Builder b = BackendProfile.builder("profile-" + bits);
            if ((bits & 1) != 0) {
                b.integersAsDoubles();
            }
            if ((bits & 2) != 0) {
                b.maxInValues(2);
            }
            if ((bits & 4) != 0) {
                b.noPresenceTest();
            }
            if ((bits & 8) != 0) {
                b.noListNegation();
            }
            if ((bits & 16) != 0) {
                b.textRule(s -> s.indexOf('\0') >= 0 ? "NUL" : null);
            }
            if ((bits & 32) != 0) {
                b.noNumberTypeTest();
            }
            if ((bits & 64) != 0) {
                b.undeclaredNumbersAsDoubles();
            }
            if ((bits & 128) != 0) {
                b.noUndeclaredStringComparison();
            }
            out.add(b.build());
        }
        return out;
    }

    @Property(tries = 3000)
    void loweredFilterMatchesExactlyWhatTheFilterDoes(@ForAll("filters") Filter filter, @ForAll("profiles") BackendProfile profile,
                                                      @ForAll("seeds") long seed) {
        LoweredFilter lowered;
        try {
            lowered = FilterLowering.lower(filter, SCHEMA, profile);
        } catch (UnsupportedFilterException refused) {
            // only a restricted profile refuses, and it says which node
            assertThat(profile.backend()).isNotEqualTo("profile-0");
            assertThat(refused.path()).startsWith("$");
            return;
        }
        assertThat(hasFoldableConstant(lowered)).isFalse();
        if (profile.integersAsDoubles()) {
            assertThat(hasConstant(lowered)).as("%s under %s: %s", filter, profile, lowered).isFalse();
        }
        for (Metadata record : records(profile, seed)) {
            assertThat(lowered.test(record)).as("%s on %s under %s: %s", filter, record, profile, lowered)
                    .isEqualTo(filter.test(record));
        }
    }

    /** Lowering validates in the same pass, with exactly the schema's errors. */
    @Example
    void invalidFiltersFailAsTheSchemaSays() {
        for (Filter f : List.of(Filters.eq("colour", "red"), Filters.and(Filters.eq("s", "a"), Filters.gt("s", 3)),
                Filters.not(Filters.in("n", "2023")), Filters.or(Filters.eq("b", true), Filters.exists("nope")))) {
            String expected = catchThrowable(() -> CLOSED.validate(f)).getMessage();
            for (BackendProfile profile : PROFILES) {
                assertThatThrownBy(() -> FilterLowering.lower(f, CLOSED, profile))
                        .isExactlyInstanceOf(InvalidFilterException.class).hasMessage(expected);
            }
        }
    }

    /** Without a test for "equals v or holds v", strings on undeclared fields are refused; numbers and booleans are not. */
    @Example
    void noUndeclaredStringComparisonRefusesOnlyStringsOnUndeclaredFields() {
        BackendProfile profile = BackendProfile.builder("strict").noUndeclaredStringComparison().build();
        for (Filter f : List.of(Filters.eq(UNDECLARED, "a"), Filters.in(UNDECLARED, "a", "b"), Filters.ne(UNDECLARED, "a"),
                Filters.not(Filters.nin(UNDECLARED, "a")))) {
            assertThatThrownBy(() -> FilterLowering.lower(Filters.and(Filters.eq("s", "a"), f), SCHEMA, profile))
                    .isInstanceOfSatisfying(UnsupportedFilterException.class, e -> {
                        assertThat(e.path()).startsWith("$.$and[1].").contains("u.$");
                        assertThat(e.getMessage()).contains("'u' is undeclared").contains("STRING_LIST");
                    });
        }
        for (Filter f : List.of(Filters.eq(UNDECLARED, 2L), Filters.ne(UNDECLARED, 2.5), Filters.in(UNDECLARED, true),
                Filters.eq("s", "a"), Filters.eq("tags", "a"))) {
            assertThat(FilterLowering.lower(f, SCHEMA, profile)).isInstanceOf(LoweredFilter.Leaf.class);
        }
    }

    /** Constants appear only alone: a junction never holds one, nor a single member. */
    private static boolean hasFoldableConstant(LoweredFilter f) {
        List<LoweredFilter> members = f instanceof LoweredFilter.AllOf a ? a.filters()
                : f instanceof LoweredFilter.AnyOf o ? o.filters() : List.of();
        if (!members.isEmpty() && members.size() < 2) {
            return true;
        }
        for (LoweredFilter m : members) {
            if (m instanceof LoweredFilter.Constant || hasFoldableConstant(m)) {
                return true;
            }
        }
        return false;
    }

    private static boolean hasConstant(LoweredFilter f) {
        if (f instanceof LoweredFilter.Constant) {
            return true;
        }
        List<LoweredFilter> members = f instanceof LoweredFilter.AllOf a ? a.filters()
                : f instanceof LoweredFilter.AnyOf o ? o.filters() : List.of();
        return members.stream().anyMatch(FilterLoweringPropertyTest::hasConstant);
    }

    /** Records the profile can store: its exact integers only, its strings only; fields present or not. */
    static List<Metadata> records(BackendProfile profile, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<Metadata> out = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("tenant", pick(random, List.of("a", "b", "A")));
            m.put("rank", pick(random, List.of(1L, 2L, 2022L, P53 - 1)));
            if (random.nextBoolean()) {
                m.put("s", pick(random, STRINGS));
            }
            if (random.nextBoolean()) {
                m.put("n", pick(random, LONGS));
            }
            if (random.nextBoolean()) {
                m.put("d", pick(random, DOUBLES));
            }
            if (random.nextBoolean()) {
                m.put("b", random.nextBoolean());
            }
            if (random.nextBoolean()) {
                List<String> tags = new ArrayList<>();
                for (String s : STRINGS) {
                    if (random.nextInt(3) == 0) {
                        tags.add(s);
                    }
                }
                if (!tags.isEmpty()) {
                    m.put("tags", tags);
                }
            }
            if (random.nextInt(3) > 0) {
                m.put(UNDECLARED, random.nextInt(5) == 0 ? List.of(pick(random, STRINGS), pick(random, STRINGS))
                        : pick(random, ANY_KIND).toJava());
            }
            m.entrySet().removeIf(e -> !storable(profile, e.getKey(), e.getValue()));
            out.add(Metadata.of(m));
        }
        return out;
    }

    private static boolean storable(BackendProfile profile, String field, Object value) {
        if (value instanceof Long l) {
            return (field.equals(UNDECLARED) ? profile.undeclaredIntegerProblem(l) : profile.integerProblem(l)) == null;
        }
        if (value instanceof String s) {
            return profile.textProblem(s) == null;
        }
        if (value instanceof List<?> list) {
            return list.stream().allMatch(v -> storable(profile, field, v));
        }
        return true;
    }

    @Provide
    Arbitrary<BackendProfile> profiles() {
        return Arbitraries.of(PROFILES);
    }

    @Provide
    Arbitrary<Long> seeds() {
        return Arbitraries.longs();
    }

    @Provide
    Arbitrary<Filter> filters() {
        return Arbitraries.recursive(FilterLoweringPropertyTest::leaves, inner -> Arbitraries.oneOf(
                inner.list().ofMinSize(1).ofMaxSize(3).map(Filter.And::new),
                inner.list().ofMinSize(1).ofMaxSize(3).map(Filter.Or::new),
                inner.map(Filter.Not::new)), 0, 3);
    }

    private static Arbitrary<Filter> leaves() {
        List<Arbitrary<Filter>> choices = new ArrayList<>();
        for (FieldSpec spec : SCHEMA.fields()) {
            Arbitrary<ScalarValue> values = values(spec.type());
            String f = spec.name();
            choices.add(values.map(v -> new Filter.Eq(f, v)));
            choices.add(values.map(v -> new Filter.Ne(f, v)));
            choices.add(values.list().ofMinSize(1).ofMaxSize(3).map(vs -> new Filter.In(f, vs)));
            choices.add(values.list().ofMinSize(1).ofMaxSize(3).map(vs -> new Filter.Nin(f, vs)));
            choices.add(Arbitraries.of(true, false).map(b -> new Filter.Exists(f, b)));
            if (spec.type().isNumeric()) {
                choices.add(Arbitraries.of(Filter.RangeOp.class)
                        .flatMap(op -> values.map(v -> new Filter.Range(f, op, (NumberValue) v))));
            }
        }
        // an undeclared field: values of any kind, one kind per $in
        Arbitrary<ScalarValue> any = Arbitraries.of(ANY_KIND);
        Arbitrary<List<ScalarValue>> sameKind = any.flatMap(first -> Arbitraries.of(ANY_KIND)
                .filter(v -> v.kind() == first.kind()).list().ofMaxSize(2)
                .map(rest -> { List<ScalarValue> all = new ArrayList<>(List.of(first)); all.addAll(rest); return all; }));
        choices.add(any.map(v -> new Filter.Eq(UNDECLARED, v)));
        choices.add(any.map(v -> new Filter.Ne(UNDECLARED, v)));
        choices.add(sameKind.map(vs -> new Filter.In(UNDECLARED, vs)));
        choices.add(sameKind.map(vs -> new Filter.Nin(UNDECLARED, vs)));
        choices.add(Arbitraries.of(true, false).map(b -> new Filter.Exists(UNDECLARED, b)));
        choices.add(Arbitraries.of(Filter.RangeOp.class).flatMap(op -> values(FieldType.LONG)
                .map(v -> new Filter.Range(UNDECLARED, op, (NumberValue) v))));
        return Arbitraries.oneOf(choices);
    }

    private static Arbitrary<ScalarValue> values(FieldType type) {
        return switch (type) {
            case STRING, STRING_LIST -> Arbitraries.of(STRINGS).map(StringValue::new);
            case LONG, DOUBLE -> Arbitraries.oneOf(Arbitraries.of(LONGS).map(LongValue::new),
                    Arbitraries.of(DOUBLES).map(DoubleValue::new));
            case BOOLEAN -> Arbitraries.of(BooleanValue.TRUE, BooleanValue.FALSE);
        };
    }

    private static <T> T pick(SplittableRandom random, List<T> pool) {
        return pool.get(random.nextInt(pool.size()));
    }
}
