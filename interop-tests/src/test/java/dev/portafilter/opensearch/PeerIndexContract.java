package dev.portafilter.opensearch;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portafilter.conformance.ScenarioDataset;
import dev.portafilter.core.InvalidSchemaException;
import dev.portafilter.core.metadata.MetadataSchema;
import dev.portafilter.core.store.VectorRecord;
import dev.portafilter.interop.PeerScenario;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;
import org.opensearch.client.json.jackson.JacksonJsonpMapper;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * An index another writer created and filled with OpenSearch's dynamic mapping (strings as analysed text with a
 * keyword subfield, decimals as floats), opened by Portafilter as it is: every semantics case answers as the
 * reference says on what was written, a field the mapping rounds is refused at open, Portafilter's writes read back
 * through the peer, and the mapping is left exactly as it was.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class PeerIndexContract {
    /** Dynamic mapping makes the scenario's decimals floats, which no filter may compare as exact numbers. */
    static final String ROUNDED_FIELD = "confidence";
    /** The scenario's schema without the field the index rounds. */
    static final MetadataSchema SCHEMA = withoutRoundedField();

    private PeerScenario scenario;
    private OpenSearchStore store;
    private String index;
    private String mappingBefore;

    /** The layout Portafilter opens the peer's index with. */
    abstract OpenSearchIndexLayout.Builder layout(String index, MetadataSchema schema);

    /** Creates the index as the peer does and writes the records as the peer does. */
    abstract void createAndWrite(String index, List<VectorRecord> records) throws Exception;

    /** The ids and metadata of the peer's own nearest k records to the vector. */
    abstract Map<String, Map<String, Object>> peerSearch(float[] vector, int k) throws Exception;

    abstract void closePeer() throws Exception;

    @BeforeAll
    void createIndex() throws Exception {
        scenario = new PeerScenario(m -> m);
        index = TestServer.scratchIndex("peer");
        createAndWrite(index, scenario.written());
        TestServer.client().indices().refresh(r -> r.index(index));
        mappingBefore = mapping();
        store = TestServer.storeByUrl(layout(index, SCHEMA).build()).build();
    }

    @AfterAll
    void dropIndex() throws Exception {
        closePeer();
        if (store != null) {
            store.deleteIndex();
            store.close();
        }
    }

    @TestFactory
    Stream<DynamicTest> everySemanticsCaseAnswersAsTheReferenceOnWhatThePeerWrote() {
        return scenario.everyCaseAnswersAsTheReference(store);
    }

    @Test
    void recordsReadBackAsThePeerWroteThem() {
        scenario.everyRecordReadsBack(store);
    }

    @Test
    void aFieldTheMappingRoundsIsRefusedWhenDeclared() {
        OpenSearchIndexLayout all = layout(index, ScenarioDataset.SCHEMA).build();
        assertThatThrownBy(() -> TestServer.storeByUrl(all).build()).isInstanceOf(InvalidSchemaException.class)
                .hasMessageContaining(ROUNDED_FIELD).hasMessageContaining("float");
    }

    @Test
    void portafilterWritesWhatThePeerReadsAndChangesNoMapping() throws Exception {
        PeerScenario.thePeerReadsWhatPortafilterWrites(store, this::peerSearch);
        assertThat(mapping()).isEqualTo(mappingBefore);
    }

    private static MetadataSchema withoutRoundedField() {
        MetadataSchema.Builder schema = MetadataSchema.builder();
        ScenarioDataset.SCHEMA.fields().stream().filter(f -> !f.name().equals(ROUNDED_FIELD)).forEach(schema::field);
        return schema.build();
    }

    private String mapping() throws IOException {
        return OpenSearchFilterTranslator.json(TestServer.client().indices().getMapping(g -> g.index(index)).result()
                .get(index).mappings(), new JacksonJsonpMapper(new ObjectMapper()));
    }
}
