package dev.portafilter.cli;

import dev.portafilter.conformance.BackendLocator;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A local server of module {@code local-servers}, run as a process from its launcher jar (the system property
 * {@value #JAR_PROPERTY}): {@code java -jar portafilter-local-servers.jar pinecone --dimension 16 --port 0} prints
 * {@code PINECONE_INDEX_HOST=http://127.0.0.1:<port>} on stdout when it is ready, and exits when its stdin closes.
 * Without the launcher jar the tests that need it are skipped, printing why (with {@code CI=true} they fail).
 */
final class LocalServerProcess implements AutoCloseable {
    static final String JAR_PROPERTY = "portafilter.local-servers.jar";
    private static final Duration STARTUP = Duration.ofMinutes(2);
    private static final Duration SHUTDOWN = Duration.ofSeconds(10);

    private final Process process;
    private final Map<String, String> settings;
    private final Path log;

    private LocalServerProcess(Process process, Map<String, String> settings, Path log) {
        this.process = process;
        this.settings = settings;
        this.log = log;
    }

    /** The local Pinecone server, for vectors of this dimension, on a free port. */
    static LocalServerProcess pinecone(int dimension) {
        return start("pinecone", List.of("pinecone", "--dimension", Integer.toString(dimension), "--port", "0"),
                Set.of("PINECONE_INDEX_HOST"));
    }

    /** The launcher jar, or a skip (a failure with {@code CI=true}) that says why {@code what} cannot run. */
    private static Path launcher(String what) {
        String path = System.getProperty(JAR_PROPERTY);
        if (path == null || !Files.isRegularFile(Path.of(path))) {
            throw BackendLocator.unavailable(what, "no launcher jar of the local servers at " + path
                    + " (system property " + JAR_PROPERTY + "; module local-servers builds it at package)");
        }
        return Path.of(path);
    }

    /**
     * Starts {@code java -jar <launcher> args} and waits until it has printed a {@code KEY=VALUE} line for every key
     * (its stderr goes to a log file, shown if it fails).
     */
    static LocalServerProcess start(String what, List<String> args, Set<String> keys) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", launcher(what).toString()));
        command.addAll(args);
        Path log;
        Process process;
        try {
            log = Files.createTempFile("portafilter-local-server", ".log");
            ProcessBuilder builder = new ProcessBuilder(command).redirectError(log.toFile());
            builder.environment().remove("CLASSPATH");
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command, e);
        }
        Map<String, String> settings = new ConcurrentHashMap<>();
        CompletableFuture<Void> ready = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line; (line = out.readLine()) != null; ) {
                    int eq = line.indexOf('=');
                    if (eq > 0 && keys.contains(line.substring(0, eq))) {
                        settings.put(line.substring(0, eq), line.substring(eq + 1).trim());
                        if (settings.keySet().containsAll(keys)) {
                            ready.complete(null);
                        }
                    }
                }
            } catch (IOException e) {
                ready.completeExceptionally(e);
            }
            ready.completeExceptionally(new IllegalStateException("the server closed its stdout before it was ready"));
        }, "local-server-stdout");
        reader.setDaemon(true);
        reader.start();
        try {
            ready.get(STARTUP.toSeconds(), TimeUnit.SECONDS);
            return new LocalServerProcess(process, Map.copyOf(settings), log);
        } catch (ExecutionException | TimeoutException e) {
            stop(process);
            throw new IllegalStateException(String.join(" ", command) + " did not print " + keys + " within " + STARTUP
                    + " (exit " + (process.isAlive() ? "none" : process.exitValue()) + "): " + e + "\n--- its stderr\n"
                    + read(log), e);
        } catch (InterruptedException e) {
            stop(process);
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** A {@code KEY=VALUE} setting the server printed. */
    String get(String key) {
        String value = settings.get(key);
        if (value == null) {
            throw new IllegalArgumentException("the server printed no " + key + ": " + settings.keySet());
        }
        return value;
    }

    /** Closes its stdin, which ends it; destroys it if it lingers. */
    @Override
    public void close() {
        stop(process);
        try {
            Files.deleteIfExists(log);
        } catch (IOException ignored) {
            // a temporary file
        }
    }

    private static void stop(Process process) {
        try {
            process.getOutputStream().close();
            if (!process.waitFor(SHUTDOWN.toSeconds(), TimeUnit.SECONDS)) {
                process.destroy();
                if (!process.waitFor(SHUTDOWN.toSeconds(), TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor();
                }
            }
        } catch (IOException e) {
            process.destroyForcibly();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private static String read(Path log) {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }
}
