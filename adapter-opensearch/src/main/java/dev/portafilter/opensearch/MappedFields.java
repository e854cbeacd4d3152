package dev.portafilter.opensearch;

import dev.portafilter.core.InvalidSchemaException;
import dev.portafilter.core.metadata.FieldSpec;
import dev.portafilter.core.metadata.FieldType;
import org.opensearch.client.opensearch._types.mapping.KnnVectorProperty;
import org.opensearch.client.opensearch._types.mapping.Property;
import org.opensearch.client.opensearch._types.mapping.TypeMapping;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Where each declared metadata field sits in an index's mapping: the field a filter tests, the fields that tell
 * whether a document has a value, and the longest string the filtered field indexes. {@link #planned} is the mapping
 * {@link OpenSearchIndexLayout#createIndexRequest()} creates; {@link #read} checks a live index, which may have been
 * created by another library (strings as analysed {@code text} with a {@code keyword} subfield, as dynamic mapping
 * makes them), and refuses with an {@link InvalidSchemaException} naming the field whatever would make an answer
 * differ from the reference semantics: an analysed string with no keyword form, a number rounded to a float or
 * truncated to an integer, a declared field the mapping lacks (a write would change the mapping on its own), an
 * undeclared-fields layout without its nested field, a vector field of another dimension or space.
 */
final class MappedFields {
    /** The keyword subfield dynamic mapping adds to every string. */
    private static final String KEYWORD_SUBFIELD = "keyword";

    /**
     * One declared field: {@code filter} is tested by {@code term}, {@code terms} and {@code range}; a value is
     * present when any of {@code presence} exists; a string longer than {@code ignoreAbove} is not in {@code filter}.
     */
    record Field(String filter, List<String> presence, int ignoreAbove) {
    }

    private final Map<String, Field> fields;
    private final int shortestIgnoreAbove;

    private MappedFields(Map<String, Field> fields) {
        this.fields = Map.copyOf(fields);
        this.shortestIgnoreAbove = fields.values().stream().mapToInt(Field::ignoreAbove).min()
                .orElse(Integer.MAX_VALUE);
    }

    /** The fields as the layout's own index maps them: every one its own keyword, long, double or boolean field. */
    static MappedFields planned(OpenSearchIndexLayout layout) {
        Map<String, Field> out = new HashMap<>();
        for (FieldSpec spec : layout.schema().fields()) {
            String path = layout.sourcePath(spec.name());
            out.put(spec.name(), new Field(path, List.of(path), Integer.MAX_VALUE));
        }
        return new MappedFields(out);
    }

    /** The fields as the live index maps them, checked against the schema and the layout. */
    static MappedFields read(OpenSearchIndexLayout layout, TypeMapping mapping) {
        String index = layout.indexName();
        checkVectorField(layout, mapping.properties().get(layout.vectorField()));
        Map<String, Property> properties = mapping.properties();
        if (layout.metadataObject().isPresent()) {
            String object = layout.metadataObject().get();
            Property holder = properties.get(object);
            properties = holder == null ? Map.of() : holder.isObject() ? holder.object().properties() : null;
            if (properties == null) {
                throw new InvalidSchemaException(object, "index " + index + " maps the metadata field as "
                        + holder._kind().jsonValue() + ", not as an object");
            }
        }
        if (layout.undeclaredField().isPresent()) {
            String nested = layout.undeclaredField().get();
            Property p = mapping.properties().get(nested);
            if (p == null || !p.isNested()) {
                throw new InvalidSchemaException(nested, "index " + index + " has no nested field '" + nested + "' for "
                        + "undeclared metadata fields, so the schema cannot allow them there: declare every field it "
                        + "filters on (a dynamically mapped field changes its type with the first value written)");
            }
        }
        Map<String, Field> out = new HashMap<>();
        for (FieldSpec spec : layout.schema().fields()) {
            Property p = properties.get(spec.name());
            String path = layout.sourcePath(spec.name());
            if (p == null) {
                throw new InvalidSchemaException(spec.name(), "index " + index + " does not map '" + path + "': no "
                        + "document holds it yet, and Portafilter never lets a write change a mapping; map it with "
                        + "OpenSearchStore.addField from a store whose schema does not declare it yet");
            }
            out.put(spec.name(), field(index, spec, path, p));
        }
        return new MappedFields(out);
    }

    private static Field field(String index, FieldSpec spec, String path, Property p) {
        Property.Kind kind = p._kind();
        boolean fits = switch (spec.type()) {
            case STRING, STRING_LIST -> kind == Property.Kind.Keyword || kind == Property.Kind.Text;
            case LONG -> kind == Property.Kind.Long || kind == Property.Kind.Integer;
            case DOUBLE -> kind == Property.Kind.Double;
            case BOOLEAN -> kind == Property.Kind.Boolean;
        };
        if (!fits) {
            throw new InvalidSchemaException(spec.name(), "index " + index + " maps '" + path + "' as "
                    + kind.jsonValue() + ", which cannot hold a " + spec.type() + " field exactly" + fix(spec.type()));
        }
        if (kind == Property.Kind.Keyword) {
            return new Field(path, List.of(path), ignoreAbove(p.keyword().ignoreAbove()));
        }
        if (kind != Property.Kind.Text) {
            return new Field(path, List.of(path), Integer.MAX_VALUE);
        }
        // analysed text is never compared: the keyword subfield is, and the text also tells presence, because a
        // string longer than ignore_above is only there
        Map<String, Property> subfields = p.text().fields();
        Property keyword = subfields.get(KEYWORD_SUBFIELD);
        String name = KEYWORD_SUBFIELD;
        if (keyword == null || !keyword.isKeyword()) {
            name = subfields.entrySet().stream().filter(e -> e.getValue().isKeyword()).map(Map.Entry::getKey)
                    .sorted().findFirst().orElseThrow(() -> new InvalidSchemaException(spec.name(), "index " + index
                            + " maps '" + path + "' as analysed text with no keyword subfield: Portafilter compares "
                            + "strings exactly, never through an analyser; add a keyword subfield and reindex"));
            keyword = subfields.get(name);
        }
        String exact = path + "." + name;
        return new Field(exact, List.of(exact, path), ignoreAbove(keyword.keyword().ignoreAbove()));
    }

    private static String fix(FieldType type) {
        return switch (type) {
            case DOUBLE -> " (a float rounds it, a long truncates it): map it as double and reindex, as dynamic "
                    + "mapping does not";
            case LONG -> ": map it as long and reindex";
            default -> "";
        };
    }

    private static int ignoreAbove(Integer value) {
        return value == null ? Integer.MAX_VALUE : value;
    }

    private static void checkVectorField(OpenSearchIndexLayout layout, Property p) {
        String field = layout.vectorField();
        if (p == null || !p.isKnnVector()) {
            throw new InvalidSchemaException(field, "index " + layout.indexName() + " has no knn_vector field '" + field
                    + "'");
        }
        KnnVectorProperty vector = p.knnVector();
        if (vector.dimension() != layout.dimension()) {
            throw new InvalidSchemaException(field, "index " + layout.indexName() + " holds vectors of dimension "
                    + vector.dimension() + ", the layout says " + layout.dimension());
        }
        String space = vector.method() != null && vector.method().spaceType() != null ? vector.method().spaceType()
                : Objects.requireNonNullElse(vector.spaceType(), "l2");
        if (!space.equals(layout.spaceType().wireName())) {
            throw new InvalidSchemaException(field, "index " + layout.indexName() + " searches space '" + space
                    + "', the layout says '" + layout.spaceType().wireName() + "': scores would be converted wrongly; "
                    + "build the layout with that spaceType");
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MappedFields other && fields.equals(other.fields);
    }

    @Override
    public int hashCode() {
        return fields.hashCode();
    }

    /** The field, or null for a field the schema does not declare. */
    Field field(String name) {
        return fields.get(name);
    }

    /** The shortest {@code ignore_above} of the strings' keyword fields: no longer string can be compared. */
    int shortestIgnoreAbove() {
        return shortestIgnoreAbove;
    }
}
