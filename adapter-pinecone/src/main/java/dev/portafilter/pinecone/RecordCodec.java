package dev.portafilter.pinecone;

import com.google.protobuf.ListValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.portafilter.core.InvalidRecordException;
import dev.portafilter.core.filter.BackendProfile;
import dev.portafilter.core.StoreException;
import dev.portafilter.core.metadata.BooleanValue;
import dev.portafilter.core.metadata.DoubleValue;
import dev.portafilter.core.metadata.FieldSpec;
import dev.portafilter.core.metadata.LongValue;
import dev.portafilter.core.metadata.Metadata;
import dev.portafilter.core.metadata.MetadataSchema;
import dev.portafilter.core.metadata.MetadataValue;
import dev.portafilter.core.metadata.StringListValue;
import dev.portafilter.core.metadata.StringValue;
import dev.portafilter.core.store.VectorRecord;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Records to and from Pinecone metadata: the declared fields with their values, plus the record's text under
 * {@code textKey} (a key the schema may not declare). Reading back uses the schema to restore each field's type,
 * since Pinecone returns every number as a 64-bit float.
 */
final class RecordCodec {
    private final MetadataSchema schema;
    private final String textKey;

    RecordCodec(MetadataSchema schema, String textKey) {
        this.schema = schema;
        this.textKey = textKey;
    }

    String textKey() {
        return textKey;
    }

    /**
     * The metadata to store, after the checks Pinecone would otherwise fail on (or, for large integers, silently
     * round): id, exact numbers, metadata size.
     */
    Struct encode(VectorRecord record) {
        String idProblem = PineconeLimits.idProblem(record.id());
        if (idProblem != null) {
            throw new InvalidRecordException(record.id(), null, idProblem);
        }
        if (record.metadata().has(textKey)) {
            throw new InvalidRecordException(record.id(), textKey, "this store keeps each record's text under this "
                    + "metadata key, so no field may use it");
        }
        Struct.Builder out = Struct.newBuilder();
        for (Map.Entry<String, MetadataValue> e : record.metadata().asMap().entrySet()) {
            out.putFields(e.getKey(), value(record.id(), e.getKey(), e.getValue()));
        }
        if (record.text() != null) {
            out.putFields(textKey, Value.newBuilder().setStringValue(record.text()).build());
        }
        Struct metadata = out.build();
        int size = StructJson.utf8Size(metadata);
        if (size > PineconeLimits.MAX_METADATA_BYTES) {
            throw new InvalidRecordException(record.id(), null, "metadata and text take " + size
                    + " bytes as JSON; Pinecone stores at most " + PineconeLimits.MAX_METADATA_BYTES
                    + " bytes of metadata per record (the text is kept in metadata key '" + textKey + "')");
        }
        return metadata;
    }

    /** The record's text, or null when it has none. */
    String text(Struct stored) {
        Value text = stored.getFieldsMap().get(textKey);
        return text == null ? null : text.getStringValue();
    }

    /**
     * The fields of stored metadata: declared ones typed by the schema; undeclared ones, where the schema allows them,
     * by their own kind (an integral number within ±(2^53 − 1) reads back as an integer, since Pinecone keeps only
     * 64-bit floats); otherwise undeclared keys are left out.
     */
    Metadata decode(String id, Struct stored) {
        TreeMap<String, MetadataValue> out = new TreeMap<>();
        for (Map.Entry<String, Value> e : stored.getFieldsMap().entrySet()) {
            String key = e.getKey();
            FieldSpec spec = schema.field(key).orElse(null);
            if (spec != null) {
                out.put(key, decode(id, spec, e.getValue()));
            } else if (schema.allowsUndeclared() && !key.equals(textKey)) {
                out.put(key, undeclared(id, key, e.getValue()));
            }
        }
        return Metadata.of(out);
    }

    private static MetadataValue undeclared(String id, String field, Value v) {
        MetadataValue out = switch (v.getKindCase()) {
            case STRING_VALUE -> new StringValue(v.getStringValue());
            case BOOL_VALUE -> BooleanValue.of(v.getBoolValue());
            case NUMBER_VALUE -> BackendProfile.isExactInteger(v.getNumberValue())
                    ? new LongValue((long) v.getNumberValue()) : new DoubleValue(v.getNumberValue());
            case LIST_VALUE -> strings(v);
            default -> null;
        };
        if (out == null) {
            throw new StoreException("record '" + id + "' in Pinecone holds " + v.getKindCase() + " " + v
                    + " in field '" + field + "', which is no metadata value", null);
        }
        return out;
    }

    private static Value value(String id, String field, MetadataValue v) {
        Value.Builder out = Value.newBuilder();
        if (v instanceof StringValue s) {
            return out.setStringValue(s.value()).build();
        }
        if (v instanceof BooleanValue b) {
            return out.setBoolValue(b.value()).build();
        }
        if (v instanceof LongValue l) {
            String problem = PineconeFilterTranslator.PROFILE.integerProblem(l.value());
            if (problem != null) {
                throw new InvalidRecordException(id, field, problem);
            }
            return out.setNumberValue(l.value()).build();
        }
        if (v instanceof DoubleValue d) {
            return out.setNumberValue(d.value()).build();
        }
        ListValue.Builder list = ListValue.newBuilder();
        ((StringListValue) v).values().forEach(s -> list.addValues(Value.newBuilder().setStringValue(s)));
        return out.setListValue(list).build();
    }

    private static MetadataValue decode(String id, FieldSpec spec, Value v) {
        MetadataValue out = switch (spec.type()) {
            case STRING -> v.hasStringValue() ? new StringValue(v.getStringValue()) : null;
            case BOOLEAN -> v.hasBoolValue() ? BooleanValue.of(v.getBoolValue()) : null;
            case DOUBLE -> v.hasNumberValue() ? new DoubleValue(v.getNumberValue()) : null;
            case LONG -> v.hasNumberValue() && BackendProfile.isExactInteger(v.getNumberValue())
                    ? new LongValue((long) v.getNumberValue()) : null;
            case STRING_LIST -> strings(v);
        };
        if (out == null) {
            throw new StoreException("record '" + id + "' in Pinecone holds " + v.getKindCase() + " " + v
                    + " in field '" + spec.name() + "', which the schema declares " + spec.type(), null);
        }
        return out;
    }

    private static StringListValue strings(Value v) {
        if (!v.hasListValue() || v.getListValue().getValuesCount() == 0) {
            return null;
        }
        List<String> out = new ArrayList<>();
        for (Value element : v.getListValue().getValuesList()) {
            if (!element.hasStringValue()) {
                return null;
            }
            out.add(element.getStringValue());
        }
        return new StringListValue(out);
    }
}
