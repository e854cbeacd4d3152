package dev.portafilter.benchmarks;

import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/** What the numbers were measured on: hardware, load, and the versions of everything involved. */
record Machine(String cpu, int cores, long memoryBytes, String os, String java, String postgres, String pgvector,
               String openSearch, String langChain4j, String springAi, String jmh) {

    static Machine describe(BenchmarkDatabase db, String openSearchVersion) {
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        return new Machine(cpuModel(), Runtime.getRuntime().availableProcessors(), os.getTotalMemorySize(),
                System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"),
                System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"),
                db.queryString("SHOW server_version"),
                db.queryString("SELECT extversion FROM pg_extension WHERE extname = 'vector'"),
                openSearchVersion,
                mavenVersion("dev.langchain4j", "langchain4j-pgvector"),
                mavenVersion("org.springframework.ai", "spring-ai-pgvector-store"),
                mavenVersion("org.openjdk.jmh", "jmh-core"));
    }

    /** The 1-, 5- and 15-minute load averages, as {@code /proc/loadavg} gives them. */
    static String loadAverage() {
        try {
            String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return parts[0] + ", " + parts[1] + ", " + parts[2];
        } catch (IOException | RuntimeException e) {
            double one = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
            return String.format("%.2f (1 min)", one);
        }
    }

    private static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                    .filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim())
                    .findFirst().orElse(System.getProperty("os.arch"));
        } catch (IOException e) {
            return System.getProperty("os.arch");
        }
    }

    /** The version in a jar's {@code META-INF/maven/.../pom.properties}. */
    private static String mavenVersion(String group, String artifact) {
        String resource = "/META-INF/maven/" + group + "/" + artifact + "/pom.properties";
        try (InputStream in = Machine.class.getResourceAsStream(resource)) {
            if (in == null) {
                return "unknown";
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }
}
