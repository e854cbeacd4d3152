package dev.portafilter.benchmarks;

/**
 * One bulk load into an empty table or index ({@code backend}: {@code pgvector} or {@code opensearch}): the write path, rows per second, the vector index built after it, the peak
 * heap used above the baseline during the load, and the bytes the loading thread allocated per row.
 */
public record IngestResult(String backend, String system, String path, int rows, double loadSeconds, double indexSeconds,
                           long peakHeapBytes, long allocatedBytesPerRow) {

    public double rowsPerSecond() {
        return rows / loadSeconds;
    }
}
