package dev.portafilter.springai.autoconfigure;

import dev.portafilter.conformance.BackendLocator;
import dev.portafilter.core.TenantIsolationException;
import dev.portafilter.core.metadata.FieldSpec;
import dev.portafilter.core.metadata.FieldType;
import dev.portafilter.core.store.InMemoryVectorStore;
import dev.portafilter.pgvector.PgvectorSchemaManager;
import dev.portafilter.pgvector.PgvectorStore;
import dev.portafilter.springai.HashingEmbeddingModel;
import dev.portafilter.springai.PortafilterVectorStore;
import dev.portafilter.springai.TenantResolver;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;
import org.springframework.ai.document.Document;
import org.springframework.ai.embedding.EmbeddingModel;
import org.springframework.ai.vectorstore.SearchRequest;
import org.springframework.ai.vectorstore.VectorStore;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The auto-configuration in a real application context, as the starter brings it. */
class PortafilterAutoConfigurationTest {
    /** Whose request it is: set by the test as a web filter would set it per request. */
    static final AtomicReference<String> CURRENT_TENANT = new AtomicReference<>();

    @Configuration(proxyBeanMethods = false)
    static class App {
        @Bean
        EmbeddingModel embeddingModel() {
            return new HashingEmbeddingModel();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class TenantApp {
        @Bean
        TenantResolver tenantResolver() {
            return CURRENT_TENANT::get;
        }
    }

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(PortafilterAutoConfiguration.class))
            .withUserConfiguration(App.class);

    @Test
    void memoryByDefaultWithTheSchemaFromProperties() {
        runner.withPropertyValues("portafilter.fields.year.type=long", "portafilter.fields.country.required=true")
                .run(context -> {
                    assertThat(context).hasSingleBean(VectorStore.class);
                    dev.portafilter.core.store.VectorStore store = context.getBean(dev.portafilter.core.store.VectorStore.class);
                    assertThat(store).isInstanceOf(InMemoryVectorStore.class);
                    assertThat(store.dimension()).isEqualTo(16);
                    assertThat(store.schema().fields()).containsExactlyInAnyOrder(
                            new FieldSpec("year", FieldType.LONG, false), new FieldSpec("country", FieldType.STRING, true));
                    assertThat(store.schema().allowsUndeclared()).isFalse();

                    VectorStore spring = context.getBean(VectorStore.class);
                    spring.add(List.of(new Document("red apples", Map.of("country", "BG", "year", 2020)),
                            new Document("red apples", Map.of("country", "NL", "year", 2023))));
                    assertThat(spring.similaritySearch(SearchRequest.builder().query("apples")
                            .filterExpression("year > 2021").build()))
                            .extracting(d -> d.getMetadata().get("country")).containsExactly("NL");
                });
    }

    @Test
    void aTenantFieldNeedsATenantResolverAndScopesEveryCall() {
        runner.withPropertyValues("portafilter.tenant-field=customer", "portafilter.allow-undeclared=true")
                .run(context -> assertThat(context).hasFailed().getFailure()
                        .rootCause().hasMessageContaining("needs a TenantResolver bean"));
        runner.withUserConfiguration(TenantApp.class)
                .run(context -> assertThat(context).hasFailed().getFailure()
                        .rootCause().hasMessageContaining("portafilter.tenant-field is not set"));

        runner.withUserConfiguration(TenantApp.class)
                .withPropertyValues("portafilter.tenant-field=customer", "portafilter.allow-undeclared=true")
                .run(context -> {
                    VectorStore spring = context.getBean(VectorStore.class);
                    CURRENT_TENANT.set("A");
                    spring.add(List.of(new Document("a-doc", "red apples", Map.of("country", "BG"))));
                    CURRENT_TENANT.set("B");
                    spring.add(List.of(new Document("b-doc", "red apples", Map.of("country", "BG"))));
                    assertThat(spring.similaritySearch("apples")).extracting(Document::getId).containsExactly("b-doc");
                    CURRENT_TENANT.set(null);
                    assertThatThrownBy(() -> spring.similaritySearch("apples"))
                            .isInstanceOf(TenantIsolationException.class);
                });
    }

    @Test
    void pgvectorFromAJdbcUrlCreatesTheTableAndServesSpringAi() {
        String jdbcUrl = BackendLocator.find("PORTAFILTER_PGVECTOR_URL", "pgvector.env")
                .orElseThrow(() -> BackendLocator.unavailable("pgvector", "no PORTAFILTER_PGVECTOR_URL and no .backends/pgvector.env"));
        String table = "portafilter_scratch.springai_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        PGSimpleDataSource admin = new PGSimpleDataSource();
        admin.setURL(jdbcUrl);
        AtomicReference<PgvectorStore> created = new AtomicReference<>();
        try {
            runner.withUserConfiguration(TenantApp.class)
                    .withPropertyValues("portafilter.backend=pgvector", "portafilter.pgvector.jdbc-url=" + jdbcUrl,
                            "portafilter.pgvector.table=" + table, "portafilter.dimension=16",
                            "portafilter.tenant-field=customer", "portafilter.fields.year.type=long",
                            "portafilter.allow-undeclared=true")
                    .run(context -> {
                        assertThat(context).hasNotFailed();
                        PgvectorStore store = (PgvectorStore) context.getBean(dev.portafilter.core.store.VectorStore.class);
                        created.set(store);
                        assertThat(store.layout().qualifiedTable()).contains("springai_");
                        // the table it created has its metadata indexes led by the tenant, none on year alone
                        assertThat(store.layout().tenantField()).contains("customer");
                        assertThat(indexDefinitions(admin, table)).anyMatch(d -> d.contains("(customer, year)"))
                                .noneMatch(d -> d.contains("(year)"));
                        VectorStore spring = context.getBean(VectorStore.class);
                        assertThat(spring).isInstanceOf(PortafilterVectorStore.class);
                        CURRENT_TENANT.set("A");
                        spring.add(List.of(new Document("red apples", Map.of("year", 2020, "colour", "red")),
                                new Document("green pears", Map.of("year", 2024, "colour", "green"))));
                        CURRENT_TENANT.set("B");
                        spring.add(List.of(new Document("red apples", Map.of("year", 2024, "colour", "red"))));
                        CURRENT_TENANT.set("A");
                        List<Document> hits = spring.similaritySearch(SearchRequest.builder().query("red apples")
                                .filterExpression("year >= 2021 || colour == 'red'").topK(5).build());
                        assertThat(hits).extracting(Document::getText).containsExactly("red apples", "green pears");
                        assertThat(hits).allSatisfy(d -> assertThat(d.getMetadata()).containsEntry("customer", "A"));
                        assertThat(store.count()).isEqualTo(3);
                    });
        } finally {
            if (created.get() != null) {
                PgvectorSchemaManager.dropTable(admin, created.get().layout());
            }
        }
    }

    private static List<String> indexDefinitions(PGSimpleDataSource admin, String table) throws SQLException {
        String[] parts = table.split("\\.", 2);
        try (Connection c = admin.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT indexdef FROM pg_indexes WHERE schemaname = ? AND tablename = ?")) {
            ps.setString(1, parts[0]);
            ps.setString(2, parts[1]);
            List<String> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
            return out;
        }
    }
}
