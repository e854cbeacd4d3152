package dev.portafilter.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

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
