package dev.portafilter.conformance.audit;

import dev.portafilter.conformance.StoreFixture;
import dev.portafilter.core.InvalidRecordException;
import dev.portafilter.core.InvalidSchemaException;
import dev.portafilter.core.UnsupportedFilterException;
import dev.portafilter.core.filter.Filter;
import dev.portafilter.core.metadata.MetadataSchema;
import dev.portafilter.core.store.ForwardingVectorStore;
import dev.portafilter.core.store.InMemoryVectorStore;
import dev.portafilter.core.store.SearchHit;
import dev.portafilter.core.store.SearchRequest;
import dev.portafilter.core.store.VectorRecord;
import dev.portafilter.core.store.VectorStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CasesFileTest {
    static final String DOC = """
            {"schema": {"customer": {"type": "STRING", "required": true},
                        "year": {"type": "LONG"},
                        "tags": {"type": "STRING_LIST"}},
             "records": [{"id": "r1", "text": "one", "metadata": {"customer": "A", "year": 2023, "tags": ["x", "y"]}},
                         {"id": "r2", "metadata": {"customer": "B"}},
                         {"id": "r3", "metadata": {"customer": "A", "year": 2020}}],
             "cases": [{"name": "ne keeps missing", "filter": {"year": {"$ne": 2023}}, "expect": ["r2", "r3"]},
                       {"name": "list any", "filter": {"tags": "y"}, "expect": ["r1"]},
                       {"name": "wrong on purpose", "filter": {"customer": "A"}, "expect": ["r1", "r2"]}]}
            """;


    /** Without a schema, or beside one, a field the file does not declare is undeclared: each value's own kind. */
    @Test
    void fieldsTheSchemaDoesNotListAreUndeclared() {
        String undeclared = """
                {"records": [{"id": "a", "metadata": {"customer": "A", "v": "2"}},
                             {"id": "b", "metadata": {"customer": "A", "v": 2}},
                             {"id": "c", "metadata": {"customer": "A", "v": 2.0, "w": []}}],
                 "cases": [{"name": "kind-exact", "filter": {"v": "2"}, "expect": ["a"]},
                           {"name": "numbers by value", "filter": {"v": 2}, "expect": ["b", "c"]},
                           {"name": "[] is absent", "filter": {"w": {"$exists": false}}, "expect": ["a", "b", "c"]}]}
                """;
        CasesFile file = CasesFile.parse(undeclared);
        assertThat(file.schema().allowsUndeclared()).isTrue();
        assertThat(CaseRunner.run(StoreFixture.inMemory(), file)).extracting(CaseRunner.CaseResult::passed)
                .containsExactly(true, true, true);
        assertThat(CasesFile.parse(DOC).schema().allowsUndeclared()).isTrue();
    }

    @Test
    void runsEachCaseBySearchAndCountAndReportsTheDifference() {
        List<CaseRunner.CaseResult> results = CaseRunner.run(StoreFixture.inMemory(), CasesFile.parse(DOC));
        assertThat(results).extracting(CaseRunner.CaseResult::passed).containsExactly(true, true, false);
        CaseRunner.CaseResult wrong = results.get(2);
        assertThat(wrong.missing()).containsExactly("r2");
        assertThat(wrong.unexpected()).containsExactly("r3");
        assertThat(wrong.count()).hasValue(2);
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', textBlock = """
            "records": [],                 | $.records                      | expected an array
            "type": "LONG"},               | $.schema.year.type             | expected one of
            "year": 2023,                  | $.records[0].metadata.year     | expected LONG
            {"year": {"$ne": 2023}}        | $.cases[0].filter.year.$nex    | unknown operator $nex
            "expect": ["r2", "r3"]         | $.cases[0].expect[1]           | no record has id 'r9'
            {"tags": "y"}                  | $.cases[1].filter.year.$eq     | field 'year' is LONG
            "text": "one",                 | $.records[0].text              | expected a string
            """)
    void malformedFilesNameTheJsonPath(String original, String path, String reason) {
        String broken = switch (path) {
            case "$.records" -> DOC.replace("\"records\": [", "\"records\": {\"x\": [").replace("}}],\n \"cases\"", "}}]},\n \"cases\"");
            case "$.schema.year.type" -> DOC.replace("\"year\": {\"type\": \"LONG\"}", "\"year\": {\"type\": \"INT\"}");
            case "$.records[0].metadata.year" -> DOC.replace("\"year\": 2023,", "\"year\": 2023.5,");
            case "$.cases[0].filter.year.$nex" -> DOC.replace("{\"year\": {\"$ne\": 2023}}", "{\"year\": {\"$nex\": 2023}}");
            case "$.cases[0].expect[1]" -> DOC.replace("\"expect\": [\"r2\", \"r3\"]", "\"expect\": [\"r2\", \"r9\"]");
            case "$.cases[1].filter.year.$eq" -> DOC.replace("{\"tags\": \"y\"}", "{\"year\": \"y\"}");
            default -> DOC.replace("\"text\": \"one\",", "\"text\": 1,");
        };
        assertThat(broken).as("the test's own edit of " + original).isNotEqualTo(DOC);
        assertThatThrownBy(() -> CasesFile.parse(broken)).isInstanceOfSatisfying(CasesFileException.class, e -> {
            assertThat(e.path()).isEqualTo(path);
            assertThat(e.getMessage()).contains(reason);
        });
    }

    @Test
    void whatTheBackendCannotTakeNamesItsPathInTheFile() {
        CasesFile file = CasesFile.parse(DOC);
        StoreFixture noYear = refusing(new InvalidSchemaException("year", "not here"), null, null);
        assertThatThrownBy(() -> CaseRunner.run(noYear, file)).isInstanceOfSatisfying(CasesFileException.class, e -> {
            assertThat(e.path()).isEqualTo("$.schema.year");
            assertThat(e.getMessage()).contains("refusing cannot use this field: not here");
        });
        StoreFixture badValue = refusing(null, new InvalidRecordException("r3", "year", "too big"), null);
        assertThatThrownBy(() -> CaseRunner.run(badValue, file)).isInstanceOfSatisfying(CasesFileException.class, e -> {
            assertThat(e.path()).isEqualTo("$.records[2].metadata.year");
            assertThat(e.getMessage()).contains("record 'r3': memory cannot store it: too big");
        });
        StoreFixture noNe = refusing(null, null, new UnsupportedFilterException("refusing", "$.year.$ne", "no $ne"));
        assertThatThrownBy(() -> CaseRunner.run(noNe, file)).isInstanceOfSatisfying(CasesFileException.class, e -> {
            assertThat(e.path()).isEqualTo("$.cases[0].filter.year.$ne");
            assertThat(e.getMessage()).contains("refusing cannot express this filter: no $ne");
        });
    }

    /** In-memory stores that refuse the schema, every write or every search with the given error. */
    private static StoreFixture refusing(InvalidSchemaException schema, InvalidRecordException write,
                                         UnsupportedFilterException search) {
        return new StoreFixture() {
            @Override
            public String name() {
                return "refusing";
            }

            @Override
            public VectorStore newStore(MetadataSchema s, int dimension) {
                if (schema != null) {
                    throw schema;
                }
                return new ForwardingVectorStore(new InMemoryVectorStore(s, dimension)) {
                    @Override
                    public void upsert(List<VectorRecord> records) {
                        refuseWrite();
                        super.upsert(records);
                    }

                    @Override
                    public void upsert(List<VectorRecord> records, Filter guard) {
                        refuseWrite();
                        super.upsert(records, guard);
                    }

                    private void refuseWrite() {
                        if (write != null) {
                            throw write;
                        }
                    }

                    @Override
                    public List<SearchHit> search(SearchRequest request) {
                        if (search != null) {
                            throw search;
                        }
                        return super.search(request);
                    }
                };
            }
        };
    }
}
