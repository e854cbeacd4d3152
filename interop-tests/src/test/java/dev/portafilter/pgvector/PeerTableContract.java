package dev.portafilter.pgvector;

import dev.portafilter.conformance.ScenarioDataset;
import dev.portafilter.interop.PeerScenario;
import dev.portafilter.core.filter.Filter;
import dev.portafilter.core.filter.Filters;
import dev.portafilter.core.metadata.Metadata;
import dev.portafilter.core.metadata.MetadataSchema;
import dev.portafilter.core.store.VectorRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A table another library created and filled, opened by Portafilter as it is: every semantics case answers as the
 * reference says on the metadata that library wrote, Portafilter's writes read back through that library, and the
 * table is left as it was (no column, no index) unless an index is asked for explicitly.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class PeerTableContract {
    private PeerScenario scenario;
    private PgvectorTableLayout layout;
    private PgvectorStore store;
    private List<String> columnsBefore;

    /** Creates the table through the peer's own library, writes the records through it, and returns its layout. */
    abstract PgvectorTableLayout createAndWrite(String table, List<VectorRecord> records);

    /** What the peer keeps of a record's metadata (LangChain4j keeps no lists and no booleans). */
    abstract Metadata asThePeerKeepsIt(Metadata metadata);

    /** The ids and metadata of the peer's own nearest k records to the vector. */
    abstract Map<String, Map<String, Object>> peerSearch(float[] vector, int k);

    abstract void closePeer();

    @BeforeAll
    void createTable() throws SQLException {
        scenario = new PeerScenario(this::asThePeerKeepsIt);
        layout = createAndWrite(PgvectorTestServer.uniqueTableName("peer"), scenario.written());
        columnsBefore = columns();
        store = PgvectorStore.builder(layout).dataSource(PgvectorTestServer.dataSource()).build();
    }

    @AfterAll
    void dropTable() {
        closePeer();
        store.close();
        PgvectorSchemaManager.dropTable(PgvectorTestServer.dataSource(), layout);
    }

    /** The schema the table is opened with: the scenario's, all declared, unless a peer keeps fields undeclared. */
    MetadataSchema schema() {
        return ScenarioDataset.SCHEMA;
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
    void portafilterWritesWhatThePeerReadsAndChangesNoColumnOrIndex() throws Exception {
        PeerScenario.thePeerReadsWhatPortafilterWrites(store, this::peerSearch);
        assertThat(columns()).isEqualTo(columnsBefore);
        String documentIndex = layout.tableName() + "_" + layout.documentColumn().orElseThrow() + "_idx";
        assertThat(indexes()).doesNotContain(documentIndex);
        Filter onTheDocument = Filters.eq("documentType", "note");
        assertThat(store.explainPlan(onTheDocument, 10).reason()).contains("no GIN index serves filters");
        PgvectorSchemaManager.createDocumentIndex(PgvectorTestServer.dataSource(), layout);
        assertThat(indexes()).contains(documentIndex);
        assertThat(store.explainPlan(onTheDocument, 10).reason()).doesNotContain("no GIN index");
    }

    private List<String> columns() throws SQLException {
        return query("SELECT column_name || ' ' || data_type FROM information_schema.columns "
                + "WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position", r -> r);
    }

    private List<String> indexes() throws SQLException {
        return query("SELECT indexname FROM pg_indexes WHERE schemaname = ? AND tablename = ?", r -> r);
    }

    private List<String> query(String sql, Function<String, String> row) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = PgvectorTestServer.dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, layout.schemaName());
            ps.setString(2, layout.tableName());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(row.apply(rs.getString(1)));
                }
            }
        }
        return out;
    }
}
