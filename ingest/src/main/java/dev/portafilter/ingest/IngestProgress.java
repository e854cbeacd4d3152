package dev.portafilter.ingest;

/**
 * Progress of {@link SidecarIngestor#ingest}: called with {@code (0, total)} once the documents are counted, then
 * after every document that was written or skipped. Called on the ingesting thread.
 */
@FunctionalInterface
public interface IngestProgress {
    void filesDone(int done, int total);
}
