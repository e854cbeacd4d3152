package dev.portafilter.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import dev.portafilter.localservers.bedrock.LocalBedrock;
import dev.portafilter.localservers.pinecone.LocalPineconeServer;
import dev.portafilter.pinecone.PineconeIndexes;
import dev.portafilter.pinecone.PineconeStore;
import io.pinecone.clients.Index;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code inspect} through the shipped jar, as a user runs it: ICU4J's data (look-alike tenants) and the adapters
 * are in the jar, the exit codes are the documented ones.
 */
class InspectIT {
    private static InspectDeployments deployments;

    @TempDir
    Path dir;

    @BeforeAll
    static void build() throws Exception {
        deployments = new InspectDeployments();
    }

    @AfterAll
    static void drop() throws Exception {
        if (deployments != null) {
            deployments.close();
        }
    }

    @Test
    void aMisconfiguredTableFailsWithItsFindingsAndReports() throws Exception {
        ShippedJar.Run r = ShippedJar.run(Map.of("PORTAFILTER_PGVECTOR_URL", deployments.jdbcUrl(deployments.bypassRole)),
                null, List.of("inspect", "--backend", "pgvector", "--table", deployments.badTable, "--sample", "4",
                        "--report-dir", dir.toString()));
        assertThat(r.exit()).as(r.describe()).isEqualTo(ExitCodes.FAILED);
        assertThat(r.out()).as(r.describe()).contains("tenant-values-collide").contains("confusable skeleton (UTS #39)")
                .contains("hnsw-without-iterative-scan").contains("FAILED: high-severity findings");
        JsonNode report = new ObjectMapper().readTree(dir.resolve("report.json").toFile());
        assertThat(report.get("measured").get("tenants")).hasSize(4);
        assertThat(Files.readString(dir.resolve("report.html"))).startsWith("<!DOCTYPE html>");
    }

    @Test
    void aPineconeIndexWithRecordsInAnotherTenantsNamespaceFails() throws Exception {
        try (LocalPineconeServer server = LocalPineconeServer.start(InspectPineconeTest.DIMENSION)) {
            Index index = PineconeIndexes.open("local", server.host(), Duration.ofSeconds(10));
            Random random = new Random(3);
            PineconeStore.builder(index, InspectPineconeTest.SCHEMA, InspectPineconeTest.DIMENSION).namespacePerTenant("customer", "docs")
                    .build().upsert(InspectPineconeTest.records(random, InspectPineconeTest.tenants(false, 20)));
            index.upsert(List.of(InspectPineconeTest.raw("stray", random, "tenant_01")),
                    PineconeStore.tenantNamespace("docs", "tenant_00"));
            int writes = server.calls("upsert").size();
            ShippedJar.Run r = ShippedJar.run(Map.of("PINECONE_API_KEY", "local", "PINECONE_INDEX_HOST", server.host()),
                    null, List.of("inspect", "--backend", "pinecone", "--report-dir", dir.toString()));
            assertThat(r.exit()).as(r.describe()).isEqualTo(ExitCodes.FAILED);
            assertThat(r.out()).as(r.describe()).contains("namespace-tenant-mismatch")
                    .contains("namespace 'docs.tenant_5F00' holds 1 records of 'tenant_01'");
            assertThat(server.calls()).extracting(LocalPineconeServer.Call::method)
                    .containsOnly("upsert", "describeIndexStats", "list", "fetch", "query");
            assertThat(server.calls("upsert")).as("the inspection wrote nothing").hasSize(writes);
            index.close();
        }
    }

    @Test
    void aWellConfiguredKnowledgeBasePassesThroughTheBedrockAgentApi() {
        Map<String, Integer> tenants = new java.util.LinkedHashMap<>();
        tenants.put("tenant_00", 12);
        tenants.put("tenant_01", 12);
        try (LocalBedrock server = LocalBedrock.serveKnowledgeBase("ITKB000001", LocalBedrock.openSearchServerless(),
                List.of(new LocalBedrock.DataSource("DSIT000001", "documents", "arn:aws:s3:::documents", "DELETE",
                        InspectBedrockTest.records("i", tenants))))) {
            ShippedJar.Run r = ShippedJar.run(Map.of("AWS_ACCESS_KEY_ID", "AKIDLOCAL", "AWS_SECRET_ACCESS_KEY", "local",
                    "PORTAFILTER_BEDROCK_ENDPOINT", server.endpoint().toString(),
                    "PORTAFILTER_BEDROCK_KNOWLEDGE_BASE_ID", server.knowledgeBaseId()), null,
                    List.of("inspect", "--backend", "bedrock", "--report-dir", dir.toString()));
            assertThat(r.exit()).as(r.describe()).isEqualTo(ExitCodes.OK);
            assertThat(r.out()).as(r.describe()).contains("OPENSEARCH_SERVERLESS index").contains("Findings: 0")
                    .contains("24 records, 2 tenants");
        }
    }

    @Test
    void aWellConfiguredIndexPassesAndAMissingOneIsBadInput() {
        ShippedJar.Run good = ShippedJar.run("inspect", "--backend", "opensearch", "--opensearch-url",
                deployments.openSearchUrl(), "--index", deployments.goodIndex, "--report-dir", dir.toString());
        assertThat(good.exit()).as(good.describe()).isEqualTo(ExitCodes.OK);
        ShippedJar.Run missing = ShippedJar.run("inspect", "--backend", "opensearch", "--opensearch-url",
                deployments.openSearchUrl(), "--index", deployments.run + "-missing", "--report-dir", dir.toString());
        assertThat(missing.exit()).as(missing.describe()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(missing.err()).contains("no such index");
    }
}
