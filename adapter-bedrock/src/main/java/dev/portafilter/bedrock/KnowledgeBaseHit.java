package dev.portafilter.bedrock;

import dev.portafilter.core.metadata.Metadata;
import dev.portafilter.core.store.SearchHit;

/**
 * One Retrieve result.
 *
 * @param id        Bedrock's chunk id ({@code x-amz-bedrock-kb-chunk-id}), else the source location, else
 *                  {@code result-<rank>}
 * @param score     Bedrock's relevance score, higher is better (not necessarily a cosine similarity: Bedrock does not
 *                  say how each vector store scores); NaN when Bedrock gives none
 * @param text      the chunk's text, or null for non-text content
 * @param metadata  the schema's fields of the result, typed by the schema; Bedrock's own {@code x-amz-*} keys and
 *                  undeclared keys are left out
 * @param sourceUri where the chunk comes from (an S3 URI, a web or Confluence URL, ...), or null when Bedrock gives
 *                  no location
 */
public record KnowledgeBaseHit(String id, double score, String text, Metadata metadata, String sourceUri) {

    public SearchHit toSearchHit() {
        return new SearchHit(id, score, text, metadata);
    }
}
