package dev.portafilter.conformance;

import dev.portafilter.core.filter.FilterJson;
import dev.portafilter.core.filter.ReferenceEvaluator;
import dev.portafilter.core.store.VectorRecord;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.util.HashSet;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The hand-written table and the reference evaluator agree, and every case survives a JSON round trip. */
class SemanticsCasesTest {
    @TestFactory
    Stream<DynamicTest> referenceEvaluatorMatchesTheTable() {
        return SemanticsCases.all().stream().map(c -> DynamicTest.dynamicTest(c.toString(), () -> {
            Set<String> actual = ScenarioDataset.records().stream()
                    .filter(r -> ReferenceEvaluator.matches(c.filter(), r.metadata()))
                    .map(VectorRecord::id).collect(Collectors.toSet());
            assertThat(actual).isEqualTo(c.expectedIds());
            assertThat(FilterJson.parse(FilterJson.write(c.filter()))).isEqualTo(c.filter());
        }));
    }

    @Test
    void caseNamesAreUnique() {
        Set<String> names = new HashSet<>();
        SemanticsCases.all().forEach(c -> assertThat(names.add(c.name())).as(c.name()).isTrue());
    }

    @Test
    void everyIdentityNamesOneCaseInTheTablesOrder() {
        assertThat(SemanticsCases.all()).extracting(SemanticsCase::id).containsExactly(SemanticsCase.Id.values());
        for (SemanticsCase.Id id : SemanticsCase.Id.values()) {
            assertThat(SemanticsCases.get(id).id()).isEqualTo(id);
        }
    }

    @Test
    void scenarioRecordsFitTheSchema() {
        ScenarioDataset.records().forEach(r -> ScenarioDataset.SCHEMA.validateRecord(r.id(), r.metadata()));
        assertThat(ScenarioDataset.idsOf(ScenarioDataset.CUSTOMER_A)).hasSize(6);
        assertThat(ScenarioDataset.idsOf(ScenarioDataset.CUSTOMER_B)).hasSize(6);
    }
}
