package dev.portafilter.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portafilter.core.metadata.Metadata;
import dev.portafilter.core.store.VectorRecord;
import dev.portafilter.localservers.bedrock.LocalBedrock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.portafilter.cli.InspectCommandTest.findings;
import static dev.portafilter.cli.InspectCommandTest.shape;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code inspect --backend bedrock} against the local Bedrock server, through the real AWS SDK clients of
 * bedrock-agent (GetKnowledgeBase, ListDataSources, GetDataSource) and bedrock-agent-runtime (Retrieve): a
 * misconfigured knowledge base (Aurora storage without a custom metadata column, a data source whose documents have
 * no tenant, RETAIN, look-alike tenants) and a well-configured one. The local knowledge base serves no write at all:
 * the inspection needs none.
 */
class InspectBedrockTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] WORDS = {"invoice", "shipping", "contract", "renewal", "pricing", "support",
            "warranty", "delivery", "refund", "audit", "schedule", "budget"};
    private static LocalBedrock bad;
    private static LocalBedrock good;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        // the SDK's default credentials chain reads them; the local server checks the SigV4 form only
        System.setProperty("aws.accessKeyId", "AKIDLOCAL");
        System.setProperty("aws.secretAccessKey", "local");
        System.setProperty("sun.net.httpserver.nodelay", "true");
        ObjectNode rds = JSON.createObjectNode().put("type", "RDS");
        rds.putObject("rdsConfiguration").put("resourceArn", "arn:aws:rds:us-east-1:000000000000:cluster:kb")
                .put("credentialsSecretArn", "arn:aws:secretsmanager:us-east-1:000000000000:secret:kb")
                .put("databaseName", "kb").put("tableName", "bedrock_integration.bedrock_kb")
                .putObject("fieldMapping").put("primaryKeyField", "id").put("vectorField", "embedding")
                .put("textField", "chunks").put("metadataField", "metadata");
        Map<String, Integer> contracts = new LinkedHashMap<>();
        for (int t = 0; t < 4; t++) {
            contracts.put(String.format("tenant_%02d", t), 15);
        }
        contracts.put("acme", 15);
        contracts.put("ACME", 5);
        contracts.put("\u0430cme", 5); // Cyrillic a
        Map<String, Integer> legacy = new LinkedHashMap<>();
        legacy.put(null, 6);
        legacy.put("tenant_00", 4);
        bad = LocalBedrock.serveKnowledgeBase("BADKB00001", rds, List.of(
                new LocalBedrock.DataSource("DSCONTRACT", "contracts", "arn:aws:s3:::contracts", "DELETE",
                        records("c", contracts)),
                new LocalBedrock.DataSource("DSLEGACY01", "legacy", "arn:aws:s3:::legacy", "RETAIN",
                        records("l", legacy))));
        Map<String, Integer> clean = new LinkedHashMap<>();
        for (int t = 0; t < 5; t++) {
            clean.put(String.format("tenant_%02d", t), 12);
        }
        good = LocalBedrock.serveKnowledgeBase("GOODKB0001", LocalBedrock.openSearchServerless(), List.of(
                new LocalBedrock.DataSource("DSDOCS0001", "documents", "arn:aws:s3:::documents", "DELETE",
                        records("g", clean))));
    }

    @AfterAll
    static void stop() {
        for (LocalBedrock server : new LocalBedrock[] {bad, good}) {
            if (server != null) {
                server.close();
            }
        }
        System.clearProperty("aws.accessKeyId");
        System.clearProperty("aws.secretAccessKey");
    }

    /** Records of each tenant (null: without one), with texts of varied words so that queries rank them. */
    static List<VectorRecord> records(String prefix, Map<String, Integer> tenants) {
        List<VectorRecord> out = new ArrayList<>();
        int n = 0;
        for (Map.Entry<String, Integer> e : tenants.entrySet()) {
            for (int i = 0; i < e.getValue(); i++, n++) {
                String text = WORDS[n % WORDS.length] + " " + WORDS[(n * 7 + 3) % WORDS.length] + " note " + n;
                Metadata metadata = e.getKey() == null ? Metadata.of("title", "t" + n)
                        : Metadata.of("customer", e.getKey(), "title", "t" + n);
                // the local server embeds the text itself; the vector is not used
                out.add(new VectorRecord(prefix + n, new float[] {1}, text, metadata));
            }
        }
        return out;
    }

    private JsonNode inspect(LocalBedrock server, int expectedExit) throws Exception {
        int before = server.requests();
        JsonNode report = InspectCommandTest.inspect(dir, expectedExit, "--backend", "bedrock", "--knowledge-base-id",
                server.knowledgeBaseId(), "--bedrock-endpoint", server.endpoint().toString());
        assertThat(server.requests()).as("the inspection reached the knowledge base").isGreaterThan(before);
        return report;
    }

    @Test
    void aMisconfiguredKnowledgeBaseHasEveryFindingWithMeasuredNumbers() throws Exception {
        JsonNode report = inspect(bad, ExitCodes.FAILED);
        assertThat(report.get("target").asText()).contains("RDS table bedrock_integration.bedrock_kb")
                .contains("2 data sources").contains("95 chunks seen");
        Map<String, JsonNode> f = findings(report);
        assertThat(f).containsOnlyKeys("rds-tenant-column", "data-source-without-tenant", "data-deletion-retain",
                "records-without-tenant", "tenant-values-collide");
        assertThat(f.get("data-source-without-tenant").get("evidence").asText())
                .contains("legacy (DSLEGACY01, arn:aws:s3:::legacy): 6 of 10").doesNotContain("contracts");
        assertThat(f.get("data-deletion-retain").get("evidence").asText()).contains("legacy (DSLEGACY01)");
        assertThat(f.get("records-without-tenant").get("evidence").asText()).startsWith("6 of 95 records");
        assertThat(f.get("tenant-values-collide").get("evidence").asText()).contains("'acme'", "'ACME'",
                "'\\u{430}cme'");
        assertThat(report.get("data").get("recordsPerTenant").get("tenant_00").asInt()).isEqualTo(19);

        JsonNode library = shape(report, "tenant-scope");
        assertThat(library.get("searches").asInt()).isEqualTo(7 * 10);
        assertThat(library.get("foreignRows").asLong()).isZero();
        assertThat(library.get("shortSearches").asInt()).isZero();
        assertThat(shape(report, "no-filter").get("foreignRows").asLong()).as("Retrieve without the filter")
                .isPositive();
        assertThat(shape(report, "no-filter").get("foreignExamples").toString()).contains("(none)");
    }

    @Test
    void aWellConfiguredKnowledgeBaseHasNoFinding() throws Exception {
        JsonNode report = inspect(good, ExitCodes.OK);
        assertThat(report.get("target").asText()).contains("OPENSEARCH_SERVERLESS index bedrock-knowledge-base-default-index")
                .contains("metadata AMAZON_BEDROCK_METADATA");
        assertThat(report.get("findings")).as(report.get("findings").toPrettyString()).isEmpty();
        assertThat(report.get("data").get("records").asInt()).isEqualTo(60);
        JsonNode library = shape(report, "tenant-scope");
        assertThat(library.get("foreignRows").asLong()).isZero();
        assertThat(library.get("shortSearches").asInt()).isZero();
    }

    @Test
    void anUnknownKnowledgeBaseIsBadInputAndADeadEndpointIsUnreachable() {
        assertThat(AuditAndCasesCommandTest.run("inspect", "--report-dir", dir.toString(), "--backend", "bedrock",
                "--knowledge-base-id", "NOSUCHKB01", "--bedrock-endpoint", good.endpoint().toString()).exit())
                .isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(AuditAndCasesCommandTest.run("inspect", "--report-dir", dir.toString(), "--backend", "bedrock",
                "--knowledge-base-id", "GOODKB0001", "--bedrock-endpoint", "http://127.0.0.1:1").exit())
                .isEqualTo(ExitCodes.BACKEND_UNAVAILABLE);
        assertThat(AuditAndCasesCommandTest.run("audit", "--report-dir", dir.toString(), "--backend", "bedrock")
                .exit()).as("a knowledge base is read-only").isEqualTo(ExitCodes.BAD_INPUT);
    }
}
