package dev.portafilter.pgvector;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.pgvector.PGvector;
import dev.portafilter.conformance.ScenarioDataset;
import dev.portafilter.core.metadata.FieldType;
import dev.portafilter.core.metadata.Metadata;
import dev.portafilter.core.metadata.MetadataSchema;
import dev.portafilter.core.store.VectorRecord;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The table AWS's guide has a Bedrock knowledge base sync into on Aurora PostgreSQL, with a custom column for the
 * tenant and every other attribute in the {@code custom_metadata} jsonb column (Bedrock's {@code customMetadataField}),
 * written as Bedrock writes rows. There is no Bedrock here to sync it: the rows are written by SQL in that shape.
 */
class BedrockAuroraTableTest extends PeerTableContract {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final MetadataSchema SCHEMA = MetadataSchema.builder()
            .required("customer", FieldType.STRING)
            .allowUndeclared()
            .build();
    private String table;

    @Override
    MetadataSchema schema() {
        return SCHEMA;
    }

    @Override
    PgvectorTableLayout createAndWrite(String tableName, List<VectorRecord> records) {
        table = PgvectorTestServer.SCRATCH_SCHEMA + "." + tableName;
        try (Connection c = PgvectorTestServer.dataSource().getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE " + table + " (id uuid PRIMARY KEY, embedding vector(" + ScenarioDataset.DIMENSION
                    + "), chunks text, metadata json, custom_metadata jsonb, customer text)");
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + table
                    + " VALUES (?::uuid, ?, ?, ?::json, ?::jsonb, ?)")) {
                for (VectorRecord r : records) {
                    Map<String, Object> custom = new LinkedHashMap<>(r.metadata().toJava());
                    ps.setString(1, r.id());
                    ps.setObject(2, new PGvector(r.vector()));
                    ps.setString(3, r.text());
                    ps.setString(4, JSON.writeValueAsString(Map.of("x-amz-bedrock-kb-source-uri", "s3://kb/" + r.id())));
                    ps.setString(5, JSON.writeValueAsString(custom));
                    ps.setString(6, (String) custom.get("customer"));
                    ps.addBatch();
                }
                ps.executeBatch();
            }
        } catch (SQLException | com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        return PgvectorTableLayout.bedrockKnowledgeBase(PgvectorTestServer.SCRATCH_SCHEMA, tableName, SCHEMA,
                ScenarioDataset.DIMENSION).build();
    }

    @Override
    Metadata asThePeerKeepsIt(Metadata metadata) {
        return metadata;
    }

    /** What Bedrock's retrieval reads: the custom column and the custom metadata, nearest first. */
    @Override
    Map<String, Map<String, Object>> peerSearch(float[] vector, int k) {
        Map<String, Map<String, Object>> out = new LinkedHashMap<>();
        try (Connection c = PgvectorTestServer.dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT id, customer, custom_metadata FROM " + table
                     + " ORDER BY embedding <=> ? LIMIT ?")) {
            ps.setObject(1, new PGvector(vector));
            ps.setInt(2, k);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Map<String, Object> metadata = new LinkedHashMap<>();
                    if (rs.getString(3) != null) {
                        @SuppressWarnings("unchecked")
                        Map<String, Object> custom = JSON.readValue(rs.getString(3), Map.class);
                        metadata.putAll(custom);
                    }
                    metadata.put("customer", rs.getString(2));
                    out.put(rs.getString(1), metadata);
                }
            }
        } catch (SQLException | com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        return out;
    }

    @Override
    void closePeer() {
        // plain SQL: nothing to close
    }
}
