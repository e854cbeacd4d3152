package dev.portafilter.springai.autoconfigure;

import dev.portafilter.core.metadata.FieldType;
import dev.portafilter.core.metadata.MetadataSchema;
import dev.portafilter.core.store.ForwardingVectorStore;
import dev.portafilter.core.store.VectorStore;
import dev.portafilter.opensearch.OpenSearchIndexLayout;
import dev.portafilter.opensearch.OpenSearchStore;
import dev.portafilter.pgvector.PgvectorSchemaManager;
import dev.portafilter.pgvector.PgvectorStore;
import dev.portafilter.pgvector.PgvectorTableLayout;
import dev.portafilter.pinecone.PineconeIndexes;
import dev.portafilter.pinecone.PineconeStore;
import io.pinecone.clients.Index;
import org.postgresql.ds.PGSimpleDataSource;
import org.springframework.beans.factory.ObjectProvider;

import javax.sql.DataSource;
import java.time.Duration;

/**
 * Opens the adapters' stores. Only the chosen backend's method runs, so only its adapter needs to be on the class
 * path: the auto-configuration checks for it first.
 */
final class BackendStores {
    private BackendStores() {
    }

    /**
     * The table (created if missing, its metadata indexes led by the tenant field when there is one) through the JDBC
     * URL's own pool, else the application's DataSource.
     */
    static VectorStore pgvector(PortafilterProperties.Pgvector properties, MetadataSchema schema, int dimension,
                                String tenantField, ObjectProvider<DataSource> appDataSource) {
        String table = properties.getTable();
        String[] parts = table.contains(".") ? table.split("\\.", 2) : new String[] {"public", table};
        PgvectorTableLayout.Builder builder = PgvectorTableLayout.builder(parts[0], parts[1], schema, dimension);
        if (tenantField != null && schema.field(tenantField).isPresent()) {
            builder.tenantField(tenantField);
        }
        PgvectorTableLayout layout = builder.build();
        String jdbcUrl = properties.getJdbcUrl();
        if (jdbcUrl == null) {
            DataSource dataSource = appDataSource.getIfUnique();
            if (dataSource == null) {
                throw new IllegalStateException("portafilter.backend=pgvector needs portafilter.pgvector.jdbc-url or "
                        + "one DataSource bean");
            }
            PgvectorSchemaManager.createTable(dataSource, layout);
            return PgvectorStore.builder(layout).dataSource(dataSource).build();
        }
        // one unpooled connection for the DDL; the store opens its own pool and closes it with the context
        PGSimpleDataSource ddl = new PGSimpleDataSource();
        ddl.setURL(jdbcUrl);
        PgvectorSchemaManager.createTable(ddl, layout);
        return PgvectorStore.builder(layout).jdbcUrl(jdbcUrl).build();
    }

    /** The index, created with lucene HNSW and cosine if missing. */
    static VectorStore openSearch(PortafilterProperties.OpenSearch properties, MetadataSchema schema, int dimension) {
        if (properties.getUrl() == null) {
            throw new IllegalStateException("portafilter.backend=opensearch needs portafilter.opensearch.url");
        }
        OpenSearchStore.Builder builder = OpenSearchStore.builder(
                OpenSearchIndexLayout.builder(properties.getIndex(), schema, dimension).build()).url(properties.getUrl());
        if (properties.getUsername() != null) {
            builder.basicAuth(properties.getUsername(), properties.getPassword());
        }
        OpenSearchStore store = builder.build();
        store.createIndexIfMissing();
        return store;
    }

    /**
     * The namespace, or one namespace per tenant (the namespace property as their prefix) when the schema has the
     * tenant field. The index connection closes with the store.
     */
    static VectorStore pinecone(PortafilterProperties.Pinecone properties, MetadataSchema schema, int dimension,
                                String tenantField) {
        if (properties.getApiKey() == null || properties.getHost() == null) {
            throw new IllegalStateException("portafilter.backend=pinecone needs portafilter.pinecone.api-key and "
                    + "portafilter.pinecone.host");
        }
        Index index = PineconeIndexes.open(properties.getApiKey(), properties.getHost(), Duration.ofSeconds(30));
        PineconeStore.Builder builder = PineconeStore.builder(index, schema, dimension);
        boolean perTenant = tenantField != null && schema.field(tenantField)
                .filter(f -> f.required() && f.type() == FieldType.STRING).isPresent();
        PineconeStore store = (perTenant ? builder.namespacePerTenant(tenantField, properties.getNamespace())
                : builder.namespace(properties.getNamespace())).build();
        return new ForwardingVectorStore(store) {
            @Override
            public void close() {
                super.close();
                index.close();
            }
        };
    }
}
