package dev.portafilter.interop;

import dev.portafilter.conformance.ScenarioDataset;
import dev.portafilter.conformance.SemanticsCases;
import dev.portafilter.core.InvalidFilterException;
import dev.portafilter.core.filter.Filter;
import dev.portafilter.core.metadata.Metadata;
import dev.portafilter.core.metadata.MetadataSchema;
import dev.portafilter.core.store.SearchHit;
import dev.portafilter.core.store.VectorRecord;
import dev.portafilter.core.store.VectorStore;
import org.junit.jupiter.api.DynamicTest;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The scenario as a peer library holds it (UUID ids, which the peers need; only the metadata the peer can store),
 * and the checks every table or index a peer wrote must pass once Portafilter opens it.
 */
public final class PeerScenario {
    /** More than the scenario's records: a search returns every record that passes the filter. */
    public static final int K = 100;

    private final List<VectorRecord> written;
    private final Map<String, String> scenarioIdOf;

    public PeerScenario(UnaryOperator<Metadata> asThePeerKeepsIt) {
        written = ScenarioDataset.records().stream().map(r -> new VectorRecord(uuid(r.id()), r.vector(), r.text(),
                asThePeerKeepsIt.apply(r.metadata()))).toList();
        scenarioIdOf = ScenarioDataset.records().stream().collect(Collectors.toMap(r -> uuid(r.id()), VectorRecord::id));
    }

    public static String uuid(String id) {
        return UUID.nameUUIDFromBytes(id.getBytes(StandardCharsets.UTF_8)).toString();
    }

    /** The records as the peer wrote them. */
    public List<VectorRecord> written() {
        return written;
    }

    /**
     * Every semantics case on the store: the reference's answer on what the peer wrote, by search and by count; a
     * case on a field the schema does not declare is refused with an {@link InvalidFilterException}.
     */
    public Stream<DynamicTest> everyCaseAnswersAsTheReference(VectorStore store) {
        MetadataSchema schema = store.schema();
        return SemanticsCases.all().stream().map(c -> DynamicTest.dynamicTest(c.toString(), () -> {
            Filter f = c.filter();
            float[] query = ScenarioDataset.vectorFor("query", ScenarioDataset.DIMENSION);
            if (!declares(schema, f)) {
                assertThatThrownBy(() -> store.search(query, K, f)).as(c.filterJson())
                        .isInstanceOf(InvalidFilterException.class);
                return;
            }
            List<String> expected = written.stream().filter(r -> f.test(r.metadata()))
                    .map(r -> scenarioIdOf.get(r.id())).sorted().toList();
            List<String> hits = store.search(query, K, f).stream().map(h -> scenarioIdOf.get(h.id())).sorted().toList();
            assertThat(hits).as(c.filterJson()).isEqualTo(expected);
            assertThat(store.count(f)).as(c.filterJson()).isEqualTo(expected.size());
        }));
    }

    /** Each record is found by its own vector, with the metadata the schema reads of what the peer wrote. */
    public void everyRecordReadsBack(VectorStore store) {
        MetadataSchema schema = store.schema();
        for (VectorRecord r : written) {
            SearchHit hit = store.search(r.vector(), 1).get(0);
            assertThat(hit.id()).isEqualTo(r.id());
            assertThat(hit.metadata()).isEqualTo(schema.validateRecord(r.id(), declaredPart(schema, r.metadata())));
        }
    }

    /** The fields the schema reads: all of them where it allows undeclared ones. */
    private static Metadata declaredPart(MetadataSchema schema, Metadata metadata) {
        if (schema.allowsUndeclared()) {
            return metadata;
        }
        return Metadata.of(metadata.asMap().entrySet().stream().filter(e -> schema.field(e.getKey()).isPresent())
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)));
    }

    private static boolean declares(MetadataSchema schema, Filter f) {
        try {
            schema.validate(f);
            return true;
        } catch (InvalidFilterException e) {
            return false;
        }
    }
}
