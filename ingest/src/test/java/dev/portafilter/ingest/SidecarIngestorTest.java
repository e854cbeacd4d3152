package dev.portafilter.ingest;

import dev.portafilter.conformance.ScenarioDataset;
import dev.portafilter.core.InvalidRecordException;
import dev.portafilter.core.metadata.DoubleValue;
import dev.portafilter.core.metadata.FieldType;
import dev.portafilter.core.metadata.LongValue;
import dev.portafilter.core.metadata.Metadata;
import dev.portafilter.core.metadata.MetadataSchema;
import dev.portafilter.core.metadata.StringListValue;
import dev.portafilter.core.store.InMemoryVectorStore;
import dev.portafilter.core.store.SearchHit;
import dev.portafilter.core.store.VectorRecord;
import dev.portafilter.core.store.VectorStore;
import dev.portafilter.localservers.bedrock.ToyEmbedding;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SidecarIngestorTest {
    private static final MetadataSchema SCHEMA = MetadataSchema.builder()
            .required("customer", FieldType.STRING)
            .optional("publicationYear", FieldType.LONG)
            .optional("confidence", FieldType.DOUBLE)
            .optional("reviewed", FieldType.BOOLEAN)
            .optional("patientIds", FieldType.STRING_LIST)
            .build();

    @TempDir
    Path dir;

    private final InMemoryVectorStore store = new InMemoryVectorStore(SCHEMA, ToyEmbedding.DIMENSION);

    private SidecarIngestor.Builder ingestor() {
        return SidecarIngestor.builder().store(store).embedder(ToyEmbedding.INSTANCE::embed);
    }

    private void file(String path, String content) {
        try {
            Path p = dir.resolve(path);
            Files.createDirectories(p.getParent());
            Files.writeString(p, content, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, SearchHit> everything(VectorStore store) {
        return store.search(ToyEmbedding.INSTANCE.embed("anything"), 1000).stream()
                .collect(Collectors.toMap(SearchHit::id, Function.identity()));
    }

    @Test
    void ingestsTheScenarioFromBothSidecarForms() {
        Path corpus = ScenarioCorpus.write(dir.resolve("corpus"));
        InMemoryVectorStore scenario = new InMemoryVectorStore(ScenarioDataset.SCHEMA, ToyEmbedding.DIMENSION);
        IngestReport report = SidecarIngestor.builder().store(scenario).embedder(ToyEmbedding.INSTANCE::embed).build()
                .ingest(corpus);
        assertThat(report.documentsFound()).isEqualTo(12);
        assertThat(report.documentsWritten()).isEqualTo(12);
        assertThat(report.recordsWritten()).isEqualTo(12);
        assertThat(report.skipped()).isEmpty();
        assertThat(report.ignoredFiles()).isEmpty();
        Map<String, SearchHit> stored = everything(scenario);
        for (VectorRecord r : ScenarioDataset.records()) {
            SearchHit hit = stored.get(ScenarioCorpus.fileOf(r) + "#0");
            assertThat(hit).as(r.id()).isNotNull();
            assertThat(hit.text()).isEqualTo(r.text());
            assertThat(hit.metadata()).isEqualTo(ScenarioDataset.SCHEMA.validateRecord(r.id(), r.metadata()));
        }
    }

    @Test
    void numbersTakeTheSchemasTypeAndAnIntegerFieldTakesOnlyIntegers() {
        file("plain.txt", "plain");
        file("plain.txt.metadata.json", "{\"metadataAttributes\":{\"customer\":\"A\",\"publicationYear\":2023,"
                + "\"confidence\":1}}");
        file("typed.md", "typed");
        file("typed.md.metadata.json", "{\"metadataAttributes\":{\"customer\":{\"value\":{\"type\":\"STRING\","
                + "\"stringValue\":\"A\"}},\"publicationYear\":{\"value\":{\"type\":\"NUMBER\",\"numberValue\":2024.0},"
                + "\"includeForEmbedding\":false},\"patientIds\":{\"value\":{\"type\":\"STRING_LIST\","
                + "\"stringListValue\":[\"P1\",\"P2\"]}}}}");
        ingestor().build().ingest(dir);
        Map<String, SearchHit> stored = everything(store);
        assertThat(stored.get("plain.txt#0").metadata()).isEqualTo(Metadata.of("customer", "A",
                "publicationYear", new LongValue(2023), "confidence", new DoubleValue(1.0)));
        assertThat(stored.get("typed.md#0").metadata()).isEqualTo(Metadata.of("customer", "A",
                "publicationYear", new LongValue(2024), "patientIds", new StringListValue(List.of("P1", "P2"))));
    }

    /** An empty list is the attribute absent; where the store's schema allows them, any other key is read by its kind. */
    @Test
    void emptyListsAreAbsentAndUndeclaredAttributesKeepTheirKind() {
        MetadataSchema open = MetadataSchema.builder().required("customer", FieldType.STRING).allowUndeclared().build();
        InMemoryVectorStore openStore = new InMemoryVectorStore(open, ToyEmbedding.DIMENSION);
        file("plain.txt", "plain");
        file("plain.txt.metadata.json", "{\"metadataAttributes\":{\"customer\":\"A\",\"patientIds\":[],"
                + "\"team\":\"red\",\"size\":3,\"ratio\":0.5,\"open\":true,\"tags\":[\"x\"],\"config.setting\":\"2\"}}");
        file("typed.md", "typed");
        file("typed.md.metadata.json", "{\"metadataAttributes\":{\"customer\":\"A\",\"size\":{\"value\":"
                + "{\"type\":\"NUMBER\",\"numberValue\":4.0}},\"tags\":{\"value\":{\"type\":\"STRING_LIST\","
                + "\"stringListValue\":[]}}}}");
        SidecarIngestor.builder().store(openStore).embedder(ToyEmbedding.INSTANCE::embed).build().ingest(dir);
        Map<String, SearchHit> stored = everything(openStore);
        assertThat(stored.get("plain.txt#0").metadata()).isEqualTo(Metadata.of("customer", "A", "team", "red",
                "size", 3L, "ratio", 0.5, "open", true, "tags", List.of("x"), "config.setting", "2"));
        assertThat(stored.get("typed.md#0").metadata()).isEqualTo(Metadata.of("customer", "A", "size", 4L));

        // the declared schema: [] is absent too, so an optional list given as [] is simply not there
        file("plain.txt.metadata.json", "{\"metadataAttributes\":{\"customer\":\"A\",\"patientIds\":[]}}");
        file("typed.md.metadata.json", "{\"metadataAttributes\":{\"customer\":\"A\"}}");
        ingestor().build().ingest(dir);
        assertThat(everything(store).get("plain.txt#0").metadata()).isEqualTo(Metadata.of("customer", "A"));
    }

    @TestFactory
    Stream<DynamicTest> invalidSidecarsAreTypedErrorsNamingFileAndKey() {
        record Case(String sidecar, String key, String reason) {
        }
        return Stream.of(
                new Case("{\"metadataAttributes\":{\"customer\":\"A\",\"publicationYear\":2023.5}}", "publicationYear",
                        "not an integer"),
                new Case("{\"metadataAttributes\":{\"customer\":\"A\",\"publicationYear\":{\"value\":{\"type\":\"NUMBER\","
                        + "\"numberValue\":2023.5}}}}", "publicationYear", "not an integer"),
                new Case("{\"metadataAttributes\":{\"customer\":\"A\",\"publicationYear\":\"2023\"}}", "publicationYear",
                        "declares LONG"),
                new Case("{\"metadataAttributes\":{\"customer\":\"A\",\"publicationYear\":{\"value\":{\"type\":\"STRING\","
                        + "\"stringValue\":\"2023\"}}}}", "publicationYear", "the sidecar says STRING"),
                new Case("{\"metadataAttributes\":{\"customer\":\"A\",\"colour\":\"red\"}}", "colour",
                        "not declared in the schema"),
                new Case("{\"metadataAttributes\":{\"customer\":{\"value\":{\"type\":\"DATE\",\"stringValue\":\"x\"}}}}",
                        "customer", "unknown type 'DATE'"),
                new Case("{\"metadataAttributes\":{\"customer\":{\"value\":{\"type\":\"STRING\"}}}}", "customer",
                        "exactly type and stringValue"),
                new Case("{\"metadataAttributes\":{\"customer\":{\"value\":{\"type\":\"STRING\",\"stringValue\":\"A\"},"
                        + "\"includeForEmbedding\":\"yes\"}}}", "customer", "includeForEmbedding"),
                new Case("{\"metadataAttributes\":{\"customer\":\"A\",\"patientIds\":[\"P1\",2]}}", "patientIds",
                        "only strings"),
                new Case("{\"metadataAttributes\":{\"customer\":null}}", "customer", "found null"),
                new Case("{\"metadataAttributes\":{\"publicationYear\":2020}}", "customer", "required field is missing"),
                new Case("{\"metadataAttributes\":{\"customer\":\"A\"},\"documentStructureConfiguration\":{}}", null,
                        "only metadataAttributes"),
                new Case("{\"metadataAttributes\":{\"customer\":\"A\",\"customer\":\"B\"}}", null, "malformed JSON"),
                new Case("{\"metadataAttributes\":[]}", null, "must be an object"),
                new Case("{\"metadataAttributes\":{\"customer\":\"A\"}", null, "malformed JSON"))
                .map(c -> DynamicTest.dynamicTest(c.sidecar, () -> {
                    file("docs/a.txt", "some text");
                    file("docs/a.txt.metadata.json", c.sidecar);
                    assertThatThrownBy(() -> ingestor().build().ingest(dir))
                            .isInstanceOfSatisfying(IngestException.class, e -> {
                                assertThat(e.file()).isEqualTo("docs/a.txt.metadata.json");
                                assertThat(e.key()).isEqualTo(c.key);
                                assertThat(e.reason()).contains(c.reason);
                            });
                    assertThat(store.count()).isZero();
                }));
    }

    @Test
    void aDocumentWithoutASidecarMustStillFitTheSchema() {
        file("bare.txt", "no metadata");
        assertThatThrownBy(() -> ingestor().build().ingest(dir)).isInstanceOfSatisfying(IngestException.class, e -> {
            assertThat(e.file()).isEqualTo("bare.txt");
            assertThat(e.key()).isEqualTo("customer");
        });
    }

    @Test
    void aStrictIngestOfACorpusWithOneBadDocumentWritesNothing() {
        writeMixedCorpus();
        assertThatThrownBy(() -> ingestor().batchSize(1).build().ingest(dir))
                .isInstanceOfSatisfying(IngestException.class,
                        e -> assertThat(e.file()).isEqualTo("orphan.txt.metadata.json"));
        assertThat(store.count()).isZero();
    }

    @Test
    void skipInvalidReportsProblemsAndWritesTheRest() {
        writeMixedCorpus();
        List<int[]> progress = new ArrayList<>();
        IngestReport report = ingestor().skipInvalid(true).batchSize(1)
                .progress((done, total) -> progress.add(new int[] {done, total}))
                .build().ingest(dir);
        assertThat(report.documentsFound()).isEqualTo(5);
        assertThat(report.documentsWritten()).isEqualTo(3);
        assertThat(report.recordsWritten()).isEqualTo(3);
        assertThat(report.skipped()).extracting(IngestException::file, IngestException::key)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("orphan.txt.metadata.json", null),
                        org.assertj.core.groups.Tuple.tuple("d.txt.metadata.json", "publicationYear"),
                        org.assertj.core.groups.Tuple.tuple("e.md", null));
        assertThat(report.ignoredFiles()).containsExactly("scan.pdf", "scan.pdf.metadata.json");
        assertThat(everything(store).keySet()).containsExactlyInAnyOrder("a.txt#0", "b.md#0", "sub/c.txt#0");
        assertThat(progress).extracting(p -> p[0] + "/" + p[1])
                .containsExactly("0/5", "2/5", "3/5", "4/5", "5/5");
    }

    private void writeMixedCorpus() {
        file("a.txt", "alpha");
        file("a.txt.metadata.json", "{\"metadataAttributes\":{\"customer\":\"A\"}}");
        file("b.md", "# beta");
        file("b.md.metadata.json", "{\"metadataAttributes\":{\"customer\":\"B\",\"reviewed\":true}}");
        file("sub/c.txt", "gamma");
        file("sub/c.txt.metadata.json", "{\"metadataAttributes\":{\"customer\":\"A\",\"publicationYear\":2021}}");
        file("d.txt", "delta");
        file("d.txt.metadata.json", "{\"metadataAttributes\":{\"customer\":\"A\",\"publicationYear\":2021.5}}");
        file("e.md", "   \n\n  ");
        file("e.md.metadata.json", "{\"metadataAttributes\":{\"customer\":\"A\"}}");
        file("orphan.txt.metadata.json", "{\"metadataAttributes\":{\"customer\":\"A\"}}");
        file("scan.pdf", "%PDF-1.4");
        file("scan.pdf.metadata.json", "{\"metadataAttributes\":{\"customer\":\"A\"}}");
    }

    @Test
    void aDocumentThatIsNotUtf8IsRejectedByName() throws IOException {
        Files.write(dir.resolve("latin1.txt"), new byte[] {'c', 'a', 'f', (byte) 0xE9});
        file("latin1.txt.metadata.json", "{\"metadataAttributes\":{\"customer\":\"A\"}}");
        assertThatThrownBy(() -> ingestor().build().ingest(dir)).isInstanceOfSatisfying(IngestException.class, e -> {
            assertThat(e.file()).isEqualTo("latin1.txt");
            assertThat(e.reason()).contains("UTF-8");
        });
    }

    @Test
    void chunksGetIdsByPositionAndADocumentIsNeverSplitAcrossBatches() {
        file("long.md", "First paragraph about P001.\n\nSecond paragraph.\n\n" + "x".repeat(50) + "\n\nLast one.");
        file("long.md.metadata.json", "{\"metadataAttributes\":{\"customer\":\"A\"}}");
        file("short.txt", "Short.");
        file("short.txt.metadata.json", "{\"metadataAttributes\":{\"customer\":\"B\"}}");
        List<List<String>> batches = new ArrayList<>();
        VectorStore recording = recordingBatches(store, batches);
        IngestReport report = SidecarIngestor.builder().store(recording).embedder(ToyEmbedding.INSTANCE::embed)
                .chunker(Chunker.paragraphs(30)).batchSize(2).build().ingest(dir);
        assertThat(report.recordsWritten()).isEqualTo(6);
        assertThat(batches).containsExactly(List.of("long.md#0", "long.md#1", "long.md#2", "long.md#3", "long.md#4"),
                List.of("short.txt#0"));
        Map<String, SearchHit> stored = everything(store);
        assertThat(stored.get("long.md#0").text()).isEqualTo("First paragraph about P001.");
        assertThat(stored.get("long.md#1").text()).isEqualTo("Second paragraph.");
        assertThat(stored.get("long.md#2").text()).isEqualTo("x".repeat(30));
        assertThat(stored.get("long.md#3").text()).isEqualTo("x".repeat(20));
        assertThat(stored.get("long.md#4").text()).isEqualTo("Last one.");
        assertThat(stored.values()).allSatisfy(h -> assertThat(h.metadata().get("customer")).isPresent());
    }

    @Test
    void anAttributeMarkedIncludeForEmbeddingIsEmbeddedWithTheText() {
        file("a.txt", "Case report.");
        file("a.txt.metadata.json", "{\"metadataAttributes\":{\"customer\":{\"value\":{\"type\":\"STRING\","
                + "\"stringValue\":\"CustomerA\"},\"includeForEmbedding\":true},\"reviewed\":{\"value\":"
                + "{\"type\":\"BOOLEAN\",\"booleanValue\":true},\"includeForEmbedding\":false}}}");
        List<String> embedded = new ArrayList<>();
        SidecarIngestor.builder().store(store).embedder(text -> {
            embedded.add(text);
            return ToyEmbedding.INSTANCE.embed(text);
        }).build().ingest(dir);
        assertThat(embedded).containsExactly("Case report.\n\ncustomer: CustomerA");
        assertThat(everything(store).get("a.txt#0").text()).isEqualTo("Case report.");
    }

    @Test
    void aWrongEmbeddingIsTheStoresTypedError() {
        file("a.txt", "text");
        file("a.txt.metadata.json", "{\"metadataAttributes\":{\"customer\":\"A\"}}");
        assertThatThrownBy(() -> SidecarIngestor.builder().store(store).embedder(t -> new float[3]).build().ingest(dir))
                .isInstanceOf(InvalidRecordException.class).hasMessageContaining("a.txt#0");
        assertThatThrownBy(() -> SidecarIngestor.builder().store(store).embedder(t -> null).build().ingest(dir))
                .isInstanceOfSatisfying(IngestException.class, e -> assertThat(e.file()).isEqualTo("a.txt"));
    }

    @Test
    void chunkersSplitAsDocumented() {
        assertThat(Chunker.wholeDocument().chunk("  all of it \n")).containsExactly("all of it");
        assertThat(Chunker.wholeDocument().chunk(" \n ")).isEmpty();
        assertThat(Chunker.fixedSize(4, 1).chunk("abcdefghij")).containsExactly("abcd", "defg", "ghij");
        assertThat(Chunker.fixedSize(4, 0).chunk("abcdefghij")).containsExactly("abcd", "efgh", "ij");
        assertThat(Chunker.paragraphs(12).chunk("one\n\ntwo\n\nthree\r\n  \r\nfour"))
                .containsExactly("one\n\ntwo", "three\n\nfour");
        assertThatThrownBy(() -> Chunker.fixedSize(4, 4)).isInstanceOf(IllegalArgumentException.class);
    }

    /** The store, recording the ids of every upsert batch. */
    private static VectorStore recordingBatches(VectorStore delegate, List<List<String>> batches) {
        return (VectorStore) Proxy.newProxyInstance(VectorStore.class.getClassLoader(), new Class<?>[] {VectorStore.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("upsert")) {
                        @SuppressWarnings("unchecked")
                        List<VectorRecord> records = (List<VectorRecord>) args[0];
                        batches.add(records.stream().map(VectorRecord::id).toList());
                    }
                    return method.invoke(delegate, args);
                });
    }
}
