package dev.portafilter.springai.autoconfigure;

import dev.portafilter.core.metadata.FieldType;
import dev.portafilter.core.metadata.MetadataSchema;
import dev.portafilter.core.store.InMemoryVectorStore;
import dev.portafilter.core.store.VectorStore;
import dev.portafilter.core.tenant.TenantScope;
import dev.portafilter.springai.PortafilterVectorStore;
import dev.portafilter.springai.TenantResolver;
import io.micrometer.observation.ObservationRegistry;
import org.springframework.ai.embedding.BatchingStrategy;
import org.springframework.ai.embedding.EmbeddingModel;
import org.springframework.ai.vectorstore.observation.VectorStoreObservationConvention;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.util.ClassUtils;

import javax.sql.DataSource;

/**
 * Creates the Portafilter store that {@code portafilter.*} describes and, over it, the Spring AI
 * {@link org.springframework.ai.vectorstore.VectorStore} that embeds with the application's {@link EmbeddingModel}.
 * With {@code portafilter.tenant-field} the application's {@link TenantResolver} bean scopes every call; either one
 * without the other fails at start, so a store meant to be scoped never runs unscoped.
 *
 * <p>An application that defines its own Portafilter store or Spring AI vector store bean keeps it.
 */
@AutoConfiguration
@EnableConfigurationProperties(PortafilterProperties.class)
public class PortafilterAutoConfiguration {

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    public VectorStore portafilterStore(PortafilterProperties properties, ObjectProvider<EmbeddingModel> embeddingModel,
                                        ObjectProvider<DataSource> dataSource) {
        MetadataSchema schema = schema(properties);
        int dimension = properties.getDimension() != null ? properties.getDimension()
                : embeddingModel.getObject().dimensions();
        return switch (properties.getBackend()) {
            case MEMORY -> new InMemoryVectorStore(schema, dimension);
            case PGVECTOR -> {
                requireAdapter("pgvector", "dev.portafilter.pgvector.PgvectorStore");
                yield BackendStores.pgvector(properties.getPgvector(), schema, dimension, properties.getTenantField(),
                        dataSource);
            }
            case OPENSEARCH -> {
                requireAdapter("opensearch", "dev.portafilter.opensearch.OpenSearchStore");
                yield BackendStores.openSearch(properties.getOpensearch(), schema, dimension);
            }
            case PINECONE -> {
                requireAdapter("pinecone", "dev.portafilter.pinecone.PineconeStore");
                yield BackendStores.pinecone(properties.getPinecone(), schema, dimension, properties.getTenantField());
            }
        };
    }

    @Bean
    @ConditionalOnMissingBean(org.springframework.ai.vectorstore.VectorStore.class)
    public PortafilterVectorStore portafilterSpringAiVectorStore(VectorStore portafilterStore,
                                                                 EmbeddingModel embeddingModel,
                                                                 PortafilterProperties properties,
                                                                 ObjectProvider<TenantResolver> tenantResolver,
                                                                 ObjectProvider<ObservationRegistry> observationRegistry,
                                                                 ObjectProvider<VectorStoreObservationConvention> convention,
                                                                 ObjectProvider<BatchingStrategy> batchingStrategy) {
        PortafilterVectorStore.Builder builder = PortafilterVectorStore.builder(portafilterStore, embeddingModel)
                .observationRegistry(observationRegistry.getIfUnique(() -> ObservationRegistry.NOOP));
        convention.ifAvailable(builder::customObservationConvention);
        batchingStrategy.ifAvailable(builder::batchingStrategy);
        TenantResolver resolver = tenantResolver.getIfUnique();
        String tenantField = properties.getTenantField();
        if (tenantField != null && resolver == null) {
            throw new IllegalStateException("portafilter.tenant-field=" + tenantField + " needs a TenantResolver bean "
                    + "that says whose call it is; without one the store would run unscoped");
        }
        if (tenantField == null && resolver != null) {
            throw new IllegalStateException("a TenantResolver bean is defined but portafilter.tenant-field is not set: "
                    + "set it to the metadata field that holds the tenant");
        }
        if (tenantField != null) {
            builder.tenantScope(TenantScope.of(portafilterStore, tenantField), resolver);
        }
        return builder.build();
    }

    /** The declared fields, the tenant field (a required string unless declared), and undeclared keys if allowed. */
    static MetadataSchema schema(PortafilterProperties properties) {
        MetadataSchema.Builder schema = MetadataSchema.builder();
        properties.getFields().forEach((name, field) -> {
            if (field.isRequired()) {
                schema.required(name, field.getType());
            } else {
                schema.optional(name, field.getType());
            }
        });
        String tenantField = properties.getTenantField();
        if (tenantField != null && !properties.getFields().containsKey(tenantField)) {
            schema.required(tenantField, FieldType.STRING);
        }
        if (properties.isAllowUndeclared()) {
            schema.allowUndeclared();
        }
        return schema.build();
    }

    private static void requireAdapter(String backend, String storeClass) {
        if (!ClassUtils.isPresent(storeClass, PortafilterAutoConfiguration.class.getClassLoader())) {
            throw new IllegalStateException("portafilter.backend=" + backend + " needs portafilter-adapter-" + backend
                    + " on the class path (portafilter-spring-ai-spring-boot-starter brings it)");
        }
    }
}
