package dev.portafilter.pgvector;

import dev.portafilter.conformance.ScenarioDataset;
import dev.portafilter.core.InvalidFilterException;
import dev.portafilter.core.UnsupportedFilterException;
import dev.portafilter.core.filter.Filter;
import dev.portafilter.core.filter.FilterJson;
import dev.portafilter.core.metadata.FieldType;
import dev.portafilter.core.metadata.MetadataSchema;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.portafilter.core.filter.Filters.and;
import static dev.portafilter.core.filter.Filters.eq;
import static dev.portafilter.core.filter.Filters.exists;
import static dev.portafilter.core.filter.Filters.gt;
import static dev.portafilter.core.filter.Filters.gte;
import static dev.portafilter.core.filter.Filters.in;
import static dev.portafilter.core.filter.Filters.lt;
import static dev.portafilter.core.filter.Filters.lte;
import static dev.portafilter.core.filter.Filters.missing;
import static dev.portafilter.core.filter.Filters.ne;
import static dev.portafilter.core.filter.Filters.nin;
import static dev.portafilter.core.filter.Filters.not;
import static dev.portafilter.core.filter.Filters.or;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Exact SQL and parameters per operator, per NULL case and per negation; no database needed. */
class PgvectorFilterTranslatorTest {
    private static final PgvectorTableLayout LAYOUT = PgvectorTableLayout.builder("s", "t", ScenarioDataset.SCHEMA, 4)
            .build();
    private static final long TWO_POW_53_PLUS_1 = (1L << 53) + 1;

    private static void assertSql(Filter filter, String sql, Object... params) {
        SqlFragment f = PgvectorFilterTranslator.toSql(LAYOUT, filter);
        assertThat(f.sql()).as(FilterJson.write(filter)).isEqualTo(sql);
        assertThat(f.params()).as(FilterJson.write(filter)).containsExactly(params);
    }

    @Test
    void equalityAndItsComplementOverNull() {
        assertSql(eq("region", "US"), "\"region\" = ?", "US");
        assertSql(ne("region", "US"), "\"region\" IS DISTINCT FROM ?", "US");
        assertSql(not(eq("region", "US")), "\"region\" IS DISTINCT FROM ?", "US");
        assertSql(not(ne("region", "US")), "\"region\" = ?", "US");
        assertSql(eq("reviewed", true), "\"reviewed\" = ?", true);
        assertSql(ne("reviewed", false), "\"reviewed\" IS DISTINCT FROM ?", false);
        assertSql(eq("region", ""), "\"region\" = ?", "");
    }

    @Test
    void numbersAreConvertedExactlyToTheColumnType() {
        assertSql(eq("publicationYear", 2023), "\"publicationYear\" = ?", 2023L);
        assertSql(eq("publicationYear", 2023.0), "\"publicationYear\" = ?", 2023L);
        // no integer equals 2022.5: nothing matches, and its complement matches every row, missing ones too
        assertSql(eq("publicationYear", 2022.5), "FALSE");
        assertSql(ne("publicationYear", 2022.5), "TRUE");
        assertSql(eq("confidence", 1), "\"confidence\" = ?", 1.0);
        // 2^53 + 1 is no double, so no double column value equals it
        assertSql(eq("confidence", TWO_POW_53_PLUS_1), "FALSE");
        assertSql(in("publicationYear", 2021, 2024.0, 2022.5), "\"publicationYear\" = ANY(?)", List.of(2021L, 2024L));
        assertSql(in("publicationYear", 2022.5), "FALSE");
        assertSql(nin("publicationYear", 2022.5), "TRUE");
    }

    @Test
    void rangesAndTheirComplementsKeepMissingFields() {
        assertSql(gt("publicationYear", 2022), "\"publicationYear\" > ?", 2022L);
        assertSql(gte("publicationYear", 2022), "\"publicationYear\" >= ?", 2022L);
        assertSql(lt("publicationYear", 2022), "\"publicationYear\" < ?", 2022L);
        assertSql(lte("publicationYear", 2022), "\"publicationYear\" <= ?", 2022L);
        assertSql(not(gt("publicationYear", 2022)), "(\"publicationYear\" IS NULL OR \"publicationYear\" <= ?)", 2022L);
        assertSql(not(gte("publicationYear", 2022)), "(\"publicationYear\" IS NULL OR \"publicationYear\" < ?)", 2022L);
        assertSql(not(lt("publicationYear", 2022)), "(\"publicationYear\" IS NULL OR \"publicationYear\" >= ?)", 2022L);
        assertSql(not(lte("publicationYear", 2022)), "(\"publicationYear\" IS NULL OR \"publicationYear\" > ?)", 2022L);
        assertSql(gte("confidence", 0.88), "\"confidence\" >= ?", 0.88);
    }

