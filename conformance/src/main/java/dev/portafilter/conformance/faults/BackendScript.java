package dev.portafilter.conformance.faults;

import dev.portafilter.conformance.BackendLocator;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs one of the project's {@code scripts/} to inject a fault into a real server (kill it, start it again) from a
 * test, within a time limit, its output appended to a log file that a failure quotes.
 */
public final class BackendScript {
    /** How much of the log a failure quotes. */
    private static final int QUOTED_LINES = 40;

    private BackendScript() {
    }

    /**
     * Runs {@code bash scripts/<script> <arguments>} from the repository root and returns once it exited 0; throws
     * {@link IllegalStateException} when it failed or took longer than {@code limit} (it is then killed).
     */
    public static void run(String script, Duration limit, Path log, String... arguments) {
        Path root = BackendLocator.repositoryRoot().orElseThrow(() -> new IllegalStateException("no repository root"));
        String command = "scripts/" + script + " " + String.join(" ", arguments);
        List<String> argv = new ArrayList<>(List.of("bash", root.resolve("scripts").resolve(script).toString()));
        argv.addAll(List.of(arguments));
        try {
            Files.createDirectories(log.toAbsolutePath().getParent());
            Files.writeString(log, "$ " + command + System.lineSeparator(), StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
            Process process = new ProcessBuilder(argv).directory(root.toFile()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(command + " took over " + limit + "; its log: " + log);
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException(command + " failed (exit " + process.exitValue() + "):\n" + tail(log));
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + command, e);
        }
    }

    private static String tail(Path log) throws IOException {
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - QUOTED_LINES), lines.size()));
    }
}
