package dev.portafilter.cli;

import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel;
import dev.portafilter.core.InvalidSchemaException;
import dev.portafilter.core.InvalidStoreNameException;
import dev.portafilter.core.metadata.MetadataSchema;
import dev.portafilter.core.store.VectorStore;
import dev.portafilter.ingest.Chunker;
import dev.portafilter.ingest.IngestException;
import dev.portafilter.ingest.IngestReport;
import dev.portafilter.ingest.SidecarIngestor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** Ingests a folder of documents with Bedrock-style {@code <file>.metadata.json} sidecars into a backend. */
@Command(name = "ingest", mixinStandardHelpOptions = true,
        description = "Ingest DIR (text and Markdown documents with Bedrock <file>.metadata.json sidecars, plain or typed) "
                + "into a backend, embedded offline with all-MiniLM-L6-v2. Every document is checked against the schema "
                + "first: by default one bad document writes nothing.")
final class IngestCommand implements Callable<Integer> {
    @Parameters(paramLabel = "DIR", description = "The folder to ingest (searched recursively).")
    Path folder;

    @Option(names = "--schema", required = true, paramLabel = "FILE",
            description = "The metadata schema: {FIELD: {\"type\": ..., \"required\": ...}}, or a cases file.")
    Path schemaFile;

    @Mixin
    BackendOptions backend;

    @Option(names = "--into", defaultValue = "documents",
            description = "The table (pgvector, schema.table), index (opensearch) or namespace prefix (pinecone) to write "
                    + "into; created if missing (default: ${DEFAULT-VALUE}).")
    String into;

    @Option(names = "--chunk-size", defaultValue = "0",
            description = "Split documents into chunks of at most this many characters at paragraph breaks; 0 keeps one "
                    + "record per document (default).")
    int chunkSize;

    @Option(names = "--skip-invalid", description = "Report and skip invalid documents instead of writing nothing.")
    boolean skipInvalid;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        MetadataSchema schema = Inputs.schema(schemaFile);
        if (!Files.isDirectory(folder)) {
            throw new Inputs.BadInputException(folder + ": " + (Files.exists(folder) ? "not a folder" : "no such folder"),
                    null);
        }
        // the tenant field must be one a TenantScope can enforce, or the ingested data cannot be isolated later
        Inputs.tenantField(backend.tenantField, schema, schemaFile);
        BackendConnection connection = backend.connect();
        EmbeddingModel model = new AllMiniLmL6V2QuantizedEmbeddingModel();
        try (connection; VectorStore store = openStore(connection, schema, model.dimension())) {
            ProgressBar bar = new ProgressBar(System.err, "ingest");
            IngestReport report;
            try {
                report = SidecarIngestor.builder()
                        .store(store)
                        .embedder(text -> model.embed(text).content().vector())
                        .chunker(chunkSize > 0 ? Chunker.paragraphs(chunkSize) : Chunker.wholeDocument())
                        .skipInvalid(skipInvalid)
                        .progress((done, total) -> bar.update(done, total, "documents"))
                        .build()
                        .ingest(folder);
            } catch (IngestException e) {
                throw new Inputs.BadInputException("nothing was written: " + folder + ": " + e.getMessage(), e);
            } finally {
                bar.finish();
            }
            out.printf("%d documents found, %d written as %d records into %s on %s (%s)%n", report.documentsFound(),
                    report.documentsWritten(), report.recordsWritten(), into, connection.name(), connection.describe());
            for (IngestException skipped : report.skipped()) {
                out.printf("skipped %s%n", skipped.getMessage());
            }
            if (!report.ignoredFiles().isEmpty()) {
                out.printf("ignored (not text or Markdown): %s%n", report.ignoredFiles());
            }
            return report.skipped().isEmpty() ? ExitCodes.OK : ExitCodes.FAILED;
        }
    }

    /** The store {@code --into} names; what the backend cannot take is named by its option or file. */
    private VectorStore openStore(BackendConnection connection, MetadataSchema schema, int dimension) {
        try {
            return connection.openStore(into, schema, dimension, backend.tenantField);
        } catch (InvalidStoreNameException e) {
            throw new Inputs.BadInputException("--into " + into + ": " + e.reason(), e);
        } catch (InvalidSchemaException e) {
            throw new Inputs.BadInputException(schemaFile + ": " + e.getMessage() + " (on " + connection.name() + ")", e);
        }
    }
}
