package dev.portafilter.pgvector;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.pgvector.PGvector;
import dev.portafilter.core.InvalidRecordException;
import dev.portafilter.core.metadata.BooleanValue;
import dev.portafilter.core.metadata.DoubleValue;
import dev.portafilter.core.metadata.LongValue;
import dev.portafilter.core.metadata.Metadata;
import dev.portafilter.core.metadata.MetadataValue;
import dev.portafilter.core.metadata.StringListValue;
import dev.portafilter.core.metadata.StringValue;
import dev.portafilter.core.store.VectorRecord;
import dev.portafilter.pgvector.PgvectorTableLayout.IdType;
import dev.portafilter.pgvector.PgvectorTableLayout.MetadataColumn;
import org.postgresql.util.PGobject;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A record as a table row, in the layout's column order (id, text, embedding, [metadata json], metadata
 * columns, [document of undeclared fields]): checks what PostgreSQL cannot hold, binds rows to INSERT parameters,
 * writes them in binary COPY format, and reads search results back.
 */
final class RowCodec {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int TEXT_OID = 25;
    private static final int JSONB_VERSION = 1;

    private final PgvectorTableLayout layout;
    private final List<String> columnNames;
    private final List<String> columnTypes;

    RowCodec(PgvectorTableLayout layout) {
        this.layout = layout;
        List<String> names = new ArrayList<>();
        List<String> types = new ArrayList<>();
        names.add(PgvectorTableLayout.quote(layout.idColumn()));
        types.add(layout.idType().sql());
        names.add(PgvectorTableLayout.quote(layout.textColumn()));
        types.add("text");
        names.add(PgvectorTableLayout.quote(layout.embeddingColumn()));
        types.add("vector(" + layout.dimension() + ")");
        layout.metadataJsonColumn().ifPresent(c -> {
            names.add(PgvectorTableLayout.quote(c));
            types.add("json");
        });
        for (MetadataColumn c : layout.columns()) {
            names.add(c.sqlName());
            types.add(c.type().sql());
        }
        layout.documentColumn().ifPresent(c -> {
            names.add(PgvectorTableLayout.quote(c));
            types.add(layout.documentType().sql());
        });
        this.columnNames = List.copyOf(names);
        this.columnTypes = List.copyOf(types);
    }

    /** The written columns, quoted, in row order. */
    List<String> columnNames() {
        return columnNames;
    }

    /** The SQL types of {@link #columnNames()}, for a staging table. */
    List<String> columnTypes() {
        return columnTypes;
    }

    /** Rejects, before any SQL, what PostgreSQL would refuse or silently change. */
    void check(VectorRecord r) {
        checkId(r.id());
        checkText(r.id(), null, r.text());
        for (Map.Entry<String, MetadataValue> e : r.metadata().asMap().entrySet()) {
            String field = e.getKey();
            MetadataValue v = e.getValue();
            if (v instanceof StringValue s) {
                checkText(r.id(), field, s.value());
            } else if (v instanceof StringListValue list) {
                list.values().forEach(s -> checkText(r.id(), field, s));
            }
        }
        for (MetadataColumn column : layout.columns()) {
            MetadataValue v = r.metadata().get(column.field().name()).orElse(null);
            String field = column.field().name();
            if (v instanceof LongValue l && column.type() == PgvectorTableLayout.ColumnType.INTEGER
                    && (l.value() < Integer.MIN_VALUE || l.value() > Integer.MAX_VALUE)) {
                throw new InvalidRecordException(r.id(), field, "value " + l.value()
                        + " does not fit the 32-bit integer column " + column.sqlName());
            }
        }
    }

    /** Rejects an id the id column cannot hold exactly. */
    void checkId(String id) {
        checkText(id, null, id);
        if (layout.idType() == IdType.UUID && !isCanonicalUuid(id)) {
            throw new InvalidRecordException(id, null, "this table's id column is uuid, so an id must be a UUID in "
                    + "canonical lowercase form (8-4-4-4-12 hex digits)");
        }
    }

