package dev.portafilter.cli.inspect;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portafilter.conformance.audit.AuditReports;

import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static dev.portafilter.conformance.audit.AuditReports.esc;
import static dev.portafilter.conformance.audit.AuditReports.row;

/** What one inspection found, written as {@code report.json} and as a one-page HTML report like the audit's. */
public record InspectionReport(String backend, String target, String tenantField, String readOnly, Instant startedAt,
                               Duration duration, List<Finding> findings, Inspector.Census census,
                               Measurement.Result measurement) {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** No finding of high severity. */
    public boolean passed() {
        return findings.stream().noneMatch(f -> f.severity() == Finding.Severity.HIGH);
    }

    public ObjectNode toJson() {
        ObjectNode root = JSON.createObjectNode();
        root.put("backend", backend).put("target", target).put("tenantField", tenantField).put("readOnly", readOnly)
                .put("startedAt", startedAt.toString()).put("durationMillis", duration.toMillis())
                .put("passed", passed());
        ArrayNode fs = root.putArray("findings");
        findings.forEach(f -> fs.addObject().put("severity", f.severity().name()).put("id", f.id())
                .put("evidence", f.evidence()).put("fix", f.fix()));
        ObjectNode data = root.putObject("data");
        data.put("records", census.total()).put("withoutTenant", census.withoutTenant())
                .put("tenants", census.recordsPerTenant().size());
        ObjectNode per = data.putObject("recordsPerTenant");
        census.recordsPerTenant().forEach(per::put);
        ObjectNode m = root.putObject("measured");
        m.put("k", measurement.k()).put("searchesPerTenant", measurement.searchesPerTenant())
                .put("seed", measurement.seed());
        ArrayNode tenants = m.putArray("tenants");
        measurement.tenants().forEach(tenants::add);
        ArrayNode shapes = m.putArray("shapes");
        for (Measurement.ShapeResult r : measurement.shapes()) {
            ObjectNode s = shapes.addObject().put("shape", r.name()).put("description", r.description())
                    .put("library", r.library()).put("searches", r.searches()).put("rows", r.rows())
                    .put("foreignRows", r.foreignRows()).put("shortSearches", r.shortSearches());
            ObjectNode ex = s.putObject("foreignExamples");
            r.examples().forEach((tenant, others) -> others.forEach(ex.withArray(tenant)::add));
        }
        return root;
    }

    public void writeJson(Path file) {
        try {
            AuditReports.write(file, JSON.writeValueAsString(toJson()));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    public void writeHtml(Path file) {
        AuditReports.write(file, html());
    }

    String html() {
        StringBuilder h = new StringBuilder(32 * 1024);
        h.append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Portafilter inspection: ")
                .append(esc(target)).append("</title><style>").append(AuditReports.STYLE)
                .append("td.HIGH{color:#b42318;font-weight:600}td.MEDIUM{color:#8a6d00;font-weight:600}")
                .append("td.LOW{color:#5b6571}td.num{text-align:right}td code{white-space:nowrap}</style></head><body>")
                .append("<h1>Portafilter inspection</h1><p><span class=\"verdict ")
                .append(passed() ? "pass\">NO HIGH-SEVERITY FINDING" : "fail\">HIGH-SEVERITY FINDINGS")
                .append("</span></p><table class=\"meta\">");
        row(h, "Backend", backend);
        row(h, "Target", target);
        row(h, "Tenant field", tenantField);
        row(h, "Read-only", readOnly);
        row(h, "Started", startedAt.toString());
        row(h, "Duration", String.format("%.1f s", duration.toMillis() / 1000.0));
        row(h, "Records", census.total() + " (" + census.recordsPerTenant().size() + " tenants, "
                + census.withoutTenant() + " without a tenant)");
        h.append("</table><h2>Findings</h2>");
        if (findings.isEmpty()) {
            h.append("<p>None.</p>");
        } else {
            h.append("<table><tr><th>Severity</th><th>Finding</th><th>Evidence</th><th>Fix</th></tr>");
            findings.forEach(f -> h.append("<tr><td class=\"").append(f.severity()).append("\">").append(f.severity())
                    .append("</td><td><code>").append(esc(f.id())).append("</code></td><td>").append(esc(f.evidence()))
                    .append("</td><td>").append(esc(f.fix())).append("</td></tr>"));
            h.append("</table>");
        }
        h.append("<h2>Measured: ").append(measurement.tenants().size()).append(" tenants × ")
                .append(measurement.searchesPerTenant()).append(" random query vectors, top ").append(measurement.k())
                .append(" (seed ").append(measurement.seed()).append(")</h2><table><tr><th>Shape</th><th>Searches</th>")
                .append("<th>Rows</th><th>Foreign rows</th><th>Short searches</th><th>Tenants that got foreign rows")
                .append("</th></tr>");
        for (Measurement.ShapeResult r : measurement.shapes()) {
            h.append("<tr><td><code>").append(esc(r.name())).append("</code>").append(r.library() ? " (library)" : "")
                    .append("<br>").append(esc(r.description())).append("</td><td class=\"num\">").append(r.searches())
                    .append("</td><td class=\"num\">").append(r.rows()).append("</td><td class=\"num\">")
                    .append(r.foreignRows()).append("</td><td class=\"num\">").append(r.shortSearches())
                    .append("</td><td>");
            r.examples().forEach((tenant, others) -> h.append(esc(TenantFindings.quoted(tenant))).append(" got ")
                    .append(esc(String.join(", ", others.stream().map(TenantFindings::quoted).toList()))).append("<br>"));
            h.append("</td></tr>");
        }
        h.append("</table><h2>Records per tenant</h2><table><tr><th>Tenant</th><th>Records</th></tr>");
        for (Map.Entry<String, Long> e : census.recordsPerTenant().entrySet()) {
            h.append("<tr><td><code>").append(esc(TenantFindings.quoted(e.getKey()))).append("</code></td><td class=\"num\">")
                    .append(e.getValue()).append("</td></tr>");
        }
        return h.append("</table><p style=\"color:#5b6571\">A search is short when it returned fewer of the tenant's ")
                .append("own rows than k, or than the tenant has. Foreign rows belong to another tenant or to none.")
                .append("</p></body></html>\n").toString();
    }
}
