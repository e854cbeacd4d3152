package dev.portafilter.cli;

import dev.portafilter.conformance.StoreFixture;
import dev.portafilter.core.metadata.MetadataSchema;
import dev.portafilter.core.store.VectorStore;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Which backend a command runs against, and how to reach it. Connection settings default to the environment. */
final class BackendOptions {
    enum Backend { MEMORY, PGVECTOR, OPENSEARCH, PINECONE, BEDROCK }

    @Option(names = "--backend", defaultValue = "memory",
            description = "memory (default), pgvector, opensearch, pinecone, or bedrock (inspect only: a knowledge "
                    + "base is read-only).")
    Backend backend;

    @Option(names = "--jdbc-url", defaultValue = "${env:PORTAFILTER_PGVECTOR_URL}",
            description = "pgvector: JDBC URL with user and password (default: $PORTAFILTER_PGVECTOR_URL).")
    String jdbcUrl;

    @Mixin
    OpenSearchOptions openSearchOptions;

    @Option(names = "--pinecone-api-key", defaultValue = "${env:PINECONE_API_KEY}",
            description = "pinecone: API key (default: $PINECONE_API_KEY).")
    String pineconeApiKey;

    @Option(names = "--pinecone-index-host", defaultValue = "${env:PINECONE_INDEX_HOST}",
            description = "pinecone: index host; http://host:port for a Pinecone Local (default: $PINECONE_INDEX_HOST).")
    String pineconeIndexHost;

    @Option(names = "--knowledge-base-id", defaultValue = "${env:PORTAFILTER_BEDROCK_KNOWLEDGE_BASE_ID}",
            description = "bedrock: the knowledge base id (default: $PORTAFILTER_BEDROCK_KNOWLEDGE_BASE_ID).")
    String knowledgeBaseId;

    @Option(names = "--bedrock-region", defaultValue = "${env:AWS_REGION}",
            description = "bedrock: the AWS region (default: $AWS_REGION); credentials come from the AWS SDK's "
                    + "default chain.")
    String bedrockRegion;

    @Option(names = "--bedrock-endpoint", defaultValue = "${env:PORTAFILTER_BEDROCK_ENDPOINT}",
            description = "bedrock: an endpoint for both bedrock-agent and bedrock-agent-runtime, e.g. the local "
                    + "Bedrock server's (default: $PORTAFILTER_BEDROCK_ENDPOINT; none: the region's).")
    String bedrockEndpoint;

    @Option(names = "--tenant-field", defaultValue = "customer",
            description = "The tenant field; on pinecone its value picks a record's namespace (default: ${DEFAULT-VALUE}).")
    String tenantField;

    /** The backend cannot be reached, or the connection settings are wrong. */
    static final class BackendUnavailableException extends RuntimeException {
        BackendUnavailableException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Scratch space on the chosen backend, after checking that the backend answers; close it when done. */
    BackendConnection connect() {
        return switch (backend) {
            case MEMORY -> new InMemoryConnection();
            case PGVECTOR -> pgvector(false);
            case OPENSEARCH -> openSearch();
            case PINECONE -> pinecone();
            case BEDROCK -> throw new Inputs.BadInputException("--backend bedrock: a knowledge base is read-only; "
                    + "only inspect reads one", null);
        };
    }

    /** The Pinecone index, after checking that it answers. */
    PineconeConnection pinecone() {
        return new PineconeConnection(required(pineconeApiKey, "--pinecone-api-key", "PINECONE_API_KEY"),
                required(pineconeIndexHost, "--pinecone-index-host", "PINECONE_INDEX_HOST"), tenantField);
    }

    /** The knowledge base id, and the region or endpoint that reach it, checked before any request. */
    String bedrockKnowledgeBaseId() {
        String id = required(knowledgeBaseId, "--knowledge-base-id", "PORTAFILTER_BEDROCK_KNOWLEDGE_BASE_ID");
        if ((bedrockRegion == null || bedrockRegion.isBlank()) && (bedrockEndpoint == null || bedrockEndpoint.isBlank())) {
            throw new BackendUnavailableException("--backend bedrock needs --bedrock-region (or AWS_REGION), or "
                    + "--bedrock-endpoint (or PORTAFILTER_BEDROCK_ENDPOINT)", null);
        }
        return id;
    }

    /** The PostgreSQL server; with {@code readOnly} its sessions cannot write. */
    PgvectorConnection pgvector(boolean readOnly) {
        return new PgvectorConnection(required(jdbcUrl, "--jdbc-url", "PORTAFILTER_PGVECTOR_URL"), readOnly);
    }

    OpenSearchConnection openSearch() {
        return openSearchOptions.connect();
    }

    private String required(String value, String option, String variable) {
        if (value == null || value.isBlank()) {
            throw new BackendUnavailableException("--backend " + backend.name().toLowerCase() + " needs " + option
                    + " (or the environment variable " + variable + ")", null);
        }
        return value;
    }

    /** The embedded store: nothing to reach, nothing to remove. */
    private static final class InMemoryConnection implements BackendConnection {
        private final StoreFixture memory = StoreFixture.inMemory();

        @Override
        public String name() {
            return memory.name();
        }

        @Override
        public VectorStore newStore(MetadataSchema schema, int dimension) {
            return memory.newStore(schema, dimension);
        }

        @Override
        public VectorStore openStore(String name, MetadataSchema schema, int dimension, String tenantField) {
            return memory.newStore(schema, dimension);
        }

        @Override
        public String describe() {
            return "in-process";
        }

        @Override
        public void close() {
        }
    }
}
