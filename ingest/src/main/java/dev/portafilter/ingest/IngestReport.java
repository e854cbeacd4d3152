package dev.portafilter.ingest;

import java.util.List;

/**
 * What {@link SidecarIngestor#ingest} did. Paths are relative to the ingested folder, with '/' separators.
 *
 * @param documentsFound   text and Markdown documents found
 * @param documentsWritten documents whose records were all written
 * @param recordsWritten   records (chunks) written
 * @param skipped          documents left out because they or their sidecars were invalid (only with skipInvalid)
 * @param ignoredFiles     files that are not text or Markdown documents, with their sidecars
 */
public record IngestReport(int documentsFound, int documentsWritten, int recordsWritten, List<IngestException> skipped,
                           List<String> ignoredFiles) {
    public IngestReport {
        skipped = List.copyOf(skipped);
        ignoredFiles = List.copyOf(ignoredFiles);
    }
}
