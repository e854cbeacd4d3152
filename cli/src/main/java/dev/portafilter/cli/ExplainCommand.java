package dev.portafilter.cli;

import dev.portafilter.core.InvalidFilterException;
import dev.portafilter.core.InvalidSchemaException;
import dev.portafilter.core.InvalidStoreNameException;
import dev.portafilter.core.filter.Filter;
import dev.portafilter.core.filter.FilterJson;
import dev.portafilter.core.metadata.MetadataSchema;
import dev.portafilter.opensearch.OpenSearchFilterTranslator;
import dev.portafilter.opensearch.OpenSearchIndexLayout;
import dev.portafilter.opensearch.OpenSearchStore;
import dev.portafilter.pgvector.PgvectorFilterTranslator;
import dev.portafilter.pgvector.PgvectorStore;
import dev.portafilter.pgvector.PgvectorTableLayout;
import dev.portafilter.pgvector.SqlFragment;
import dev.portafilter.pinecone.PineconeFilterTranslator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
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

    @Option(names = "--index", defaultValue = "documents", description = "OpenSearch: the index (default: "
            + "${DEFAULT-VALUE}). Given explicitly, also the plan a search with this filter gets on this index in the "
            + "cluster (--opensearch-url), and the counts that chose it.")
    String index;

    @Mixin
    OpenSearchOptions openSearch;

    @Option(names = "--pgvector-url", paramLabel = "JDBC_URL",
            description = "pgvector: also show the plan a search with this filter gets on --table in this database, and "
                    + "the row estimate that chose it.")
    String pgvectorUrl;

    @Option(names = "-k", defaultValue = "10", description = "pgvector and OpenSearch plans: the number of results "
            + "(default: ${DEFAULT-VALUE}).")
    int k;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        if (k < 1) {
            throw new ParameterException(spec.commandLine(), "-k must be at least 1, was " + k);
        }
        PrintWriter out = spec.commandLine().getOut();
        MetadataSchema schema = Inputs.schema(schemaFile);
        Filter filter = Inputs.filter("--filter", filterJson, schema);
        Map<String, Supplier<String>> backends = new LinkedHashMap<>();
        backends.put("pgvector", () -> {
            PgvectorTableLayout layout = layout("--table", table,
                    () -> PgvectorTableLayout.builder(tableSchema(), tableName(), schema, DIMENSION).build());
            SqlFragment sql = PgvectorFilterTranslator.toSql(layout, filter);
            return "WHERE " + sql.sql() + "\n  parameters: " + sql.params() + plan(schema, filter);
        });
        backends.put("opensearch", () -> new OpenSearchFilterTranslator(layout("--index", index,
                () -> OpenSearchIndexLayout.builder(index, schema, DIMENSION).build())).toJson(filter)
                + openSearchPlan(schema, filter));
        backends.put("pinecone", () -> new PineconeFilterTranslator(schema).toJson(filter));

        // all of it first, so that an option's error prints nothing but itself
        StringBuilder text = new StringBuilder(String.format("portafilter%n  %s%n", FilterJson.write(filter)));
        boolean allExpressible = true;
        for (Map.Entry<String, Supplier<String>> backend : backends.entrySet()) {
            text.append(String.format("%s%n", backend.getKey()));
            try {
                text.append(String.format("  %s%n", backend.getValue().get().replace("\n", "\n  ")));
            } catch (InvalidFilterException | InvalidSchemaException e) {
                allExpressible = false;
                text.append(String.format("  cannot express it: %s (%s)%n", e.getMessage(), e.getClass().getSimpleName()));
            }
        }
        out.print(text);
        out.flush();
        return allExpressible ? ExitCodes.OK : ExitCodes.FAILED;
    }

    /** A layout named by an option; a name the backend does not accept is that option's error. */
    private static <T> T layout(String option, String name, Supplier<T> build) {
        try {
            return build.get();
        } catch (InvalidStoreNameException e) {
            throw new Inputs.BadInputException(option + " " + name + ": " + e.reason(), e);
        }
    }

    /** The plan a search gets on the live table, when a database is given. */
    private String plan(MetadataSchema schema, Filter filter) {
        if (pgvectorUrl == null) {
            return "";
        }
        try (PgvectorConnection connection = new PgvectorConnection(pgvectorUrl);
             PgvectorStore store = connection.existingStore(tableSchema(), tableName(), schema)) {
            return "\n  plan on " + table + " (k = " + k + "): " + store.explainPlan(filter, k);
        }
    }

    /** The plan a search gets on the live index, when an index is named (not the default) in a cluster. */
    private String openSearchPlan(MetadataSchema schema, Filter filter) {
        if (!spec.commandLine().getParseResult().hasMatchedOption("--index")) {
            return "";
        }
        try (OpenSearchStore store = openSearch.connect().existingStore(index, schema)) {
            return "\n  plan on " + index + " (k = " + k + "): " + store.explainPlan(filter, k);
        }
    }

    private String tableSchema() {
        return table.contains(".") ? table.substring(0, table.indexOf('.')) : "public";
    }

    private String tableName() {
        return table.substring(table.indexOf('.') + 1);
    }
}
