package dev.portafilter.bedrock;

import dev.portafilter.core.PortafilterException;

/**
 * A vector query reached a Bedrock knowledge base, which embeds the query text itself and takes no vectors. Call
 * {@link BedrockKnowledgeBaseStore#search(String, int, java.util.Optional)}, or search through
 * {@link BedrockKnowledgeBaseStore#withQueryText(String)}.
 */
public class TextQueryRequiredException extends PortafilterException {
    public TextQueryRequiredException(String knowledgeBaseId) {
        super("Bedrock knowledge base " + knowledgeBaseId + " embeds the query text itself and cannot search by "
                + "vector: call search(queryText, k, filter) or search through withQueryText(queryText)");
    }
}
