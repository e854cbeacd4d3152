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

import java.math.BigDecimal;
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

    /** How a test asks the peer for its nearest records: their ids and the metadata the peer reads. */
    @FunctionalInterface
    public interface PeerSearch {
        Map<String, Map<String, Object>> nearest(float[] vector, int k) throws Exception;
    }

    /**
     * A record Portafilter writes is found by the peer's own search with the metadata the peer reads (a number, or
     * its digits where the peer keeps numbers as text, as LangChain4j does); it is deleted again afterwards.
     */
    public static void thePeerReadsWhatPortafilterWrites(VectorStore store, PeerSearch peer) throws Exception {
        VectorRecord mine = new VectorRecord(uuid("portafilter-written"),
                ScenarioDataset.vectorFor("portafilter-written", ScenarioDataset.DIMENSION), "written by Portafilter",
                Metadata.of("customer", ScenarioDataset.CUSTOMER_A, "documentType", "note", "publicationYear", 2026));
        store.upsert(List.of(mine));
        try {
            Map<String, Map<String, Object>> found = peer.nearest(mine.vector(), 1);
            assertThat(found).containsOnlyKeys(mine.id());
            assertThat(found.get(mine.id())).containsEntry("customer", ScenarioDataset.CUSTOMER_A)
                    .containsEntry("documentType", "note");
            assertThat(new BigDecimal(String.valueOf(found.get(mine.id()).get("publicationYear")))).isEqualTo("2026");
        } finally {
            store.delete(List.of(mine.id()));
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
