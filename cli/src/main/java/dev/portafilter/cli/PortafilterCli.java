package dev.portafilter.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code portafilter} command. */
@Command(name = "portafilter",
        mixinStandardHelpOptions = true,
        versionProvider = BuildVersion.class,
        description = "One portable metadata filter for multi-tenant vector search, proven on every backend.",
        subcommands = {DemoCommand.class, IngestCommand.class, AuditCommand.class, CasesCommand.class, ExplainCommand.class})
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
                .setExecutionExceptionHandler(PortafilterCli::exitCodeFor);
    }

    /** Expected failures get one line and a distinct exit code, never a stack trace. */
    private static int exitCodeFor(Exception e, CommandLine command, CommandLine.ParseResult parsed) throws Exception {
        if (e instanceof BackendOptions.BackendUnavailableException) {
            command.getErr().println("portafilter: " + e.getMessage());
            return ExitCodes.BACKEND_UNAVAILABLE;
        }
        if (e instanceof Inputs.BadInputException) {
            command.getErr().println("portafilter: " + e.getMessage());
            return ExitCodes.BAD_INPUT;
        }
        throw e;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
