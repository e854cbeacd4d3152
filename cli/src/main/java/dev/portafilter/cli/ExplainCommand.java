package dev.portafilter.cli;

import dev.portafilter.core.PortafilterException;
import dev.portafilter.core.filter.Filter;
import dev.portafilter.core.filter.FilterJson;
import dev.portafilter.core.metadata.MetadataSchema;
import dev.portafilter.opensearch.OpenSearchFilterTranslator;
import dev.portafilter.opensearch.OpenSearchIndexLayout;
import dev.portafilter.pgvector.PgvectorFilterTranslator;
import dev.portafilter.pgvector.PgvectorTableLayout;
import dev.portafilter.pgvector.SqlFragment;
import dev.portafilter.pinecone.PineconeFilterTranslator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Supplier;

/** Shows what one portable filter becomes on each backend, or the typed error that refuses it. */
@Command(name = "explain", mixinStandardHelpOptions = true,
        description = "Print what a filter becomes on each backend: the SQL with its parameters, the OpenSearch query, "
                + "the Pinecone filter — or the typed error.")
final class ExplainCommand implements Callable<Integer> {
    /** Any dimension will do: translation does not depend on it. */
    private static final int DIMENSION = 16;

    @Option(names = "--schema", required = true, paramLabel = "FILE",
            description = "The schema: {FIELD: {\"type\": ..., \"required\": ...}}, or a cases file.")
    Path schemaFile;

    @Option(names = "--filter", required = true, paramLabel = "JSON", description = "The filter, in Portafilter's JSON syntax.")
    String filterJson;

    @Option(names = "--table", defaultValue = "public.documents",
            description = "pgvector: the schema-qualified table (default: ${DEFAULT-VALUE}).")
    String table;

    @Option(names = "--index", defaultValue = "documents", description = "OpenSearch: the index (default: ${DEFAULT-VALUE}).")
    String index;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        MetadataSchema schema = Inputs.schema(schemaFile);
        Filter filter = Inputs.filter(filterJson, schema);
        Map<String, Supplier<String>> backends = new LinkedHashMap<>();
        backends.put("pgvector", () -> {
            String[] parts = table.contains(".") ? table.split("\\.", 2) : new String[] {"public", table};
            SqlFragment sql = PgvectorFilterTranslator.toSql(
                    PgvectorTableLayout.builder(parts[0], parts[1], schema, DIMENSION).build(), filter);
            return "WHERE " + sql.sql() + "\n  parameters: " + sql.params();
        });
        backends.put("opensearch", () -> new OpenSearchFilterTranslator(
                OpenSearchIndexLayout.builder(index, schema, DIMENSION).build()).toJson(filter));
        backends.put("pinecone", () -> new PineconeFilterTranslator(schema).toJson(filter));

        out.printf("portafilter%n  %s%n", FilterJson.write(filter));
        boolean allExpressible = true;
        for (Map.Entry<String, Supplier<String>> backend : backends.entrySet()) {
            out.printf("%s%n", backend.getKey());
            try {
                out.printf("  %s%n", backend.getValue().get().replace("\n", "\n  "));
            } catch (PortafilterException e) {
                allExpressible = false;
                out.printf("  cannot express it: %s (%s)%n", e.getMessage(), e.getClass().getSimpleName());
            }
        }
        return allExpressible ? ExitCodes.OK : ExitCodes.FAILED;
    }
}
