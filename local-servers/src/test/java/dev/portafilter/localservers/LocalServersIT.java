package dev.portafilter.localservers;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.portafilter.localservers.bedrock.LocalBedrock;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.pinecone.clients.Index;
import io.pinecone.configs.PineconeConfig;
import io.pinecone.configs.PineconeConnection;
import io.pinecone.unsigned_indices_model.ScoredVectorWithUnsignedIndices;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.document.Document;
import software.amazon.awssdk.services.bedrockagentruntime.BedrockAgentRuntimeClient;
import software.amazon.awssdk.services.bedrockagentruntime.model.FilterAttribute;
import software.amazon.awssdk.services.bedrockagentruntime.model.KnowledgeBaseRetrievalResult;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The shaded jar as a process: what it prints, that the real clients reach its servers, and how it stops. Failsafe
 * runs it after {@code package} and passes the jar's path; a Surefire run that selects it by name skips it.
 */
class LocalServersIT {
    private static final String JAR_PROPERTY = "portafilter.localServersJar";

    private final List<Process> started = new ArrayList<>();

    @BeforeAll
    static void needsTheJar() {
        assumeTrue(System.getProperty(JAR_PROPERTY) != null, JAR_PROPERTY + " is not set: run by failsafe (verify)");
    }

    @AfterEach
    void stop() {
        started.forEach(Process::destroyForcibly);
    }

    @Test
    void pineconeServesTheRealClientAndStopsAtEndOfInput() throws Exception {
        Process process = start("pinecone", "--dimension", "4");
        String line = readLine(stdout(process));
        assertThat(line).matches("PINECONE_INDEX_HOST=http://127\\.0\\.0\\.1:\\d+");
        String target = line.substring(line.indexOf("//") + 2);

        PineconeConfig config = new PineconeConfig("any-key");
        config.setHost(target);
        config.setTLSEnabled(false);
        ManagedChannel channel = NettyChannelBuilder.forTarget(target).usePlaintext().build();
        config.setCustomManagedChannel(channel);
        try (Index index = new Index(config, new PineconeConnection(config), target)) {
            Struct metadata = Struct.newBuilder()
                    .putFields("tenant", Value.newBuilder().setStringValue("a").build()).build();
            index.upsert("doc-1", List.of(1f, 0f, 0f, 0f), null, null, metadata, "ns");
            index.upsert("doc-2", List.of(0f, 1f, 0f, 0f), null, null, metadata, "ns");
            List<ScoredVectorWithUnsignedIndices> matches = index.query(1, List.of(1f, 0.1f, 0f, 0f), null, null,
                    null, "ns", null, false, true).getMatchesList();
            assertThat(matches).extracting(ScoredVectorWithUnsignedIndices::getId).containsExactly("doc-1");
            assertThat(matches.get(0).getMetadata()).isEqualTo(metadata);
        }

        assertStopsAtEndOfInput(process);
    }

    @Test
    void bedrockServesAFolderToTheRealClientAndStopsAtEndOfInput(@TempDir Path folder) throws Exception {
        Files.writeString(folder.resolve("note.txt"), "metformin was prescribed to patient P003");
        Files.writeString(folder.resolve("note.txt.metadata.json"),
                "{\"metadataAttributes\": {\"customer\": \"CustomerA\", \"year\": 2023}}");
        Process process = start("bedrock", "--folder", folder.toString());
        BufferedReader out = stdout(process);
        String endpoint = readLine(out);
        String knowledgeBase = readLine(out);
        assertThat(endpoint).matches("PORTAFILTER_BEDROCK_ENDPOINT=http://127\\.0\\.0\\.1:\\d+");
        assertThat(knowledgeBase).isEqualTo("PORTAFILTER_BEDROCK_KNOWLEDGE_BASE_ID=LOCALKB001");

        try (BedrockAgentRuntimeClient client = LocalBedrock.client(URI.create(value(endpoint)))) {
            List<KnowledgeBaseRetrievalResult> results = client.retrieve(r -> r.knowledgeBaseId(value(knowledgeBase))
                    .retrievalQuery(q -> q.text("what was prescribed?"))
                    .retrievalConfiguration(c -> c.vectorSearchConfiguration(v -> v.numberOfResults(3)
                            .filter(f -> f.equalsValue(FilterAttribute.builder().key("customer")
                                    .value(Document.fromString("CustomerA")).build())))))
                    .retrievalResults();
            assertThat(results).hasSize(1);
            assertThat(results.get(0).content().text()).isEqualTo("metformin was prescribed to patient P003");
            assertThat(results.get(0).location().s3Location().uri()).isEqualTo("s3://portafilter-scenario/note.txt");
            assertThat(results.get(0).metadata().get("year").asNumber().doubleValue()).isEqualTo(2023.0);
        }

        assertStopsAtEndOfInput(process);
    }

    @Test
    void aUsageErrorIsOneLineAndExitCode2() throws Exception {
        List<List<String>> usageErrors = List.of(List.of("pinecone", "--dimension", "4", "--bogus"),
                List.of("pinecone"), List.of("bedrock", "--folder", "/no/such/folder"), List.of());
        for (List<String> args : usageErrors) {
            Process process = start(args.toArray(String[]::new));
            process.getOutputStream().close();
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("exited: %s", args).isTrue();
            String stderr = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(process.exitValue()).as("exit code of %s; stderr: %s", args, stderr).isEqualTo(2);
            assertThat(stderr.lines().toList()).as("stderr of %s", args).hasSize(1);
            assertThat(stderr).doesNotContain("Exception").doesNotContain("\tat ");
            assertThat(process.getInputStream().readAllBytes()).isEmpty();
        }
    }

    @Test
    void helpPrintsTheUsage() throws Exception {
        Process process = start("--help");
        String help = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).isZero();
        assertThat(help).contains("pinecone").contains("bedrock").contains("end of standard input");
    }

    private Process start(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-jar", System.getProperty(JAR_PROPERTY)));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).start();
        started.add(process);
        return process;
    }

    private static BufferedReader stdout(Process process) {
        return new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    }

    private static String readLine(BufferedReader out) throws IOException {
        String line = out.readLine();
        assertThat(line).as("a line on stdout").isNotNull();
        return line;
    }

    private static String value(String line) {
        return line.substring(line.indexOf('=') + 1);
    }

    private static void assertStopsAtEndOfInput(Process process) throws Exception {
        assertThat(process.isAlive()).isTrue();
        process.getOutputStream().close();
        assertThat(process.waitFor(10, TimeUnit.SECONDS)).as("exited after end of input").isTrue();
        assertThat(process.exitValue()).isZero();
    }
}