    @Test
    void fractionalBoundsOnIntegerColumnsBecomeIntegerBounds() {
        assertSql(gt("publicationYear", 2022.5), "\"publicationYear\" > ?", 2022L);
        assertSql(gte("publicationYear", 2022.5), "\"publicationYear\" >= ?", 2023L);
        assertSql(lt("publicationYear", 2022.5), "\"publicationYear\" < ?", 2023L);
        assertSql(lte("publicationYear", 2022.5), "\"publicationYear\" <= ?", 2022L);
        assertSql(lte("publicationYear", -2022.5), "\"publicationYear\" <= ?", -2023L);
        // beyond the 64-bit range: every present value, or none
        assertSql(lt("publicationYear", 1e30), "\"publicationYear\" IS NOT NULL");
        assertSql(not(lt("publicationYear", 1e30)), "\"publicationYear\" IS NULL");
        assertSql(gt("publicationYear", 1e30), "FALSE");
        assertSql(not(gt("publicationYear", 1e30)), "TRUE");
        assertSql(gt("publicationYear", -1e30), "\"publicationYear\" IS NOT NULL");
    }

    @Test
    void longBoundsNoDoubleCanHoldBecomeTheNearestDoubleOnTheRightSide() {
        double below = (double) (1L << 53);
        double above = below + 2;
        assertSql(gt("confidence", TWO_POW_53_PLUS_1), "\"confidence\" >= ?", above);
        assertSql(gte("confidence", TWO_POW_53_PLUS_1), "\"confidence\" >= ?", above);
        assertSql(lt("confidence", TWO_POW_53_PLUS_1), "\"confidence\" <= ?", below);
        assertSql(lte("confidence", TWO_POW_53_PLUS_1), "\"confidence\" <= ?", below);
        assertSql(not(gt("confidence", TWO_POW_53_PLUS_1)), "(\"confidence\" IS NULL OR \"confidence\" <= ?)", below);
    }

    @Test
    void membershipAndItsComplementOverNull() {
        assertSql(in("region", "US", "UK"), "\"region\" = ANY(?)", List.of("US", "UK"));
        assertSql(nin("region", "US", "UK"), "(\"region\" IS NULL OR \"region\" <> ALL(?))", List.of("US", "UK"));
        assertSql(not(in("region", "US")), "\"region\" IS DISTINCT FROM ?", "US");
        assertSql(not(nin("region", "US")), "\"region\" = ?", "US");
        assertSql(in("confidence", 1, 0.5), "\"confidence\" = ANY(?)", List.of(1.0, 0.5));
    }

    @Test
    void existsIsNullness() {
        assertSql(exists("tags"), "\"tags\" IS NOT NULL");
        assertSql(missing("tags"), "\"tags\" IS NULL");
        assertSql(not(exists("tags")), "\"tags\" IS NULL");
        assertSql(not(missing("tags")), "\"tags\" IS NOT NULL");
    }

    @Test
    void listFieldsMatchAnyElementAndTheirComplementsNone() {
        assertSql(eq("patientIds", "P001"), "\"patientIds\" @> ARRAY[?]::text[]", "P001");
        assertSql(ne("patientIds", "P001"), "(\"patientIds\" IS NULL OR NOT (\"patientIds\" @> ARRAY[?]::text[]))", "P001");
        assertSql(in("tags", "a", "b"), "\"tags\" && ?::text[]", List.of("a", "b"));
        assertSql(nin("tags", "a", "b"), "(\"tags\" IS NULL OR NOT (\"tags\" && ?::text[]))", List.of("a", "b"));
        assertSql(not(eq("patientIds", "P001")),
                "(\"patientIds\" IS NULL OR NOT (\"patientIds\" @> ARRAY[?]::text[]))", "P001");
    }

