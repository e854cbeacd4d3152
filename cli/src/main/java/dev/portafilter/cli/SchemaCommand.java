package dev.portafilter.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portafilter.core.InvalidSchemaException;
import dev.portafilter.core.metadata.FieldSpec;
import dev.portafilter.core.metadata.FieldType;
import dev.portafilter.core.metadata.MetadataSchema;
import dev.portafilter.opensearch.OpenSearchIndexLayout;
import dev.portafilter.opensearch.OpenSearchStore;
import dev.portafilter.pgvector.PgvectorSchemaManager;
import dev.portafilter.pgvector.PgvectorTableLayout;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.function.Supplier;

/**
 * Grows the schema of a live store: a new field on a pgvector table or an OpenSearch index, or, on pgvector, an
 * undeclared field promoted to a typed column.
 */
@Command(name = "schema", mixinStandardHelpOptions = true,
        description = "Change the schema of a live pgvector table or OpenSearch index without reloading it.",
        subcommands = {SchemaCommand.Add.class, SchemaCommand.Promote.class})
final class SchemaCommand {

    /** What both subcommands take: the store, its schema as declared today, and the field. */
    static class Change {
        @Option(names = "--jdbc-url", defaultValue = "${env:PORTAFILTER_PGVECTOR_URL}", paramLabel = "JDBC_URL",
                description = "The PostgreSQL server of --table (default: $PORTAFILTER_PGVECTOR_URL).")
        String jdbcUrl;

        @Option(names = "--table", paramLabel = "SCHEMA.TABLE", description = "The pgvector table.")
        String table;

        @Option(names = "--schema", required = true, paramLabel = "FILE",
                description = "The fields the store declares today: {FIELD: {\"type\": ..., \"required\": ...}}.")
        Path schemaFile;

        @Option(names = "--field", required = true, description = "The field to declare.")
        String field;

        @Option(names = "--type", required = true, description = "Its type: ${COMPLETION-CANDIDATES}.")
        FieldType type;

        @Option(names = "--required", description = "Every record must hold it.")
        boolean required;

        @Spec
        CommandSpec spec;

        interface Step {
            PgvectorTableLayout apply(PgvectorConnection connection, PgvectorTableLayout layout, FieldSpec field);
        }

        /** The field as the options give it. */
        FieldSpec fieldSpec() {
            try {
                return new FieldSpec(field, type, required);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), "--field " + field + ": " + e.getMessage());
            }
        }

        /** Runs the change on the table and prints the grown schema, in the form --schema reads. */
        int onTable(String verb, Step step) {
            if (jdbcUrl == null) {
                throw new ParameterException(spec.commandLine(), "give --jdbc-url or set PORTAFILTER_PGVECTOR_URL");
            }
            String[] parts = table.contains(".") ? table.split("\\.", 2) : new String[] {"public", table};
            MetadataSchema schema = Inputs.schema(schemaFile);
            FieldSpec fieldSpec = fieldSpec();
            try (PgvectorConnection connection = new PgvectorConnection(jdbcUrl)) {
                PgvectorTableLayout layout = connection.existingLayout(parts[0], parts[1], schema);
                PgvectorTableLayout grown = refusedAsBadInput(() -> step.apply(connection, layout, fieldSpec));
                PrintWriter out = spec.commandLine().getOut();
                out.printf("%s '%s' (%s%s) on %s: column %s %s, indexed%n", verb, field, type,
                        required ? ", required" : "", layout.qualifiedTable(), grown.column(field).sqlName(),
                        grown.column(field).type().sql());
                out.println(schemaJson(grown.metadataSchema()));
                return ExitCodes.OK;
            }
        }

        /** A change the store refuses, naming the field: bad input, exit 4. */
        <T> T refusedAsBadInput(Supplier<T> change) {
            try {
                return change.get();
            } catch (InvalidSchemaException | IllegalArgumentException e) {
                throw new Inputs.BadInputException("--field " + field + ": " + e.getMessage(), e);
            }
        }

        static String schemaJson(MetadataSchema schema) {
            ObjectMapper json = new ObjectMapper();
            ObjectNode root = json.createObjectNode();
            for (FieldSpec f : schema.fields()) {
                root.putObject(f.name()).put("type", f.type().name()).put("required", f.required());
            }
            return root.toPrettyString();
        }
    }

    @Command(name = "add", mixinStandardHelpOptions = true,
            description = "Declare a new field: on a pgvector --table add its column and its index (built "
                    + "concurrently); on an OpenSearch --index add it to the mapping. Refused for a required field on a "
                    + "store with records, or a field records already hold as undeclared (on pgvector: promote it).")
    static final class Add extends Change implements Callable<Integer> {
        @Option(names = "--index", description = "The OpenSearch index (instead of --table).")
        String index;

        @Mixin
        OpenSearchOptions openSearch;

        @Override
        public Integer call() {
            if ((table == null) == (index == null)) {
                throw new ParameterException(spec.commandLine(), "give either --table (pgvector) or --index (OpenSearch)");
            }
            if (table != null) {
                return onTable("added", (connection, layout, field) ->
                        PgvectorSchemaManager.addField(connection.dataSource(), layout, field));
            }
            MetadataSchema schema = Inputs.schema(schemaFile);
            FieldSpec fieldSpec = fieldSpec();
            try (OpenSearchStore store = openSearch.connect().existingStore(index, schema)) {
                OpenSearchIndexLayout grown = refusedAsBadInput(() -> store.addField(fieldSpec));
                PrintWriter out = spec.commandLine().getOut();
                out.printf("added '%s' (%s%s) to the mapping of index %s%n", field, type, required ? ", required" : "",
                        index);
                out.println(schemaJson(grown.schema()));
                return ExitCodes.OK;
            }
        }
    }

    @Command(name = "promote", mixinStandardHelpOptions = true,
            description = "Turn an undeclared field of a pgvector table into a typed, indexed column: check every "
                    + "value, fill the column from the documents in batches, build its index concurrently. Searches "
                    + "answer the same throughout. (On OpenSearch a declared field is a new mapped field: reindex.)")
    static final class Promote extends Change implements Callable<Integer> {
        @Option(names = "--batch-size", defaultValue = "1000", description = "Rows per transaction (default: ${DEFAULT-VALUE}).")
        int batchSize;

        @Override
        public Integer call() {
            if (table == null) {
                throw new ParameterException(spec.commandLine(), "give --table: promote changes pgvector tables");
            }
            if (batchSize < 1) {
                throw new ParameterException(spec.commandLine(), "--batch-size must be at least 1, was " + batchSize);
            }
            return onTable("promoted", (connection, layout, field) ->
                    PgvectorSchemaManager.promoteField(connection.dataSource(), layout, field, batchSize));
        }
    }
}
