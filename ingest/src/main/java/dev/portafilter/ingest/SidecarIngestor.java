package dev.portafilter.ingest;

import dev.portafilter.core.metadata.MetadataSchema;
import dev.portafilter.core.store.VectorRecord;
import dev.portafilter.core.store.VectorStore;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Loads a folder laid out for a Bedrock knowledge base — documents next to their {@code <file>.metadata.json}
 * sidecars — into any {@link VectorStore}, so one corpus gives the same answer on Bedrock and on a self-managed store.
 *
 * <pre>{@code
 * IngestReport report = SidecarIngestor.builder()
 *         .store(store)                          // its schema validates the sidecars
 *         .embedder(model::embed)
 *         .chunker(Chunker.paragraphs(1500))     // default: one record per document
 *         .progress((done, total) -> bar.update(done, total))
 *         .build()
 *         .ingest(Path.of("corpus"));
 * }</pre>
 *
 * <p>Text ({@code .txt}) and Markdown ({@code .md}, {@code .markdown}) documents are read as UTF-8; other files
 * are listed in the report as ignored. Every sidecar is checked against the schema first, and by default the first
 * invalid document or sidecar stops the ingest with an {@link IngestException} naming the file and key before
 * anything is written; with {@code skipInvalid(true)} it is reported and left out instead. A document's records
 * ({@code <relative path>#<n>}) always travel in one batch, so a store never holds half a document.
 */
public final class SidecarIngestor {
    public static final String SIDECAR_SUFFIX = ".metadata.json";
    private static final Set<String> DOCUMENT_EXTENSIONS = Set.of(".txt", ".md", ".markdown");

    private final VectorStore store;
    private final MetadataSchema schema;
    private final Embedder embedder;
    private final Chunker chunker;
    private final int batchSize;
    private final boolean skipInvalid;
    private final IngestProgress progress;

    private SidecarIngestor(Builder b) {
        this.store = Objects.requireNonNull(b.store, "store");
        this.schema = b.schema != null ? b.schema : store.schema();
        this.embedder = Objects.requireNonNull(b.embedder, "embedder");
        this.chunker = b.chunker;
        this.batchSize = b.batchSize;
        this.skipInvalid = b.skipInvalid;
        this.progress = b.progress;
    }

    public static Builder builder() {
        return new Builder();
    }

    public IngestReport ingest(Path folder) {
        if (!Files.isDirectory(folder)) {
            throw new IllegalArgumentException("not a folder: " + folder);
        }
        Layout layout = Layout.of(folder);
        List<IngestException> skipped = new ArrayList<>();
        for (String orphan : layout.orphanSidecars) {
            reject(new IngestException(orphan, null, "sidecar without its document "
                    + orphan.substring(0, orphan.length() - SIDECAR_SUFFIX.length())), skipped);
        }
        // Everything is checked before the first write, so a strict ingest of a bad corpus writes nothing.
        List<Document> valid = new ArrayList<>();
        int done = 0;
        for (String file : layout.documents) {
            try {
                Document doc = new Document(folder, file, sidecar(folder, file));
                doc.chunks(chunker);
                valid.add(doc);
            } catch (IngestException e) {
                reject(e, skipped);
                done++;
            }
        }
        int total = layout.documents.size();
        progress.filesDone(0, total);
        if (done > 0) {
            progress.filesDone(done, total);
        }

        int records = 0;
        int documentsInBatch = 0;
        List<VectorRecord> batch = new ArrayList<>();
        for (int i = 0; i < valid.size(); i++) {
            batch.addAll(valid.get(i).records(chunker, embedder));
            documentsInBatch++;
            if (batch.size() >= batchSize || i == valid.size() - 1) {
                store.upsert(batch);
                records += batch.size();
                done += documentsInBatch;
                progress.filesDone(done, total);
                batch = new ArrayList<>();
                documentsInBatch = 0;
            }
        }
        return new IngestReport(total, valid.size(), records, skipped, layout.ignored);
    }

    private void reject(IngestException problem, List<IngestException> skipped) {
        if (!skipInvalid) {
            throw problem;
        }
        skipped.add(problem);
    }

    private Sidecar sidecar(Path folder, String file) {
        String sidecar = file + SIDECAR_SUFFIX;
        return Files.isRegularFile(folder.resolve(sidecar))
                ? Sidecar.parse(sidecar, readText(folder, sidecar), schema)
                : Sidecar.none(file, schema);
    }

    private static String readText(Path folder, String file) {
        try {
            byte[] bytes = Files.readAllBytes(folder.resolve(file));
            String text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
            return text.startsWith("\uFEFF") ? text.substring(1) : text;
        } catch (CharacterCodingException e) {
            throw new IngestException(file, null, "not UTF-8 text");
        } catch (IOException e) {
            throw new IngestException(file, null, "cannot read: " + e.getMessage(), e);
        }
    }

    /** A document with a valid sidecar. Its text is read when needed, so a large corpus is never held in memory. */
    private record Document(Path folder, String file, Sidecar sidecar) {
        List<String> chunks(Chunker chunker) {
            List<String> chunks = chunker.chunk(readText(folder, file));
            if (chunks.isEmpty() || chunks.stream().anyMatch(String::isBlank)) {
                throw new IngestException(file, null, "the document has no text to index");
            }
            return chunks;
        }

        List<VectorRecord> records(Chunker chunker, Embedder embedder) {
            List<String> chunks = chunks(chunker);
            List<VectorRecord> out = new ArrayList<>(chunks.size());
            for (int n = 0; n < chunks.size(); n++) {
                String chunk = chunks.get(n);
                float[] vector = embedder.embed(sidecar.textToEmbed(chunk));
                if (vector == null) {
                    throw new IngestException(file, null, "the embedder returned no vector for chunk " + n);
                }
                out.add(new VectorRecord(file + "#" + n, vector, chunk, sidecar.metadata()));
            }
            return out;
        }
    }

    /** The folder's files by role, in path order, as relative paths with '/' separators. */
    private record Layout(List<String> documents, List<String> orphanSidecars, List<String> ignored) {
        static Layout of(Path folder) {
            TreeMap<String, Path> files = new TreeMap<>();
            try (Stream<Path> walk = Files.walk(folder)) {
                walk.filter(Files::isRegularFile).forEach(p -> files.put(relative(folder, p), p));
            } catch (IOException | UncheckedIOException e) {
                // a folder that cannot be read; the exception names it
                throw new IngestException(".", null, "cannot list the folder: "
                        + (e instanceof UncheckedIOException u ? u.getCause() : e), e);
            }
            List<String> documents = new ArrayList<>();
            List<String> orphans = new ArrayList<>();
            List<String> ignored = new ArrayList<>();
            for (String file : files.keySet()) {
                if (file.endsWith(SIDECAR_SUFFIX)) {
                    String document = file.substring(0, file.length() - SIDECAR_SUFFIX.length());
                    if (!files.containsKey(document)) {
                        orphans.add(file);
                    } else if (!isDocument(document)) {
                        ignored.add(file);
                    }
                } else if (isDocument(file)) {
                    documents.add(file);
                } else {
                    ignored.add(file);
                }
            }
            return new Layout(documents, orphans, ignored);
        }

        private static boolean isDocument(String file) {
            int dot = file.lastIndexOf('.');
            return dot > file.lastIndexOf('/') && DOCUMENT_EXTENSIONS.contains(file.substring(dot).toLowerCase(Locale.ROOT));
        }

        private static String relative(Path folder, Path file) {
            return folder.relativize(file).toString().replace(folder.getFileSystem().getSeparator(), "/");
        }
    }

    public static final class Builder {
        private VectorStore store;
        private MetadataSchema schema;
        private Embedder embedder;
        private Chunker chunker = Chunker.wholeDocument();
        private int batchSize = 64;
        private boolean skipInvalid;
        private IngestProgress progress = (done, total) -> { };

        private Builder() {
        }

        /** Where the records go (required). */
        public Builder store(VectorStore store) {
            this.store = store;
            return this;
        }

        /** The schema the sidecars must fit; by default the store's. */
        public Builder schema(MetadataSchema schema) {
            this.schema = schema;
            return this;
        }

        /** Embeds each chunk (required). */
        public Builder embedder(Embedder embedder) {
            this.embedder = embedder;
            return this;
        }

        public Builder chunker(Chunker chunker) {
            this.chunker = Objects.requireNonNull(chunker, "chunker");
            return this;
        }

        /** Records per upsert (default 64); a document's records are never split across batches. */
        public Builder batchSize(int batchSize) {
            if (batchSize < 1) {
                throw new IllegalArgumentException("batchSize must be at least 1, was " + batchSize);
            }
            this.batchSize = batchSize;
            return this;
        }

        /** Report and leave out invalid documents instead of stopping at the first (default false). */
        public Builder skipInvalid(boolean skipInvalid) {
            this.skipInvalid = skipInvalid;
            return this;
        }

        public Builder progress(IngestProgress progress) {
            this.progress = Objects.requireNonNull(progress, "progress");
            return this;
        }

        public SidecarIngestor build() {
            return new SidecarIngestor(this);
        }
    }
}
