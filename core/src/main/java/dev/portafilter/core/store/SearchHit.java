package dev.portafilter.core.store;

import dev.portafilter.core.metadata.Metadata;

/**
 * One search result. {@code score} is the cosine similarity in [-1, 1] on every backend (each adapter
 * converts its native distance or score), so scores compare across backends.
 */
public record SearchHit(String id, double score, String text, Metadata metadata) {
}
