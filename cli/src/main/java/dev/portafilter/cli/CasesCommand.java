package dev.portafilter.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portafilter.conformance.audit.CaseRunner;
import dev.portafilter.conformance.audit.CasesFile;
import dev.portafilter.conformance.audit.CasesFileException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** Runs an auditor's own cases file against a backend. */
@Command(name = "cases", mixinStandardHelpOptions = true,
        description = "Load the records of FILE into scratch space on a backend and check that every case's filter "
                + "returns exactly the expected ids, by search and by count.")
final class CasesCommand implements Callable<Integer> {
    @Parameters(paramLabel = "FILE", description = "The cases file: {\"schema\":..., \"records\":[...], \"cases\":[...]}")
    Path file;

    @Mixin
    BackendOptions backend;

    @Option(names = "--json", paramLabel = "OUT", description = "Also write the results as JSON to OUT.")
    Path json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        CasesFile cases = Inputs.cases(file);
        try (BackendConnection fixture = backend.connect()) {
            return run(fixture, cases);
        }
    }

    private int run(BackendConnection fixture, CasesFile cases) {
        PrintWriter out = spec.commandLine().getOut();
        List<CaseRunner.CaseResult> results;
        try {
            results = CaseRunner.run(fixture, cases);
        } catch (CasesFileException e) {
            // what this backend cannot take, at its JSON path in the file
            throw new Inputs.BadInputException(file + ": " + e.getMessage(), e);
        }
        int failed = 0;
        for (CaseRunner.CaseResult r : results) {
            out.printf("%s  %s%n", r.passed() ? "PASS" : "FAIL", r.name());
            if (!r.passed()) {
                failed++;
                out.printf("      missing: %s  unexpected: %s%s%n", r.missing(), r.unexpected(),
                        r.count().isPresent() && r.count().getAsLong() != r.expected().size()
                                ? "  count: " + r.count().getAsLong() + " (expected " + r.expected().size() + ")" : "");
            }
        }
        out.printf("%d cases on %s: %d passed, %d failed%n", results.size(), fixture.name(), results.size() - failed, failed);
        if (json != null) {
            writeJson(fixture, results);
        }
        return failed == 0 ? ExitCodes.OK : ExitCodes.FAILED;
    }

    private void writeJson(BackendConnection fixture, List<CaseRunner.CaseResult> results) {
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = mapper.createObjectNode();
        root.put("backend", fixture.name());
        root.put("target", fixture.describe());
        ArrayNode array = root.putArray("cases");
        for (CaseRunner.CaseResult r : results) {
            ObjectNode n = array.addObject();
            n.put("name", r.name());
            n.put("passed", r.passed());
            r.expected().forEach(n.putArray("expected")::add);
            r.missing().forEach(n.putArray("missing")::add);
            r.unexpected().forEach(n.putArray("unexpected")::add);
            if (r.count().isPresent()) {
                n.put("count", r.count().getAsLong());
            }
        }
        try {
            Path parent = json.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            mapper.writeValue(json.toFile(), root);
        } catch (IOException e) {
            throw Inputs.cannotWrite("--json", json, e);
        }
    }
}
