package dev.portafilter.cli;

import dev.portafilter.cli.inspect.InspectionException;
import dev.portafilter.conformance.audit.CasesFileException;
import dev.portafilter.core.InvalidFilterException;
import dev.portafilter.core.InvalidRecordException;
import dev.portafilter.core.InvalidSchemaException;
import dev.portafilter.core.InvalidStoreNameException;
import dev.portafilter.core.StoreException;
import dev.portafilter.core.TenantIsolationException;
import dev.portafilter.core.UnsupportedCapabilityException;
import dev.portafilter.core.WriteConflictException;
import dev.portafilter.ingest.IngestException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code portafilter} command. */
@Command(name = "portafilter",
        mixinStandardHelpOptions = true,
        versionProvider = BuildVersion.class,
        description = "One portable metadata filter for multi-tenant vector search, proven on every backend.",
        subcommands = {DemoCommand.class, IngestCommand.class, AuditCommand.class, InspectCommand.class, CasesCommand.class,
                ExplainCommand.class, SchemaCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
                "0:success",
                "1:an audit test or a case failed; inspect: a high-severity finding; explain: a backend cannot "
                        + "express the filter; ingest --skip-invalid: documents were skipped",
                "2:usage: an unknown command or option, a missing or malformed option value",
                "3:the backend cannot be reached, or its connection settings are missing or wrong",
                "4:bad input: a file, filter, schema, record or option value (named in the message)",
                "5:the backend refused or failed a request",
                "70:internal error (a bug: prints a stack trace)"})
public final class PortafilterCli implements Runnable {
    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(newCommandLine().execute(args));
    }

    /** The configured command line, also used by tests. */
    public static CommandLine newCommandLine() {
        return new CommandLine(new PortafilterCli())
                .setCaseInsensitiveEnumValuesAllowed(true)
                .setParameterExceptionHandler(PortafilterCli::usageError)
                .setExecutionExceptionHandler(PortafilterCli::exitCodeFor);
    }

    /** Usage errors get one line and a pointer to the command's help, not the whole usage text. */
    private static int usageError(CommandLine.ParameterException e, String[] args) {
        CommandLine command = e.getCommandLine();
        command.getErr().println("portafilter: " + oneLine(e.getMessage()) + " (see '"
                + command.getCommandSpec().qualifiedName() + " --help')");
        return ExitCodes.USAGE;
    }

    /** Expected failures get one line and a distinct exit code; anything else is a bug and keeps its stack trace. */
    private static int exitCodeFor(Exception e, CommandLine command, CommandLine.ParseResult parsed) {
        int code = exitCode(e);
        if (code == ExitCodes.INTERNAL_ERROR) {
            e.printStackTrace(command.getErr());
            return code;
        }
        command.getErr().println("portafilter: " + (e.getMessage() == null ? e.getClass().getSimpleName()
                : oneLine(e.getMessage())));
        return code;
    }

    /** The exit code of an exception a command let through; {@link ExitCodes#INTERNAL_ERROR} for the unexpected. */
    static int exitCode(Throwable e) {
        if (e instanceof InspectionException i) {
            return switch (i.kind()) {
                case BAD_INPUT -> ExitCodes.BAD_INPUT;
                case UNREACHABLE -> ExitCodes.BACKEND_UNAVAILABLE;
                case BACKEND_FAILED -> ExitCodes.BACKEND_FAILED;
            };
        }
        if (e instanceof BackendOptions.BackendUnavailableException) {
            return ExitCodes.BACKEND_UNAVAILABLE;
        }
        if (e instanceof Inputs.BadInputException || e instanceof CasesFileException || e instanceof IngestException
                || e instanceof InvalidFilterException || e instanceof InvalidRecordException
                || e instanceof InvalidSchemaException || e instanceof InvalidStoreNameException
                || e instanceof TenantIsolationException) {
            return ExitCodes.BAD_INPUT;
        }
        if (e instanceof StoreException || e instanceof WriteConflictException
                || e instanceof UnsupportedCapabilityException) {
            return ExitCodes.BACKEND_FAILED;
        }
        return ExitCodes.INTERNAL_ERROR;
    }

    private static String oneLine(String message) {
        return message.strip().replaceAll("\\s*\\R\\s*", " ");
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
