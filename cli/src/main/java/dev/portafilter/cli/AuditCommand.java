package dev.portafilter.cli;

import dev.portafilter.conformance.audit.AuditReports;
import dev.portafilter.conformance.audit.AuditResult;
import dev.portafilter.conformance.audit.ConformanceAudit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/** Runs the conformance suite against a live backend, in scratch space it creates and removes. */
@Command(name = "audit", mixinStandardHelpOptions = true,
        description = "Prove tenant isolation and the filter semantics on a live backend: runs the whole conformance "
                + "suite in scratch space, writes report.json, JUnit XML and report.html.")
final class AuditCommand implements Callable<Integer> {
    /** About how many tests one audit runs, for the progress bar. */
    private static final int EXPECTED_TESTS = 190;

    @Mixin
    BackendOptions backend;

    @Option(names = "--report-dir", description = "Where to write the reports (default: ${DEFAULT-VALUE}).",
            defaultValue = "portafilter-audit")
    Path reportDir;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        Inputs.outputFolder("--report-dir", reportDir);
        try (BackendConnection fixture = backend.connect()) {
            return run(fixture);
        }
    }

    private int run(BackendConnection fixture) {
        PrintWriter out = spec.commandLine().getOut();
        out.printf("Auditing %s (%s)%n", fixture.name(), fixture.describe());
        ProgressBar bar = new ProgressBar(System.err, "audit " + fixture.name());
        AuditResult result = ConformanceAudit.run(fixture, fixture.describe(), reportDir.resolve("junit"),
                (outcome, done, failed) -> bar.update(done, EXPECTED_TESTS, failed == 0 ? "" : failed + " failed"));
        bar.finish();
        try {
            AuditReports.writeJson(result, reportDir.resolve("report.json"));
            AuditReports.writeHtml(result, reportDir.resolve("report.html"));
        } catch (UncheckedIOException e) {
            throw Inputs.cannotWrite("--report-dir", reportDir, e);
        }

        Map<String, long[]> byContract = new LinkedHashMap<>();
        for (AuditResult.TestOutcome t : result.tests()) {
            long[] c = byContract.computeIfAbsent(t.contract(), k -> new long[3]);
            c[t.status().ordinal()]++;
        }
        out.printf("%n%-28s %7s %7s %7s%n", "contract", "passed", "failed", "skipped");
        byContract.forEach((contract, c) -> out.printf("%-28s %7d %7d %7d%n", contract, c[0], c[1], c[2]));
        out.printf("%-28s %7d %7d %7d%n", "total", result.count(AuditResult.Status.PASSED),
                result.count(AuditResult.Status.FAILED), result.count(AuditResult.Status.SKIPPED));
        result.tests().stream().filter(t -> t.status() == AuditResult.Status.FAILED).forEach(t -> out.printf(
                "%nFAILED %s > %s%s%n  %s%n", t.contract(), t.name(), t.seed().isEmpty() ? "" : " (seed " + t.seed() + ")",
                t.message().replace("\n", "\n  ")));
        out.printf("%nReports: %s, %s, %s%n", reportDir.resolve("report.json"), reportDir.resolve("report.html"),
                reportDir.resolve("junit"));
        out.printf("%s%n", result.passed() ? "PASSED: no leak, every result equals the reference semantics."
                : "FAILED: see the failures above.");
        return result.passed() ? ExitCodes.OK : ExitCodes.FAILED;
    }
}
