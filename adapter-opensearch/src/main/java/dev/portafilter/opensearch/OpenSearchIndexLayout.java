package dev.portafilter.opensearch;

import dev.portafilter.core.InvalidSchemaException;
import dev.portafilter.core.InvalidStoreNameException;
import dev.portafilter.core.metadata.FieldSpec;
import dev.portafilter.core.metadata.FieldType;
import dev.portafilter.core.metadata.MetadataSchema;
import dev.portafilter.core.metadata.ScalarValue;
import org.opensearch.client.json.JsonData;
import org.opensearch.client.opensearch._types.mapping.DynamicMapping;
import org.opensearch.client.opensearch._types.mapping.Property;
import org.opensearch.client.opensearch._types.mapping.TypeMapping;
import org.opensearch.client.opensearch.indices.CreateIndexRequest;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Where a store's data lives in OpenSearch: the index, its vector and text fields, and one top-level field per
 * declared metadata field, typed from the {@link MetadataSchema} (keyword for strings and string lists, long,
 * double, boolean). {@link #createIndexRequest()} is the index a store of this layout needs. A schema field
 * OpenSearch cannot hold as a top-level field is an {@link InvalidSchemaException} naming it, an invalid index name
 * an {@link InvalidStoreNameException}.
 *
 * <p>A schema that {@linkplain MetadataSchema.Builder#allowUndeclared() allows undeclared fields} adds one
 * {@code nested} field ({@link Builder#undeclaredField}, {@code metadata_undeclared} by default) with one nested
 * object per undeclared field of a record: {@code key} holds the field's name, and the value is in {@code s} (a
 * string or a list of strings), {@code n} (a number, as a double) or {@code b} (a boolean); {@code key} and
 * {@code s} are keywords, never analysed. A name is a value there, not a mapping field: {@code config} and
 * {@code config.setting} coexist, one key may hold a string in one record and a number in another, and undeclared
 * keys never add mapping fields, so they cannot reach the index's field limit. The limit they can reach is
 * {@code index.mapping.nested_objects.limit} (10,000 nested objects per document by default): the store refuses a
 * record with more undeclared fields with an {@link dev.portafilter.core.InvalidRecordException}, before anything of
 * its batch is written. Each value stays in {@code _source} as it was written ({@code 2} and {@code 2.0} apart, a
 * list of one string a list), and a read takes its kind from there.
 *
 * <pre>{@code
 * OpenSearchIndexLayout layout = OpenSearchIndexLayout.builder("docs", schema, 384).build();
 * OpenSearchIndexLayout bedrock = OpenSearchIndexLayout.bedrockKnowledgeBase("kb-index", schema, 1024).build();
 * }</pre>
 */
public final class OpenSearchIndexLayout {
    /** Lucene's HNSW is the only engine that needs no native library, and it supports efficient filtering. */
    public static final String DEFAULT_ENGINE = "lucene";
    /** The nested field of undeclared metadata fields, unless {@link Builder#undeclaredField} names another. */
    public static final String DEFAULT_UNDECLARED_FIELD = "metadata_undeclared";
    /** The subfields of a nested undeclared entry: its field's name, and its value by kind. */
    static final String KEY = "key";
    static final String STRING = "s";
    static final String NUMBER = "n";
    static final String BOOLEAN = "b";
    private static final String FIELD_NAME_RULE = "it may not be blank, start with '_', or contain '.', '*' or '?'";

    private final String indexName;
    private final MetadataSchema schema;
    private final int dimension;
    private final String vectorField;
    private final String textField;
    private final String metadataField;
    private final String metadataObject;
    private final String idField;
    private final String undeclaredField;
    private final String engine;
    private final SpaceType spaceType;
    private final int hnswM;
    private final int efConstruction;
    private final int shards;
    private final int replicas;
    private final String routingField;
    private final boolean strictMapping;
    /** The settings this layout was built from, for a layout that differs only in its schema. */
    private final Builder settings;

    private OpenSearchIndexLayout(Builder b) {
        this.settings = b.withSchema(b.schema);
        this.indexName = checkIndexName(b.indexName);
        this.schema = Objects.requireNonNull(b.schema, "schema");
        if (b.dimension < 1) {
            throw new IllegalArgumentException("dimension must be positive, was " + b.dimension);
        }
        this.dimension = b.dimension;
        this.vectorField = checkFieldName(b.vectorField, "vector field");
        this.textField = checkFieldName(b.textField, "text field");
        this.metadataField = b.metadataField == null ? null : checkFieldName(b.metadataField, "metadata field");
        this.metadataObject = b.metadataObject == null ? null : checkFieldName(b.metadataObject, "metadata object");
        this.idField = b.idField == null ? null : checkFieldName(b.idField, "id field");
        String undeclared = checkFieldName(b.undeclaredField, "undeclared field");
        this.undeclaredField = schema.allowsUndeclared() ? undeclared : null;
        this.engine = Objects.requireNonNull(b.engine, "engine");
        this.spaceType = Objects.requireNonNull(b.spaceType, "spaceType");
        if (b.hnswM < 2 || b.efConstruction < 2 || b.shards < 1 || b.replicas < 0) {
            throw new IllegalArgumentException("invalid HNSW or shard settings: m=" + b.hnswM + ", ef_construction="
                    + b.efConstruction + ", shards=" + b.shards + ", replicas=" + b.replicas);
        }
        this.hnswM = b.hnswM;
        this.efConstruction = b.efConstruction;
        this.shards = b.shards;
        this.replicas = b.replicas;
        this.routingField = b.routingField;
        this.strictMapping = b.strictMapping;
        checkFieldNames();
    }

    /** A layout with the defaults: fields {@code embedding} and {@code text}, lucene HNSW, cosine, 1 shard. */
    public static Builder builder(String indexName, MetadataSchema schema, int dimension) {
        return new Builder(indexName, schema, dimension);
    }

    /**
     * The layout Amazon Bedrock Knowledge Bases uses on OpenSearch Serverless: vector field
     * {@code bedrock-knowledge-base-default-vector} (faiss HNSW, Euclidean, as Bedrock creates it), text field
     * {@code AMAZON_BEDROCK_TEXT_CHUNK}, the not-indexed {@code AMAZON_BEDROCK_METADATA} text field (written as
     * a JSON string), and the filterable attributes as top-level fields. The mapping is not strict, because
     * Bedrock's own ingestion adds fields of its own. A local node without the native faiss library needs
     * {@code .engine("lucene")}.
     */
    public static Builder bedrockKnowledgeBase(String indexName, MetadataSchema schema, int dimension) {
        return new Builder(indexName, schema, dimension)
                .vectorField("bedrock-knowledge-base-default-vector")
                .textField("AMAZON_BEDROCK_TEXT_CHUNK")
                .metadataField("AMAZON_BEDROCK_METADATA")
                .engine("faiss")
                .spaceType(SpaceType.L2)
                .hnsw(16, 512)
                .strictMapping(false);
    }

    /**
     * The index Spring AI's {@code OpenSearchVectorStore} creates with {@code useApproximateKnn(true)} (lucene HNSW,
     * cosine): vector field {@code embedding}, text field {@code content}, the id also in {@code id}, and the metadata
     * in the object field {@code metadata}, mapped dynamically. Opened as it is: a string the dynamic mapping made
     * analysed {@code text} is filtered on its {@code keyword} subfield, and {@link OpenSearchStore} refuses a schema
     * that the index's mapping cannot answer exactly (see {@link OpenSearchStore.Builder#build()}).
     */
    public static Builder springAi(String indexName, MetadataSchema schema, int dimension) {
        return new Builder(indexName, schema, dimension)
                .vectorField("embedding")
                .textField("content")
                .idField("id")
                .metadataObject("metadata")
                .strictMapping(false);
    }

    public String indexName() {
        return indexName;
    }

    public MetadataSchema schema() {
        return schema;
    }

    public int dimension() {
        return dimension;
    }

    public String vectorField() {
        return vectorField;
    }

    public String textField() {
        return textField;
    }

    /** The field that holds the metadata as one JSON string (not indexed), if the layout has one. */
    public Optional<String> metadataField() {
        return Optional.ofNullable(metadataField);
    }

    /** The object field that holds the declared metadata fields, if they are not top-level fields. */
    public Optional<String> metadataObject() {
        return Optional.ofNullable(metadataObject);
    }

    /** The source field that also holds each document's id, for readers that take it from there. */
    public Optional<String> idField() {
        return Optional.ofNullable(idField);
    }

    /** Where a declared field's value is in a document: its name, under the metadata object if there is one. */
    String sourcePath(String field) {
        return metadataObject == null ? field : metadataObject + "." + field;
    }

    /** The nested field that holds the undeclared metadata fields, if the schema allows them. */
    public Optional<String> undeclaredField() {
        return Optional.ofNullable(undeclaredField);
    }

    /** The subfield of an undeclared entry that holds values of this kind (a list of strings: {@link #STRING}). */
    static String valueSubfield(ScalarValue.ValueKind kind) {
        return switch (kind) {
            case STRING -> STRING;
            case NUMBER -> NUMBER;
            case BOOLEAN -> BOOLEAN;
        };
    }

    public String engine() {
        return engine;
    }

    public SpaceType spaceType() {
        return spaceType;
    }

    /** The tenant field whose value routes each document to a shard, if the layout routes by tenant. */
    public Optional<String> routingField() {
        return Optional.ofNullable(routingField);
    }

    /** The index this layout needs: k-NN enabled, HNSW on the vector field, a typed field per schema field. */
    public CreateIndexRequest createIndexRequest() {
        TypeMapping.Builder mapping = new TypeMapping.Builder()
                .dynamic(strictMapping ? DynamicMapping.Strict : DynamicMapping.True);
        mapping.properties(vectorField, Property.of(p -> p.knnVector(k -> k
                .dimension(dimension)
                .method(m -> m.name("hnsw").engine(engine).spaceType(spaceType.wireName())
                        .parameters("m", JsonData.of(hnswM))
                        .parameters("ef_construction", JsonData.of(efConstruction))))));
        mapping.properties(textField, Property.of(p -> p.text(t -> t)));
        if (metadataField != null) {
            mapping.properties(metadataField, Property.of(p -> p.text(t -> t.index(false))));
        }
        if (metadataObject == null) {
            schema.fields().forEach(spec -> mapping.properties(spec.name(), property(spec.type())));
        } else {
            mapping.properties(metadataObject, Property.of(p -> p.object(o -> {
                schema.fields().forEach(spec -> o.properties(spec.name(), property(spec.type())));
                return o;
            })));
        }
        if (idField != null) {
            mapping.properties(idField, property(FieldType.STRING));
        }
        if (undeclaredField != null) {
            // strict even where the rest is not: an entry never adds a field, whatever its key
            mapping.properties(undeclaredField, Property.of(p -> p.nested(n -> n.dynamic(DynamicMapping.Strict)
                    .properties(KEY, property(FieldType.STRING))
                    .properties(STRING, property(FieldType.STRING_LIST))
                    .properties(NUMBER, property(FieldType.DOUBLE))
                    .properties(BOOLEAN, property(FieldType.BOOLEAN)))));
        }
        if (routingField != null) {
            mapping.routing(r -> r.required(true));
        }
        return CreateIndexRequest.of(c -> c.index(indexName)
                .settings(s -> s.knn(true).numberOfShards(shards).numberOfReplicas(replicas))
                .mappings(mapping.build()));
    }

    /** This layout with one more declared field, as {@link OpenSearchStore#addField} leaves the index. */
    public OpenSearchIndexLayout withField(FieldSpec spec) {
        return settings.withSchema(schema.withField(spec)).build();
    }

    /** A declared field's mapping. */
    static Property property(FieldType type) {
        return switch (type) {
            // keyword, never text: an analysed field turns equality into a full-text match
            case STRING, STRING_LIST -> Property.of(p -> p.keyword(k -> k));
            case LONG -> Property.of(p -> p.long_(l -> l));
            // double, never float: a float field would round the stored values
            case DOUBLE -> Property.of(p -> p.double_(d -> d));
            case BOOLEAN -> Property.of(p -> p.boolean_(b -> b));
        };
    }

    private void checkFieldNames() {
        Set<String> reserved = new HashSet<>();
        reserved.add(vectorField);
        if (!reserved.add(textField)) {
            throw new IllegalArgumentException("the text field and the vector field are both '" + textField + "'");
        }
        if (metadataField != null && !reserved.add(metadataField)) {
            throw new IllegalArgumentException("the metadata field '" + metadataField + "' is already used");
        }
        if (undeclaredField != null && !reserved.add(undeclaredField)) {
            throw new IllegalArgumentException("the undeclared field '" + undeclaredField + "' is already used");
        }
        if (metadataObject != null && !reserved.add(metadataObject)) {
            throw new IllegalArgumentException("the metadata object '" + metadataObject + "' is already used");
        }
        if (idField != null && !reserved.add(idField)) {
            throw new IllegalArgumentException("the id field '" + idField + "' is already used");
        }
        if (metadataObject != null) {
            reserved.clear(); // declared fields live inside the object, where nothing else is
        }
        for (FieldSpec spec : schema.fields()) {
            if (!isValidFieldName(spec.name())) {
                throw new InvalidSchemaException(spec.name(), "not a valid OpenSearch field name: " + FIELD_NAME_RULE);
            }
            if (reserved.contains(spec.name())) {
                throw new InvalidSchemaException(spec.name(), "collides with the index's own vector, text, metadata "
                        + "or undeclared field of that name");
            }
        }
        if (routingField != null) {
            FieldSpec spec = schema.field(routingField).orElseThrow(() -> new InvalidSchemaException(routingField,
                    "the routing field is not declared in the schema"));
            if (spec.type() != FieldType.STRING || !spec.required()) {
                throw new InvalidSchemaException(routingField, "the routing field must be a required STRING field, is "
                        + spec.type());
            }
        }
    }

    private static String checkFieldName(String name, String what) {
        Objects.requireNonNull(name, what);
        if (!isValidFieldName(name)) {
            throw new IllegalArgumentException("invalid " + what + " name '" + name + "' for OpenSearch: " + FIELD_NAME_RULE);
        }
        return name;
    }

    /** False for names OpenSearch would read as a path, a wildcard pattern or one of its own metadata fields. */
    private static boolean isValidFieldName(String name) {
        return !name.isBlank() && !name.startsWith("_") && name.indexOf('.') < 0 && name.indexOf('*') < 0
                && name.indexOf('?') < 0;
    }

    private static String checkIndexName(String name) {
        Objects.requireNonNull(name, "indexName");
        boolean valid = !name.isEmpty() && name.getBytes(StandardCharsets.UTF_8).length <= 255
                && !name.equals(".") && !name.equals("..")
                && "_-+".indexOf(name.charAt(0)) < 0
                && name.equals(name.toLowerCase(java.util.Locale.ROOT))
                && name.chars().noneMatch(c -> "\\/*?\"<>|,# :".indexOf(c) >= 0);
        if (!valid) {
            throw new InvalidStoreNameException(name, "not a valid OpenSearch index name: lowercase, at most 255 "
                    + "bytes, not starting with '_', '-' or '+', without \\ / * ? \" < > | , # : or spaces");
        }
        return name;
    }

    /**
     * The k-NN space, and how its score converts back to cosine similarity. Only {@link #COSINESIMIL} scores
     * are cosine for any vectors; for {@link #L2} and {@link #INNERPRODUCT} the store writes and queries unit
     * vectors, on which both are exact functions of the cosine.
     */
    public enum SpaceType {
        COSINESIMIL("cosinesimil"), L2("l2"), INNERPRODUCT("innerproduct");

        private final String wireName;

        SpaceType(String wireName) {
            this.wireName = wireName;
        }

        /** The name OpenSearch uses in mappings and in the {@code knn_score} script. */
        public String wireName() {
            return wireName;
        }

        /** Whether the store normalizes vectors so that the score converts exactly to cosine. */
        boolean needsUnitVectors() {
            return this != COSINESIMIL;
        }

        /** OpenSearch's score (the same for the {@code knn} query and the {@code knn_score} script) as cosine. */
        double cosineFromScore(double score) {
            double cosine = switch (this) {
                case COSINESIMIL -> 2 * score - 1; // score = (1 + cos) / 2
                case L2 -> 1 - (1 / score - 1) / 2; // score = 1 / (1 + d^2), d^2 = 2 - 2 cos on unit vectors
                case INNERPRODUCT -> score >= 1 ? score - 1 : 1 - 1 / score; // dot >= 0: 1 + dot, else 1 / (1 - dot)
            };
            return Math.max(-1, Math.min(1, cosine));
        }
    }

    public static final class Builder implements Cloneable {
        private final String indexName;
        private MetadataSchema schema;
        private final int dimension;
        private String vectorField = "embedding";
        private String textField = "text";
        private String metadataField;
        private String metadataObject;
        private String idField;
        private String undeclaredField = DEFAULT_UNDECLARED_FIELD;
        private String engine = DEFAULT_ENGINE;
        private SpaceType spaceType = SpaceType.COSINESIMIL;
        private int hnswM = 16;
        private int efConstruction = 128;
        private int shards = 1;
        private int replicas = 0;
        private String routingField;
        private boolean strictMapping = true;

        private Builder(String indexName, MetadataSchema schema, int dimension) {
            this.indexName = indexName;
            this.schema = schema;
            this.dimension = dimension;
        }

        public Builder vectorField(String name) {
            this.vectorField = name;
            return this;
        }

        public Builder textField(String name) {
            this.textField = name;
            return this;
        }

        /** A not-indexed text field that also receives the metadata as one JSON string; none by default. */
        public Builder metadataField(String name) {
            this.metadataField = name;
            return this;
        }

        /**
         * An object field that holds the declared metadata fields ({@code metadata.customer}), as Spring AI's and
         * LangChain4j's stores keep them; none by default (top-level fields).
         */
        public Builder metadataObject(String name) {
            this.metadataObject = name;
            return this;
        }

        /** A source field that also receives each document's id; none by default (the id is {@code _id}). */
        public Builder idField(String name) {
            this.idField = name;
            return this;
        }

        /**
         * The name of the nested field that holds the undeclared metadata fields, where the schema allows them;
         * {@code metadata_undeclared} by default.
         */
        public Builder undeclaredField(String name) {
            this.undeclaredField = name;
            return this;
        }

        /** The k-NN engine: {@code lucene} (default) or {@code faiss} where the node has the native library. */
        public Builder engine(String engine) {
            this.engine = engine;
            return this;
        }

        public Builder spaceType(SpaceType spaceType) {
            this.spaceType = spaceType;
            return this;
        }

        public Builder hnsw(int m, int efConstruction) {
            this.hnswM = m;
            this.efConstruction = efConstruction;
            return this;
        }

        public Builder shards(int shards, int replicas) {
            this.shards = shards;
            this.replicas = replicas;
            return this;
        }

        /**
         * Routes every document by its value of this tenant field (a required STRING) and requires routing in
         * the mapping; {@link OpenSearchStore#partitionForTenant} then confines a tenant's reads and deletes to
         * its shard. Defense in depth: the tenant filter is still applied.
         */
        public Builder routeByTenant(String tenantField) {
            this.routingField = tenantField;
            return this;
        }

        /**
         * Whether the index refuses documents with fields its mapping does not name; true by default. Undeclared
         * metadata fields are entries of the nested field, never fields of the mapping, so this does not limit them.
         */
        public Builder strictMapping(boolean strict) {
            this.strictMapping = strict;
            return this;
        }

        public OpenSearchIndexLayout build() {
            return new OpenSearchIndexLayout(this);
        }

        /** A copy of every setting with another schema: a clone, so that no setting can be left behind. */
        private Builder withSchema(MetadataSchema newSchema) {
            try {
                Builder copy = (Builder) super.clone();
                copy.schema = newSchema;
                return copy;
            } catch (CloneNotSupportedException e) {
                throw new IllegalStateException("a Builder is Cloneable", e);
            }
        }
    }
}
