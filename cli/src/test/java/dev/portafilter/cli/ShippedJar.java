package dev.portafilter.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Runs the shaded jar the build shipped the way a user does — {@code java -jar portafilter.jar ARGS} in a process of
 * its own, with no class path — and asserts that its output never holds a stack trace. The jar's path is the system
 * property {@value #JAR_PROPERTY}, which failsafe sets.
 */
final class ShippedJar {
    static final String JAR_PROPERTY = "portafilter.cli.jar";
    /** The CLI reads these variables: a run never inherits them from the build, only gets what its test sets. */
    private static final List<String> CLI_VARIABLE_PREFIXES = List.of("PORTAFILTER_", "PINECONE_");
    /** These would give the JVM a class path or options, or make it print to stderr. */
    private static final List<String> JVM_VARIABLES = List.of("CLASSPATH", "JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS",
            "_JAVA_OPTIONS");
    private static final Duration TIMEOUT = Duration.ofMinutes(10);

    private ShippedJar() {
    }

    /** One run: its arguments, exit code and output. */
    record Run(List<String> args, int exit, String out, String err) {
        /** Everything about the run, for assertion messages. */
        String describe() {
            return "portafilter " + String.join(" ", args) + "\n  exit " + exit + "\n--- stdout\n" + out
                    + "\n--- stderr\n" + err;
        }
    }

    static Path jar() {
        String path = System.getProperty(JAR_PROPERTY);
        if (path == null) {
            return fail("no system property " + JAR_PROPERTY + ": run the ITs with failsafe, after package "
                    + "(./mvnw -pl cli -am verify)");
        }
        Path jar = Path.of(path);
        if (!Files.isRegularFile(jar)) {
            return fail("the shaded jar " + jar + " is missing: the package phase builds it");
        }
        return jar;
    }

    static Run run(String... args) {
        return run(Map.of(), null, List.of(args));
    }

    /**
     * Runs the jar in {@code dir} (null: the build's working directory) with the variables in {@code environment}
     * and none of the CLI's own from the build's environment.
     */
    static Run run(Map<String, String> environment, Path dir, List<String> args) {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> command = new ArrayList<>(List.of(java.toString(), "-jar", jar().toString()));
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command);
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(k -> JVM_VARIABLES.contains(k) || CLI_VARIABLE_PREFIXES.stream().anyMatch(k::startsWith));
        env.putAll(environment);
        assertThat(env).as("the jar runs with -jar alone, without a class path").doesNotContainKey("CLASSPATH");
        if (dir != null) {
            builder.directory(dir.toFile());
        }
        Path out = null;
        Path err = null;
        try {
            out = Files.createTempFile("portafilter-stdout", ".txt");
            err = Files.createTempFile("portafilter-stderr", ".txt");
            Process process = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            process.getOutputStream().close();
            if (!process.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
                fail("portafilter " + String.join(" ", args) + " did not finish within " + TIMEOUT + "\n--- stdout\n"
                        + Files.readString(out) + "\n--- stderr\n" + Files.readString(err));
            }
            Run run = new Run(List.copyOf(args), process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
            assertNoStackTrace(run);
            return run;
        } catch (IOException e) {
            return fail("cannot run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return fail("interrupted", e);
        } finally {
            delete(out);
            delete(err);
        }
    }

    /** Whatever the input, the shipped jar never prints a stack trace: that is a bug report, not an answer. */
    static void assertNoStackTrace(Run run) {
        for (String line : (run.out() + "\n" + run.err()).split("\\R")) {
            assertThat(line.startsWith("\tat ") || line.startsWith("Caused by:") || line.contains("Exception in thread"))
                    .as("a stack trace in the output of\n%s", run.describe()).isFalse();
        }
    }

    private static void delete(Path file) {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // a temporary file
            }
        }
    }
}
