package dev.portafilter.conformance;

import org.opentest4j.TestAbortedException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Finds a backend server for the tests: an environment variable first, then the file
 * {@code .backends/<name>.env} that the project's {@code scripts/} write when they start a local server.
 * Adapters try Testcontainers in between, where Docker is available.
 *
 * <p>When no server is found: with {@code CI=true} the tests fail; elsewhere they are skipped with the
 * reason printed. Never silently.
 */
public final class BackendLocator {
    private BackendLocator() {
    }

    /** The value of {@code variable} from the environment, else from {@code .backends/<envFile>} in the repository. */
    public static Optional<String> find(String variable, String envFile) {
        String fromEnv = System.getenv(variable);
        if (fromEnv != null && !fromEnv.isBlank()) {
            return Optional.of(fromEnv.trim());
        }
        return repositoryRoot().map(root -> root.resolve(".backends").resolve(envFile))
                .filter(Files::isRegularFile)
                .flatMap(file -> read(file, variable));
    }

    /** Fails (with {@code CI=true}) or skips, printing why. Never returns normally. */
    public static RuntimeException unavailable(String backend, String why) {
        String message = backend + " tests cannot run: " + why;
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            return new IllegalStateException(message + " (CI=true: a missing backend fails the build)");
        }
        System.out.println("[skip] " + message);
        return new TestAbortedException(message);
    }

    /** The repository root: {@code PORTAFILTER_REPO_ROOT} (set by the build), else the nearest parent with {@code mvnw}. */
    public static Optional<Path> repositoryRoot() {
        String configured = System.getenv("PORTAFILTER_REPO_ROOT");
        if (configured != null && !configured.isBlank()) {
            return Optional.of(Path.of(configured));
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("mvnw"))) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    private static Optional<String> read(Path file, String variable) {
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                if (line.startsWith(variable + "=")) {
                    return Optional.of(line.substring(variable.length() + 1).trim());
                }
            }
            return Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
