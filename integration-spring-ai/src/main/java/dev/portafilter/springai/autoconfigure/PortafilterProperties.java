package dev.portafilter.springai.autoconfigure;

import dev.portafilter.core.metadata.FieldType;
import org.springframework.boot.context.properties.ConfigurationProperties;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code portafilter.*} properties: which backend, how to reach it, and the metadata schema.
 *
 * <pre>
 * portafilter.backend=pgvector
 * portafilter.pgvector.jdbc-url=jdbc:postgresql://localhost:5432/app?user=app&amp;password=secret
 * portafilter.pgvector.table=rag.chunks
 * portafilter.tenant-field=customer
 * portafilter.fields.year.type=long
 * portafilter.fields.country.type=string
 * portafilter.fields.country.required=true
 * portafilter.allow-undeclared=true
 * </pre>
 */
@ConfigurationProperties("portafilter")
public class PortafilterProperties {

    public enum Backend { MEMORY, PGVECTOR, OPENSEARCH, PINECONE }

    /** Where the vectors live: memory (in this JVM, lost on restart), pgvector, opensearch or pinecone. */
    private Backend backend = Backend.MEMORY;

    /** The vector dimension; by default the EmbeddingModel's own (which may cost one call to the model at start). */
    private Integer dimension;

    /**
     * The metadata field that holds the tenant. With it, a {@link dev.portafilter.springai.TenantResolver} bean is
     * required and every call is scoped to the tenant it returns. Declared as a required string field if
     * {@code fields} does not declare it.
     */
    private String tenantField;

    /** Whether metadata keys not declared in {@code fields} may be written and filtered on. */
    private boolean allowUndeclared;

    /** The declared metadata fields, by name. */
    private Map<String, Field> fields = new LinkedHashMap<>();

    private final Pgvector pgvector = new Pgvector();
    private final OpenSearch opensearch = new OpenSearch();
    private final Pinecone pinecone = new Pinecone();

    public static class Field {
        /** string, long, double, boolean or string_list. */
        private FieldType type = FieldType.STRING;
        /** Whether every document must carry the field. */
        private boolean required;

        public FieldType getType() {
            return type;
        }

        public void setType(FieldType type) {
            this.type = type;
        }

        public boolean isRequired() {
            return required;
        }

        public void setRequired(boolean required) {
            this.required = required;
        }
    }

    public static class Pgvector {
        /** The JDBC URL; without it the application's own DataSource bean is used. */
        private String jdbcUrl;
        /** The table, {@code schema.table} or {@code table} (in {@code public}); created if missing. */
        private String table = "portafilter_documents";

        public String getJdbcUrl() {
            return jdbcUrl;
        }

        public void setJdbcUrl(String jdbcUrl) {
            this.jdbcUrl = jdbcUrl;
        }

        public String getTable() {
            return table;
        }

        public void setTable(String table) {
            this.table = table;
        }
    }

    public static class OpenSearch {
        /** The cluster, e.g. {@code https://search.example.com:9200}. */
        private String url;
        private String username;
        private String password;
        /** The index; created (lucene HNSW, cosine) if missing. */
        private String index = "portafilter-documents";

        public String getUrl() {
            return url;
        }

        public void setUrl(String url) {
            this.url = url;
        }

        public String getUsername() {
            return username;
        }

        public void setUsername(String username) {
            this.username = username;
        }

        public String getPassword() {
            return password;
        }

        public void setPassword(String password) {
            this.password = password;
        }

        public String getIndex() {
            return index;
        }

        public void setIndex(String index) {
            this.index = index;
        }
    }

    public static class Pinecone {
        private String apiKey;
        /** The index host, e.g. {@code https://docs-abc123.svc.us-east-1.pinecone.io}. */
        private String host;
        /** The namespace, or with a tenant field the prefix of one namespace per tenant. */
        private String namespace = "portafilter";

        public String getApiKey() {
            return apiKey;
        }

        public void setApiKey(String apiKey) {
            this.apiKey = apiKey;
        }

        public String getHost() {
            return host;
        }

        public void setHost(String host) {
            this.host = host;
        }

        public String getNamespace() {
            return namespace;
        }

        public void setNamespace(String namespace) {
            this.namespace = namespace;
        }
    }

    public Backend getBackend() {
        return backend;
    }

    public void setBackend(Backend backend) {
        this.backend = backend;
    }

    public Integer getDimension() {
        return dimension;
    }

    public void setDimension(Integer dimension) {
        this.dimension = dimension;
    }

    public String getTenantField() {
        return tenantField;
    }

    public void setTenantField(String tenantField) {
        this.tenantField = tenantField;
    }

    public boolean isAllowUndeclared() {
        return allowUndeclared;
    }

    public void setAllowUndeclared(boolean allowUndeclared) {
        this.allowUndeclared = allowUndeclared;
    }

    public Map<String, Field> getFields() {
        return fields;
    }

    public void setFields(Map<String, Field> fields) {
        this.fields = fields;
    }

    public Pgvector getPgvector() {
        return pgvector;
    }

    public OpenSearch getOpensearch() {
        return opensearch;
    }

    public Pinecone getPinecone() {
        return pinecone;
    }
}
