package dev.portafilter.conformance.audit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** Writes an {@link AuditResult} as {@code report.json} and as a self-contained one-page HTML report. */
public final class AuditReports {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    /** The reports' style sheet, shared by every one-page report of the CLI. */
    public static final String STYLE = "body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:1100px;color:#1d232b}"
            + "h1{font-size:1.5rem;margin:0 0 .25rem}h2{font-size:1.1rem;margin:1.6rem 0 .4rem}"
            + ".verdict{display:inline-block;padding:.3rem .8rem;border-radius:4px;font-weight:600;color:#fff}"
            + ".pass{background:#1e7d3a}.fail{background:#b42318}"
            + "table{border-collapse:collapse;width:100%;margin:.4rem 0}td,th{border-bottom:1px solid #e3e6ea;"
            + "padding:.3rem .5rem;text-align:left;vertical-align:top}th{background:#f4f6f8}"
            + "td.s-PASSED{color:#1e7d3a}td.s-FAILED{color:#b42318;font-weight:600}td.s-SKIPPED{color:#8a6d00}"
            + "code,pre{font:12px/1.4 ui-monospace,monospace}pre{white-space:pre-wrap;margin:0;color:#b42318}"
            + ".meta td:first-child{color:#5b6571;width:11rem}";

    private AuditReports() {
    }

    public static ObjectNode toJson(AuditResult result) {
        ObjectNode root = JSON.createObjectNode();
        root.put("backend", result.backend());
        root.put("target", result.target());
        root.put("startedAt", result.startedAt().toString());
        root.put("durationMillis", result.duration().toMillis());
        root.put("passed", result.passed());
        ObjectNode totals = root.putObject("totals");
        for (AuditResult.Status s : AuditResult.Status.values()) {
            totals.put(s.name().toLowerCase(), result.count(s));
        }
        ArrayNode tests = root.putArray("tests");
        for (AuditResult.TestOutcome t : result.tests()) {
            ObjectNode n = tests.addObject();
            n.put("contract", t.contract());
            n.put("name", t.name());
            n.put("status", t.status().name());
            n.put("millis", t.millis());
            if (!t.message().isEmpty()) {
                n.put("message", t.message());
            }
            if (!t.seed().isEmpty()) {
                n.put("seed", t.seed());
            }
        }
        return root;
    }

    public static void writeJson(AuditResult result, Path file) {
        write(file, toJsonText(toJson(result)));
    }

    public static void writeHtml(AuditResult result, Path file) {
        write(file, html(result));
    }

    static String html(AuditResult result) {
        StringBuilder h = new StringBuilder(64 * 1024);
        h.append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Portafilter audit: ")
                .append(esc(result.backend())).append("</title><style>").append(STYLE).append("</style></head><body>");
        h.append("<h1>Portafilter conformance audit</h1>");
        h.append("<p><span class=\"verdict ").append(result.passed() ? "pass\">PASSED" : "fail\">FAILED")
                .append("</span></p>");
        h.append("<table class=\"meta\">");
        row(h, "Backend", result.backend());
        row(h, "Target", result.target());
        row(h, "Started", result.startedAt().toString());
        row(h, "Duration", String.format("%.1f s", result.duration().toMillis() / 1000.0));
        row(h, "Tests", result.tests().size() + " (" + result.count(AuditResult.Status.PASSED) + " passed, "
                + result.count(AuditResult.Status.FAILED) + " failed, " + result.count(AuditResult.Status.SKIPPED)
                + " skipped)");
        h.append("</table>");

        Map<String, List<AuditResult.TestOutcome>> byContract = result.tests().stream()
                .collect(Collectors.groupingBy(AuditResult.TestOutcome::contract, LinkedHashMap::new, Collectors.toList()));
        h.append("<h2>Summary</h2><table><tr><th>Contract</th><th>Tests</th><th>Passed</th><th>Failed</th><th>Skipped</th></tr>");
        byContract.forEach((contract, tests) -> h.append("<tr><td>").append(esc(contract)).append("</td><td>")
                .append(tests.size()).append("</td><td>").append(count(tests, AuditResult.Status.PASSED))
                .append("</td><td>").append(count(tests, AuditResult.Status.FAILED)).append("</td><td>")
                .append(count(tests, AuditResult.Status.SKIPPED)).append("</td></tr>"));
        h.append("</table>");

        byContract.forEach((contract, tests) -> {
            h.append("<h2>").append(esc(contract)).append("</h2><table><tr><th>Case</th><th>Result</th><th>ms</th></tr>");
            for (AuditResult.TestOutcome t : tests) {
                h.append("<tr><td><code>").append(esc(t.name())).append("</code>");
                if (!t.seed().isEmpty()) {
                    h.append("<br>seed <code>").append(esc(t.seed())).append("</code>");
                }
                if (t.status() != AuditResult.Status.PASSED && !t.message().isEmpty()) {
                    h.append("<pre>").append(esc(t.message())).append("</pre>");
                }
                h.append("</td><td class=\"s-").append(t.status()).append("\">").append(t.status())
                        .append("</td><td>").append(t.millis()).append("</td></tr>");
            }
            h.append("</table>");
        });
        h.append("<p style=\"color:#5b6571\">Property tests draw random filters from jqwik; a failing one prints its seed, ")
                .append("with which the same filters are generated again.</p></body></html>\n");
        return h.toString();
    }

    private static long count(List<AuditResult.TestOutcome> tests, AuditResult.Status status) {
        return tests.stream().filter(t -> t.status() == status).count();
    }

    /** A row of a two-column table: a key and its value, escaped. */
    public static void row(StringBuilder h, String key, String value) {
        h.append("<tr><td>").append(esc(key)).append("</td><td>").append(esc(value)).append("</td></tr>");
    }

    /** Text escaped for HTML. */
    public static String esc(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    private static String toJsonText(ObjectNode node) {
        try {
            return JSON.writeValueAsString(node);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes UTF-8 text, creating the parent folders. */
    public static void write(Path file, String text) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.writeString(file, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
