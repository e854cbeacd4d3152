package dev.portafilter.localservers;

import dev.portafilter.localservers.bedrock.LocalBedrock;
import dev.portafilter.localservers.pinecone.LocalPineconeServer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Starts one local server as a process, for the CLI or any client to reach as it would a real index:
 * <pre>
 * java -jar portafilter-local-servers.jar pinecone --dimension 16 [--port 0]
 *   prints PINECONE_INDEX_HOST=http://127.0.0.1:PORT
 * java -jar portafilter-local-servers.jar bedrock --folder DIR [--knowledge-base-id ID] [--port 0]
 *   prints PORTAFILTER_BEDROCK_ENDPOINT=http://127.0.0.1:PORT and PORTAFILTER_BEDROCK_KNOWLEDGE_BASE_ID=ID
 * </pre>
 * The lines are printed and flushed once the server accepts connections. The server runs until the process gets
 * SIGTERM or SIGINT, or its standard input reaches end of file, so that a parent that dies leaves no orphan. A usage
 * error prints one line on standard error and exits with 2; a server that cannot start, one line and 1.
 */
@Command(name = "portafilter-local-servers", sortOptions = false,
        description = {"Starts a local server speaking Pinecone's gRPC data-plane protocol or Bedrock's Retrieve API "
                + "on 127.0.0.1, prints how to reach it, and serves until SIGTERM/SIGINT or end of standard input "
                + "(in a script, keep it open: sleep infinity | java -jar ...)."},
        subcommands = {LocalServers.Pinecone.class, LocalServers.Bedrock.class})
public final class LocalServers implements Callable<Integer> {
    static final int USAGE = 2;
    static final int FAILED = 1;
    /** Bedrock's knowledge base ids: 1 to 10 letters or digits. */
    private static final String KNOWLEDGE_BASE_ID = "[0-9a-zA-Z]{1,10}";

    @Spec
    CommandSpec spec;

    @Option(names = {"-h", "--help"}, usageHelp = true, scope = CommandLine.ScopeType.INHERIT,
            description = "Show this help and exit.")
    boolean help;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    static CommandLine commandLine() {
        return new CommandLine(new LocalServers())
                .setParameterExceptionHandler((e, args) -> {
                    e.getCommandLine().getErr().println(e.getCommandLine().getCommandSpec().qualifiedName() + ": "
                            + e.getMessage() + " (see --help)");
                    return USAGE;
                });
    }

    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "missing server: pinecone or bedrock");
    }

    @Command(name = "pinecone", sortOptions = false,
            description = {"Serves an in-memory index over Pinecone's gRPC data-plane protocol.",
                    "One cosine index of this dimension, plaintext, any API key. Prints "
                            + "PINECONE_INDEX_HOST=http://127.0.0.1:PORT once it accepts connections."})
    static final class Pinecone implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--dimension", required = true, paramLabel = "N",
                description = "The index's vector dimension (1 to 20000).")
        int dimension;

        @Mixin
        Port port;

        @Override
        public Integer call() {
            require(spec, dimension >= 1 && dimension <= 20_000, "--dimension must be 1 to 20000, was " + dimension);
            int chosen = port.checked();
            return serve(spec, "Pinecone", () -> LocalPineconeServer.start(dimension, chosen),
                    server -> List.of("PINECONE_INDEX_HOST=" + server.host()));
        }
    }

    @Command(name = "bedrock", sortOptions = false,
            description = {"Serves a folder as a knowledge base over Bedrock's Retrieve API.",
                    "Documents (.txt, .md) with Bedrock <file>.metadata.json sidecars, any SigV4 credentials. Prints "
                            + "PORTAFILTER_BEDROCK_ENDPOINT=http://127.0.0.1:PORT and "
                            + "PORTAFILTER_BEDROCK_KNOWLEDGE_BASE_ID=ID once it accepts connections."})
    static final class Bedrock implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--folder", required = true, paramLabel = "DIR", description = "The documents to serve.")
        Path folder;

        @Option(names = "--knowledge-base-id", defaultValue = "LOCALKB001", paramLabel = "ID",
                description = "The knowledge base id, 1 to 10 letters or digits (default: ${DEFAULT-VALUE}).")
        String knowledgeBaseId;

        @Mixin
        Port port;

        @Override
        public Integer call() {
            require(spec, Files.isDirectory(folder), "--folder: not a directory: " + folder);
            require(spec, knowledgeBaseId.matches(KNOWLEDGE_BASE_ID),
                    "--knowledge-base-id must be 1 to 10 letters or digits, was '" + knowledgeBaseId + "'");
            int chosen = port.checked();
            // The JDK HttpServer delays every response ~40 ms without it; read when the first server is created.
            System.setProperty("sun.net.httpserver.nodelay", "true");
            return serve(spec, "Bedrock", () -> LocalBedrock.serveFolder(knowledgeBaseId, folder, chosen),
                    server -> List.of("PORTAFILTER_BEDROCK_ENDPOINT=" + server.endpoint(),
                            "PORTAFILTER_BEDROCK_KNOWLEDGE_BASE_ID=" + server.knowledgeBaseId()));
        }
    }

    /** The port option of both servers. */
    static final class Port {
        @Spec(Spec.Target.MIXEE)
        CommandSpec spec;

        @Option(names = "--port", defaultValue = "0", paramLabel = "PORT",
                description = "The port on 127.0.0.1 (default: 0, any free port).")
        int port;

        int checked() {
            require(spec, port >= 0 && port <= 65_535, "--port must be 0 to 65535, was " + port);
            return port;
        }
    }

    private static void require(CommandSpec spec, boolean condition, String message) {
        if (!condition) {
            throw new ParameterException(spec.commandLine(), message);
        }
    }

    /**
     * Starts the server, prints its lines, and blocks until the JVM shuts down: on SIGTERM/SIGINT, or when standard
     * input reaches end of file. Returns only if the server cannot start.
     */
    private static <S extends AutoCloseable> int serve(CommandSpec spec, String name, Supplier<S> start,
                                                       Function<S, List<String>> lines) {
        S server;
        try {
            server = start.get();
        } catch (RuntimeException e) {
            spec.commandLine().getErr().println(spec.root().name() + ": cannot start the " + name + " server: "
                    + message(e));
            return FAILED;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                server.close();
            } catch (Exception e) {
                System.err.println(spec.root().name() + ": closing the " + name + " server: " + message(e));
            } finally {
                stopped.countDown();
            }
        }, "local-server-shutdown"));
        PrintStream out = System.out;
        lines.apply(server).forEach(out::println);
        out.flush();
        Thread stdin = new Thread(() -> {
            drain(System.in);
            System.exit(0);
        }, "local-server-stdin");
        stdin.setDaemon(true);
        stdin.start();
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    /** Reads until end of file (or a read error, which ends the input as surely). */
    private static void drain(InputStream in) {
        byte[] buffer = new byte[8192];
        try {
            while (in.read(buffer) != -1) {
                // the input carries no commands: only its end matters
            }
        } catch (IOException e) {
            // treated as end of file
        }
    }

    /** The messages of an exception and of its causes, on one line, without those that only repeat a cause. */
    private static String message(Throwable e) {
        StringBuilder out = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
            boolean repeatsCause = t.getCause() != null && m.equals(t.getCause().toString());
            if (!repeatsCause && out.indexOf(m.lines().findFirst().orElse(m)) < 0) {
                out.append(out.length() == 0 ? "" : ": ").append(m);
            }
        }
        return out.toString().replaceAll("\\s*\\R\\s*", " ");
    }
}
