package dev.portafilter.cli;

import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel;
import dev.portafilter.conformance.ScenarioDataset;
import dev.portafilter.core.PortafilterException;
import dev.portafilter.core.filter.Filters;
import dev.portafilter.core.store.InMemoryVectorStore;
import dev.portafilter.core.store.SearchHit;
import dev.portafilter.core.store.VectorRecord;
import dev.portafilter.core.store.VectorStore;
import dev.portafilter.core.tenant.TenantScope;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Ingests the two-customer healthcare scenario into the embedded in-memory store, embeds it with a local
 * model (all-MiniLM-L6-v2, quantized, offline), and asks the same question as each customer.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Ask \"What was prescribed to patient P003?\" as CustomerA and as CustomerB on the embedded store.")
final class DemoCommand implements Callable<Integer> {
    @Option(names = "--question", description = "The question to ask (default: ${DEFAULT-VALUE}).")
    String question = "What was prescribed to patient P003?";

    @Option(names = "--top-k", description = "Results per tenant (default: ${DEFAULT-VALUE}).")
    int topK = 3;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        if (topK < 1) {
            throw new ParameterException(spec.commandLine(), "--top-k must be at least 1, was " + topK);
        }
        PrintWriter out = spec.commandLine().getOut();
        EmbeddingModel model = new AllMiniLmL6V2QuantizedEmbeddingModel();
        VectorStore store = new InMemoryVectorStore(ScenarioDataset.SCHEMA, model.dimension());
        List<VectorRecord> records = ScenarioDataset.records().stream()
                .map(r -> new VectorRecord(r.id(), model.embed(r.text()).content().vector(), r.text(), r.metadata()))
                .toList();
        store.upsert(records);
        out.printf("Ingested %d chunks of two customers into one in-memory index (%d-dimensional all-MiniLM-L6-v2).%n",
                records.size(), model.dimension());

        float[] query = model.embed(question).content().vector();
        TenantScope scope = TenantScope.of(store, ScenarioDataset.TENANT_FIELD);
        boolean isolated = true;
        for (String tenant : List.of(ScenarioDataset.CUSTOMER_A, ScenarioDataset.CUSTOMER_B)) {
            out.printf("%n== %s asks: %s%n", tenant, question);
            List<SearchHit> hits = scope.forTenant(tenant).search(query, topK);
            for (SearchHit hit : hits) {
                out.printf("  %.3f  %-8s %s%n", hit.score(), hit.id(), abbreviate(hit.text(), 96));
            }
            Set<String> foreign = hits.stream()
                    .filter(h -> !h.metadata().get(ScenarioDataset.TENANT_FIELD).map(v -> v.toJava().equals(tenant)).orElse(false))
                    .map(SearchHit::id).collect(Collectors.toSet());
            out.printf("  -> %d of %d results belong to %s; other customers' records seen: %s%n",
                    hits.size() - foreign.size(), hits.size(), tenant, foreign.isEmpty() ? "none" : foreign);
            isolated &= foreign.isEmpty();
        }

        out.printf("%n== Without a tenant scope, the same question over the shared index:%n");
        for (SearchHit hit : store.search(query, topK)) {
            out.printf("  %.3f  %-8s %s%n", hit.score(), hit.id(), abbreviate(hit.text(), 96));
        }
        out.printf("%n== CustomerA tries to widen its scope with {\"$or\":[{\"customer\":\"CustomerB\"}, ...]}:%n");
        try {
            scope.forTenant(ScenarioDataset.CUSTOMER_A).search(query, topK,
                    Filters.or(Filters.eq("customer", "CustomerB"), Filters.eq("documentType", "case-report")));
            out.println("  !! the filter was accepted");
            isolated = false;
        } catch (PortafilterException refused) {
            out.printf("  refused: %s%n", refused.getMessage());
        }
        out.printf("%nIsolation %s.%n", isolated ? "held: neither customer saw the other's records" : "FAILED");
        return isolated ? 0 : 1;
    }

    private static String abbreviate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 3) + "...";
    }
}