    /** The id as the value bound for the id column. */
    Object idValue(String id) {
        return layout.idType() == IdType.UUID ? UUID.fromString(id) : id;
    }

    /** The ids as a SQL array for {@code id = ANY(?)}. */
    Array idArray(Connection c, List<String> ids) throws SQLException {
        Object[] values = ids.stream().map(this::idValue).toArray();
        return c.createArrayOf(layout.idType().sql(), values);
    }

    /** Binds one row's values to {@code ps} from parameter index {@code first}; returns the next index. */
    int bind(Connection c, PreparedStatement ps, int first, VectorRecord r) throws SQLException {
        int i = first;
        ps.setObject(i++, idValue(r.id()));
        ps.setString(i++, r.text());
        ps.setObject(i++, new PGvector(r.vector()));
        if (layout.metadataJsonColumn().isPresent()) {
            PGobject json = new PGobject();
            json.setType("json");
            json.setValue(json(r.metadata()));
            ps.setObject(i++, json);
        }
        for (MetadataColumn column : layout.columns()) {
            MetadataValue v = r.metadata().get(column.field().name()).orElse(null);
            int index = i++;
            switch (column.type()) {
                case TEXT -> ps.setString(index, v == null ? null : ((StringValue) v).value());
                case BIGINT, INTEGER -> {
                    if (v == null) {
                        ps.setNull(index, Types.BIGINT);
                    } else {
                        ps.setLong(index, ((LongValue) v).value());
                    }
                }
                case DOUBLE_PRECISION -> {
                    if (v == null) {
                        ps.setNull(index, Types.DOUBLE);
                    } else {
                        ps.setDouble(index, ((DoubleValue) v).value());
                    }
                }
                case BOOLEAN -> {
                    if (v == null) {
                        ps.setNull(index, Types.BOOLEAN);
                    } else {
                        ps.setBoolean(index, ((BooleanValue) v).value());
                    }
                }
                case TEXT_ARRAY -> ps.setArray(index, v == null ? null
                        : c.createArrayOf("text", ((StringListValue) v).values().toArray()));
            }
        }
        if (layout.documentColumn().isPresent()) {
            PGobject doc = new PGobject();
            doc.setType(layout.documentType().sql());
            doc.setValue(document(r.metadata()));
            ps.setObject(i++, doc);
        }
        return i;
    }

    /** Appends one row in PostgreSQL's binary COPY format (field count, then length-prefixed fields). */
    void writeBinary(DataOutputStream out, VectorRecord r) throws IOException {
        out.writeShort(columnNames().size());
        if (layout.idType() == IdType.UUID) {
            UUID uuid = UUID.fromString(r.id());
            out.writeInt(16);
            out.writeLong(uuid.getMostSignificantBits());
            out.writeLong(uuid.getLeastSignificantBits());
        } else {
            writeText(out, r.id());
        }
        writeText(out, r.text());
        PGvector vector = new PGvector(r.vector());
        byte[] bytes = new byte[vector.lengthInBytes()];
        vector.toBytes(bytes, 0);
        out.writeInt(bytes.length);
        out.write(bytes);
        if (layout.metadataJsonColumn().isPresent()) {
            writeText(out, json(r.metadata()));
        }
        for (MetadataColumn column : layout.columns()) {
            MetadataValue v = r.metadata().get(column.field().name()).orElse(null);
            if (v == null) {
                out.writeInt(-1);
                continue;
            }
            switch (column.type()) {
                case TEXT -> writeText(out, ((StringValue) v).value());
                case BIGINT -> {
                    out.writeInt(8);
                    out.writeLong(((LongValue) v).value());
                }
                case INTEGER -> {
                    out.writeInt(4);
                    out.writeInt(Math.toIntExact(((LongValue) v).value()));
                }
                case DOUBLE_PRECISION -> {
                    out.writeInt(8);
                    out.writeDouble(((DoubleValue) v).value());
                }
                case BOOLEAN -> {
                    out.writeInt(1);
                    out.writeByte(((BooleanValue) v).value() ? 1 : 0);
                }
                case TEXT_ARRAY -> writeTextArray(out, ((StringListValue) v).values());
            }
        }
        if (layout.documentColumn().isPresent()) {
            byte[] json = document(r.metadata()).getBytes(StandardCharsets.UTF_8);
            if (layout.documentType() == PgvectorTableLayout.DocumentType.JSONB) {
                // jsonb's binary form: a version byte, then the JSON text (json's is the text alone)
                out.writeInt(json.length + 1);
                out.writeByte(JSONB_VERSION);
            } else {
                out.writeInt(json.length);
            }
            out.write(json);
        }
    }

