package dev.portafilter.cli;

import dev.portafilter.cli.inspect.BedrockInspector;
import dev.portafilter.cli.inspect.Finding;
import dev.portafilter.cli.inspect.InspectionReport;
import dev.portafilter.cli.inspect.Inspector;
import dev.portafilter.cli.inspect.Measurement;
import dev.portafilter.cli.inspect.OpenSearchInspector;
import dev.portafilter.cli.inspect.PgvectorInspector;
import dev.portafilter.cli.inspect.PineconeInspector;
import dev.portafilter.cli.inspect.TenantFindings;
import io.pinecone.clients.Pinecone;
import org.openapitools.db_control.client.model.IndexModel;
import picocli.CommandLine.Command;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.bedrockagent.BedrockAgentClient;
import software.amazon.awssdk.services.bedrockagentruntime.BedrockAgentRuntimeClient;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;

/** Looks at a live table or index as it is, read-only: its configuration, its tenant values, and its searches. */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "Inspect your own pgvector table, OpenSearch or Pinecone index, or Bedrock knowledge base, read-only: configuration findings, tenant "
                + "values that collide, and measured foreign rows and short results per search shape; writes "
                + "report.json and report.html. Exits 1 on a high-severity finding.")
final class InspectCommand implements Callable<Integer> {
    @Mixin
    BackendOptions backend;

    @Option(names = "--table", description = "pgvector: the table, schema.table (default schema public).")
    String table;

    @Option(names = "--index", description = "opensearch: the index (or an alias naming one index).")
    String index;

    @Option(names = "--namespace-prefix", description = "pinecone: inspect only the namespaces <prefix>.<tenant> of "
            + "a store written one namespace per tenant (ingest --into); default: every namespace of the index.")
    String namespacePrefix;

    @Option(names = "--pinecone-index-name", description = "pinecone: the index's name, to read its metadata "
            + "indexing (pod-based indexes) from Pinecone's control plane with describe_index; without it that "
            + "check is left out.")
    String pineconeIndexName;

    @Option(names = "--app-role", description = "pgvector: the role the application connects as, which the "
            + "row-level-security and hnsw.iterative_scan checks are about (default: the connecting role).")
    String appRole;

    @Option(names = "--searches", defaultValue = "10", description = "Random query vectors per tenant "
            + "(default: ${DEFAULT-VALUE}).")
    int searches;

    @Option(names = "--k", defaultValue = "10", description = "Rows per search (default: ${DEFAULT-VALUE}).")
    int k;