    @Test
    void negationsArePushedToTheLeavesByDeMorgan() {
        assertSql(and(eq("customer", "A"), eq("region", "US")), "(\"customer\" = ? AND \"region\" = ?)", "A", "US");
        assertSql(or(eq("customer", "A"), gt("publicationYear", 2022)),
                "(\"customer\" = ? OR \"publicationYear\" > ?)", "A", 2022L);
        assertSql(not(and(eq("customer", "A"), eq("region", "US"))),
                "(\"customer\" <> ? OR \"region\" IS DISTINCT FROM ?)", "A", "US");
        assertSql(not(or(eq("focus", "genomics"), gte("confidence", 0.9))),
                "(\"focus\" IS DISTINCT FROM ? AND (\"confidence\" IS NULL OR \"confidence\" < ?))", "genomics", 0.9);
        assertSql(not(not(eq("customer", "B"))), "\"customer\" = ?", "B");
        assertSql(not(and(eq("customer", "A"), or(missing("region"), not(in("tags", "x"))))),
                "(\"customer\" <> ? OR (\"region\" IS NOT NULL AND \"tags\" @> ARRAY[?]::text[]))",
                "A", "x");
        assertSql(and(List.of(eq("customer", "A"))), "\"customer\" = ?", "A");
    }

    @Test
    void columnsCanBeQualifiedWithATableAlias() {
        SqlFragment f = new PgvectorFilterTranslator(LAYOUT, "existing").translate(not(eq("region", "US")));
        assertThat(f.sql()).isEqualTo("\"existing\".\"region\" IS DISTINCT FROM ?");
    }

    @Test
    void unknownFieldsAndWrongTypesAreTypedErrorsNamingThePath() {
        assertThatThrownBy(() -> PgvectorFilterTranslator.toSql(LAYOUT, and(eq("customer", "A"), eq("colour", "red"))))
                .isInstanceOf(InvalidFilterException.class)
                .satisfies(e -> assertThat(((InvalidFilterException) e).path()).isEqualTo("$.$and[1].colour.$eq"));
        assertThatThrownBy(() -> PgvectorFilterTranslator.toSql(LAYOUT, eq("publicationYear", "2023")))
                .isInstanceOf(InvalidFilterException.class).hasMessageContaining("publicationYear");
        assertThatThrownBy(() -> PgvectorFilterTranslator.toSql(LAYOUT, gt("region", 3)))
                .isInstanceOf(InvalidFilterException.class).hasMessageContaining("region");
    }

    @Test
    void stringsPostgresqlCannotHoldAreTypedErrors() {
        assertThatThrownBy(() -> PgvectorFilterTranslator.toSql(LAYOUT, not(eq("region", "a\0b"))))
                .isInstanceOf(UnsupportedFilterException.class).hasMessageContaining("NUL")
                .satisfies(e -> assertThat(((InvalidFilterException) e).path()).isEqualTo("$.$not.region.$eq"));
        assertThatThrownBy(() -> PgvectorFilterTranslator.toSql(LAYOUT, in("tags", "ok", "\0")))
                .isInstanceOf(UnsupportedFilterException.class).hasMessageContaining("$.tags.$in");
        assertThatThrownBy(() -> PgvectorFilterTranslator.toSql(LAYOUT, eq("region", "\uD800")))
                .isInstanceOf(UnsupportedFilterException.class).hasMessageContaining("surrogate");
        assertSql(eq("region", "\uD83D\uDE00"), "\"region\" = ?", "\uD83D\uDE00");
    }

    @Test
    void hostileValuesAndDeclaredFieldNamesNeverBecomeSqlText() {
        String hostileField = "a\"; DROP TABLE t; --";
        MetadataSchema schema = MetadataSchema.builder().optional(hostileField, FieldType.STRING).build();
        PgvectorTableLayout layout = PgvectorTableLayout.builder("s", "t", schema, 4).build();
        String value = "'; DROP TABLE t; --";
        SqlFragment f = PgvectorFilterTranslator.toSql(layout, eq(hostileField, value));
        assertThat(f.sql()).isEqualTo("\"a\"\"; DROP TABLE t; --\" = ?");
        assertThat(f.sql()).doesNotContain(value);
        assertThat(f.params()).containsExactly(value);
    }
}
