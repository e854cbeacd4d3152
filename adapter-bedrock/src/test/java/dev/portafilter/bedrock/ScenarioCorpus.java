package dev.portafilter.bedrock;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portafilter.conformance.ScenarioDataset;
import dev.portafilter.core.metadata.BooleanValue;
import dev.portafilter.core.metadata.MetadataValue;
import dev.portafilter.core.metadata.NumberValue;
import dev.portafilter.core.metadata.StringListValue;
import dev.portafilter.core.metadata.StringValue;
import dev.portafilter.core.store.VectorRecord;

import dev.portafilter.localservers.bedrock.LocalBedrock;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The conformance scenario as a Bedrock data source: {@code CustomerA/A-C001.txt} with
 * {@code CustomerA/A-C001.txt.metadata.json}, guidance documents as Markdown, and the sidecars alternating between
 * Bedrock's plain and typed forms. The same folder is ingested into self-managed stores and served by
 * {@link LocalBedrock}; uploaded to S3 it is the corpus of a real knowledge base for the cloud contract run.
 */
final class ScenarioCorpus {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ScenarioCorpus() {
    }

    /** Writes the corpus into {@code folder} (emptied first); returns the folder. */
    static Path write(Path folder) {
        try {
            if (Files.exists(folder)) {
                try (Stream<Path> old = Files.walk(folder)) {
                    for (Path p : old.sorted(Comparator.reverseOrder()).toList()) {
                        Files.delete(p);
                    }
                }
            }
            List<VectorRecord> records = ScenarioDataset.records();
            for (int i = 0; i < records.size(); i++) {
                VectorRecord r = records.get(i);
                Path file = folder.resolve(fileOf(r));
                Files.createDirectories(file.getParent());
                Files.writeString(file, r.text() + "\n", StandardCharsets.UTF_8);
                ObjectNode sidecar = JSON.createObjectNode();
                ObjectNode attributes = sidecar.putObject("metadataAttributes");
                boolean typed = i % 2 == 1;
                for (Map.Entry<String, MetadataValue> e : r.metadata().asMap().entrySet()) {
                    if (typed) {
                        ObjectNode attribute = attributes.putObject(e.getKey());
                        typedValue(attribute.putObject("value"), e.getValue());
                        attribute.put("includeForEmbedding", e.getKey().equals("documentType"));
                    } else {
                        attributes.set(e.getKey(), JSON.valueToTree(e.getValue().toJava()));
                    }
                }
                Files.writeString(file.resolveSibling(file.getFileName() + SidecarIngestor.SIDECAR_SUFFIX),
                        JSON.writerWithDefaultPrettyPrinter().writeValueAsString(sidecar), StandardCharsets.UTF_8);
            }
            return folder;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code CustomerA/A-HIPAA.md}, {@code CustomerB/B-S001.txt}, ... */
    static String fileOf(VectorRecord r) {
        String type = (String) r.metadata().get("documentType").orElseThrow().toJava();
        String extension = type.equals("compliance-guide") || type.equals("guidance") ? ".md" : ".txt";
        return r.metadata().get(ScenarioDataset.TENANT_FIELD).orElseThrow().toJava() + "/" + r.id() + extension;
    }

    /** The scenario id of a record id ({@code CustomerA/A-C001.txt#0}) or a source URI ({@code s3://b/CustomerA/A-C001.txt}). */
    static String scenarioId(String idOrUri) {
        String name = idOrUri.substring(idOrUri.lastIndexOf('/') + 1);
        int hash = name.indexOf('#');
        name = hash < 0 ? name : name.substring(0, hash);
        return name.substring(0, name.lastIndexOf('.'));
    }

    private static void typedValue(ObjectNode value, MetadataValue v) {
        if (v instanceof StringValue s) {
            value.put("type", "STRING").put("stringValue", s.value());
        } else if (v instanceof NumberValue n) {
            value.put("type", "NUMBER").set("numberValue", JSON.valueToTree(n.toJava()));
        } else if (v instanceof BooleanValue b) {
            value.put("type", "BOOLEAN").put("booleanValue", b.value());
        } else {
            value.put("type", "STRING_LIST").set("stringListValue", JSON.valueToTree(((StringListValue) v).values()));
        }
    }
}
