package dev.portafilter.benchmarks;

/** A system with its rows loaded, and how the load went. */
record Loaded(SearchSystem system, IngestResult ingest) {
}