    /** The record's fields that have no column of their own, as the document column holds them. */
    private String document(Metadata metadata) {
        Map<String, MetadataValue> inDocument = new LinkedHashMap<>();
        metadata.asMap().forEach((field, value) -> {
            if (!layout.hasColumn(field)) {
                inDocument.put(field, value);
            }
        });
        return DocumentJson.write(inDocument, layout);
    }

    /**
     * Reads the metadata columns of a result row, starting at column {@code first}, then the document of undeclared
     * fields where the layout has one.
     */
    Metadata readMetadata(ResultSet rs, int first) throws SQLException {
        Map<String, MetadataValue> values = new LinkedHashMap<>();
        int i = first;
        for (MetadataColumn column : layout.columns()) {
            MetadataValue v = switch (column.type()) {
                case TEXT -> {
                    String s = rs.getString(i);
                    yield s == null ? null : new StringValue(s);
                }
                case BIGINT, INTEGER -> {
                    long l = rs.getLong(i);
                    yield rs.wasNull() ? null : new LongValue(l);
                }
                case DOUBLE_PRECISION -> {
                    double d = rs.getDouble(i);
                    yield rs.wasNull() ? null : new DoubleValue(d);
                }
                case BOOLEAN -> {
                    boolean b = rs.getBoolean(i);
                    yield rs.wasNull() ? null : BooleanValue.of(b);
                }
                case TEXT_ARRAY -> {
                    Array a = rs.getArray(i);
                    String[] elements = a == null ? null : (String[]) a.getArray();
                    // Portafilter never writes an empty array; one written by others reads as a missing field
                    yield elements == null || elements.length == 0 ? null : new StringListValue(List.of(elements));
                }
            };
            if (v != null) {
                values.put(column.field().name(), v);
            }
            i++;
        }
        if (layout.documentColumn().isPresent()) {
            DocumentJson.read(rs.getString(1), rs.getString(i), layout, values);
        }
        return Metadata.of(values);
    }

    private static void checkText(String id, String field, String s) {
        if (s == null) {
            return;
        }
        String problem = PgText.problem(s);
        if (problem != null) {
            throw new InvalidRecordException(id, field, (field == null ? "id or text: " : "") + problem);
        }
    }

    private static boolean isCanonicalUuid(String id) {
        if (id.length() != 36) {
            return false;
        }
        try {
            return UUID.fromString(id).toString().equals(id);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static String json(Metadata metadata) {
        try {
            return JSON.writeValueAsString(metadata.toJava());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("metadata values are always JSON-serializable", e);
        }
    }

    private static void writeText(DataOutputStream out, String s) throws IOException {
        if (s == null) {
            out.writeInt(-1);
            return;
        }
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    /** A one-dimensional text[] without NULLs: header (ndim, has-null flag, element type, length, lower bound), elements. */
    private static void writeTextArray(DataOutputStream out, List<String> values) throws IOException {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        DataOutputStream array = new DataOutputStream(buffer);
        array.writeInt(1);
        array.writeInt(0);
        array.writeInt(TEXT_OID);
        array.writeInt(values.size());
        array.writeInt(1);
        for (String v : values) {
            writeText(array, v);
        }
        array.flush();
        out.writeInt(buffer.size());
        buffer.writeTo(out);
    }
}