    @Option(names = "--sample", defaultValue = "0", description = "Measure this many tenants, drawn at random "
            + "(default: 0, every tenant).")
    int sample;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the sample and the query vectors "
            + "(default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--report-dir", defaultValue = "portafilter-inspect",
            description = "Where to write the reports (default: ${DEFAULT-VALUE}).")
    Path reportDir;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        if (searches < 1 || k < 1 || k > 1000 || sample < 0) {
            throw new Inputs.BadInputException("--searches must be at least 1, --k 1 to 1000, --sample 0 or more", null);
        }
        Inputs.outputFolder("--report-dir", reportDir);
        return switch (backend.backend) {
            case PGVECTOR -> {
                String name = required(table, "--table");
                try (PgvectorConnection c = backend.pgvector(true);
                     Inspector inspector = new PgvectorInspector(c.dataSource(), c.describe(), name,
                             backend.tenantField, appRole)) {
                    yield run(inspector);
                }
            }
            case OPENSEARCH -> {
                String name = required(index, "--index");
                backend.openSearch().close();
                try (Inspector inspector = new OpenSearchInspector(backend.openSearchOptions.url,
                        backend.openSearchOptions.username, backend.openSearchOptions.password, name, backend.tenantField)) {
                    yield run(inspector);
                }
            }
            case PINECONE -> {
                try (PineconeConnection c = backend.pinecone();
                     Inspector inspector = new PineconeInspector(c.index(), backend.pineconeIndexHost,
                             backend.tenantField, namespacePrefix, describePineconeIndex())) {
                    yield run(inspector);
                }
            }
            case BEDROCK -> {
                String id = backend.bedrockKnowledgeBaseId();
                try (BedrockAgentClient agent = bedrock(BedrockAgentClient.builder());
                     BedrockAgentRuntimeClient runtime = bedrock(BedrockAgentRuntimeClient.builder());
                     Inspector inspector = new BedrockInspector(agent, runtime, id, backend.tenantField,
                             backend.bedrockEndpoint)) {
                    yield run(inspector);
                }
            }
            default -> throw new Inputs.BadInputException("--backend " + backend.backend.name().toLowerCase()
                    + ": inspect reads pgvector tables, OpenSearch and Pinecone indexes and Bedrock knowledge bases",
                    null);
        };
    }

    /**
     * With {@code --pinecone-index-name}, the index as the control plane describes it (its pod spec's metadata
     * indexing); without, null: the data plane, which the index host serves, does not say.
     */
    private IndexModel describePineconeIndex() {
        if (pineconeIndexName == null) {
            return null;
        }
        try {
            return new Pinecone.Builder(backend.pineconeApiKey).build().describeIndex(pineconeIndexName);
        } catch (RuntimeException e) {
            throw new BackendOptions.BackendUnavailableException("Pinecone's control plane cannot describe the index "
                    + pineconeIndexName + ": " + e.getMessage(), e);
        }
    }

    /** A client of the region (us-east-1 with only an endpoint), on the endpoint if one is given. */
    private <B extends AwsClientBuilder<B, C> & AwsSyncClientBuilder<B, C>, C> C bedrock(B builder) {
        boolean region = backend.bedrockRegion != null && !backend.bedrockRegion.isBlank();
        builder.region(region ? Region.of(backend.bedrockRegion) : Region.US_EAST_1)
                .httpClientBuilder(UrlConnectionHttpClient.builder());
        if (backend.bedrockEndpoint != null && !backend.bedrockEndpoint.isBlank()) {
            try {
                builder.endpointOverride(URI.create(backend.bedrockEndpoint));
            } catch (IllegalArgumentException e) {
                throw new Inputs.BadInputException("--bedrock-endpoint " + backend.bedrockEndpoint + ": not a URL", e);
            }
        }
        return builder.build();
    }

    private String required(String value, String option) {
        if (value == null || value.isBlank()) {
            throw new Inputs.BadInputException("--backend " + backend.backend.name().toLowerCase() + " needs "
                    + option, null);
        }
        return value;
    }

    private int run(Inspector inspector) {
        PrintWriter out = spec.commandLine().getOut();
        Instant started = Instant.now();
        out.printf("Inspecting %s (tenant field %s; %s)%n", inspector.describe(), backend.tenantField,
                inspector.readOnlyEvidence());
        Inspector.Census census = inspector.census();
        List<Finding> findings = new ArrayList<>(inspector.configuration(census, k));
        findings.addAll(TenantFindings.of(census, backend.tenantField));
        List<Inspector.Shape> shapes = inspector.shapes();
        ProgressBar bar = new ProgressBar(System.err, "inspect " + inspector.backend());
        Measurement.Result measured = Measurement.run(census, shapes, inspector.dimension(), k, searches, sample,
                seed, (done, total) -> {
                    // about a hundred redraws, not one per search
                    if (done == total || done % Math.max(1, total / 100) == 0) {
                        bar.update(done, total, "");
                    }
                });
        bar.finish();
        findings = new ArrayList<>(Measurement.annotate(findings, shapes, measured));
        findings.sort(Comparator.comparing(Finding::severity));
        InspectionReport report = new InspectionReport(inspector.backend(), inspector.describe(), backend.tenantField,
                inspector.readOnlyEvidence(), started, Duration.between(started, Instant.now()), List.copyOf(findings),
                census, measured);
        try {
            report.writeJson(reportDir.resolve("report.json"));
            report.writeHtml(reportDir.resolve("report.html"));
        } catch (UncheckedIOException e) {
            throw Inputs.cannotWrite("--report-dir", reportDir, e);
        }

        out.printf("%n%d records, %d tenants, %d without a tenant%n", census.total(), census.recordsPerTenant().size(),
                census.withoutTenant());
        out.printf("%nMeasured: %d tenants x %d searches, top %d%n%-16s %9s %9s %9s %9s%n", measured.tenants().size(),
                searches, k, "shape", "searches", "rows", "foreign", "short");
        measured.shapes().forEach(r -> out.printf("%-16s %9d %9d %9d %9d%n", r.name(), r.searches(), r.rows(),
                r.foreignRows(), r.shortSearches()));
        out.printf("%nFindings: %d%n", findings.size());
        findings.forEach(f -> out.printf("%n%-6s %s%n  %s%n  Fix: %s%n", f.severity(), f.id(), f.evidence(), f.fix()));
        out.printf("%nReports: %s, %s%n", reportDir.resolve("report.json"), reportDir.resolve("report.html"));
        out.printf("%s%n", report.passed() ? "PASSED: no high-severity finding."
                : "FAILED: high-severity findings, see above.");
        return report.passed() ? ExitCodes.OK : ExitCodes.FAILED;
    }
}
