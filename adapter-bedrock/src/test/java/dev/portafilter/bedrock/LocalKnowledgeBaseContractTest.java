package dev.portafilter.bedrock;

import dev.portafilter.conformance.Backend;
import dev.portafilter.conformance.ScenarioDataset;
import dev.portafilter.localservers.bedrock.LocalBedrock;
import software.amazon.awssdk.services.bedrockagentruntime.BedrockAgentRuntimeClient;

import java.nio.file.Path;
import java.util.OptionalInt;

/**
 * The contract against {@link LocalBedrock} serving the scenario corpus. The corpus is written to
 * {@code target/scenario-corpus}, which is also what to upload for the cloud run ({@link AwsKnowledgeBaseContractTest}).
 */
@Backend("bedrock-local")
class LocalKnowledgeBaseContractTest extends KnowledgeBaseContract {
    static final Path CORPUS = Path.of("target", "scenario-corpus");

    @Override
    protected Fixture openFixture() {
        LocalBedrock server = LocalBedrock.serveFolder("LOCALKB001", ScenarioCorpus.write(CORPUS));
        BedrockAgentRuntimeClient client = server.client();
        BedrockKnowledgeBaseStore kb = BedrockKnowledgeBaseStore.builder()
                .client(client).knowledgeBaseId(server.knowledgeBaseId()).schema(ScenarioDataset.SCHEMA).build();
        return new Fixture() {
            @Override
            public BedrockKnowledgeBaseStore knowledgeBase() {
                return kb;
            }

            @Override
            public OptionalInt requests() {
                return OptionalInt.of(server.requests());
            }

            @Override
            public void close() {
                kb.close();
                client.close();
                server.close();
            }
        };
    }
}
