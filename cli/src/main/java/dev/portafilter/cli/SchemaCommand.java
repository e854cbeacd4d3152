package dev.portafilter.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portafilter.core.InvalidSchemaException;
import dev.portafilter.core.metadata.FieldSpec;
import dev.portafilter.core.metadata.FieldType;
import dev.portafilter.core.metadata.MetadataSchema;
import dev.portafilter.pgvector.PgvectorSchemaManager;
import dev.portafilter.pgvector.PgvectorTableLayout;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** Grows the schema of a live pgvector table: a new field, or an undeclared one promoted to a typed column. */
@Command(name = "schema", mixinStandardHelpOptions = true,
        description = "Change the schema of a live pgvector table without reloading it.",
        subcommands = {SchemaCommand.Add.class, SchemaCommand.Promote.class})
final class SchemaCommand {

    /** What both subcommands take: the table, its schema as declared today, and the field. */
    static class Change {
        @Option(names = "--jdbc-url", defaultValue = "${env:PORTAFILTER_PGVECTOR_URL}", paramLabel = "JDBC_URL",
                description = "The PostgreSQL server (default: $PORTAFILTER_PGVECTOR_URL).")
        String jdbcUrl;

        @Option(names = "--table", required = true, paramLabel = "SCHEMA.TABLE", description = "The table.")
        String table;

        @Option(names = "--schema", required = true, paramLabel = "FILE",
                description = "The fields the table declares today: {FIELD: {\"type\": ..., \"required\": ...}}.")
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

        /** Runs the change and prints the grown schema, in the form --schema reads. */
        int run(String verb, Step step) {
            if (jdbcUrl == null) {
                throw new ParameterException(spec.commandLine(), "give --jdbc-url or set PORTAFILTER_PGVECTOR_URL");
            }
            String[] parts = table.contains(".") ? table.split("\\.", 2) : new String[] {"public", table};
            MetadataSchema schema = Inputs.schema(schemaFile);
            FieldSpec spec;
            try {
                spec = new FieldSpec(field, type, required);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(this.spec.commandLine(), "--field " + field + ": " + e.getMessage());
            }
            try (PgvectorConnection connection = new PgvectorConnection(jdbcUrl)) {
                PgvectorTableLayout layout = connection.existingLayout(parts[0], parts[1], schema);
                PgvectorTableLayout grown;
                try {
                    grown = step.apply(connection, layout, spec);
                } catch (InvalidSchemaException | IllegalArgumentException e) {
                    throw new Inputs.BadInputException("--field " + field + ": " + e.getMessage(), e);
                }
                PrintWriter out = this.spec.commandLine().getOut();
                out.printf("%s '%s' (%s%s) on %s: column %s %s, indexed%n", verb, field, type,
                        required ? ", required" : "", layout.qualifiedTable(), grown.column(field).sqlName(),
                        grown.column(field).type().sql());
                out.println(schemaJson(grown.metadataSchema()));
                return ExitCodes.OK;
            }
        }

        private static String schemaJson(MetadataSchema schema) {
            ObjectMapper json = new ObjectMapper();
            ObjectNode root = json.createObjectNode();
            for (FieldSpec f : schema.fields()) {
                root.putObject(f.name()).put("type", f.type().name()).put("required", f.required());
            }
            return root.toPrettyString();
        }
    }

    @Command(name = "add", mixinStandardHelpOptions = true,
            description = "Declare a new field: add its column and its index (built concurrently). Refused for a "
                    + "required field on a table with rows, or a field rows already hold as undeclared (promote it).")
    static final class Add extends Change implements Callable<Integer> {
        @Override
        public Integer call() {
            return run("added", (connection, layout, field) ->
                    PgvectorSchemaManager.addField(connection.dataSource(), layout, field));
        }
    }

    @Command(name = "promote", mixinStandardHelpOptions = true,
            description = "Turn an undeclared field into a typed, indexed column: check every value, fill the column "
                    + "from the documents in batches, build its index concurrently. Searches answer the same throughout.")
    static final class Promote extends Change implements Callable<Integer> {
        @Option(names = "--batch-size", defaultValue = "1000", description = "Rows per transaction (default: ${DEFAULT-VALUE}).")
        int batchSize;

        @Override
        public Integer call() {
            if (batchSize < 1) {
                throw new ParameterException(spec.commandLine(), "--batch-size must be at least 1, was " + batchSize);
            }
            return run("promoted", (connection, layout, field) ->
                    PgvectorSchemaManager.promoteField(connection.dataSource(), layout, field, batchSize));
        }
    }
}
