package dev.portafilter.bedrock;

import dev.portafilter.conformance.Backend;
import dev.portafilter.conformance.BackendLocator;
import dev.portafilter.conformance.ScenarioDataset;
import org.opentest4j.TestAbortedException;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.regions.Region;

import java.util.OptionalInt;

/**
 * The contract against a real Bedrock knowledge base, when the environment names one:
 * <ul>
 *   <li>{@code PORTAFILTER_BEDROCK_KB_ID}: a knowledge base whose data source holds exactly the scenario corpus
 *       (upload {@code adapter-bedrock/target/scenario-corpus/}, written by every test run, to the data source's S3
 *       prefix and sync it), with the metadata fields of the scenario schema;</li>
 *   <li>{@code AWS_REGION}: its region;</li>
 *   <li>credentials from the AWS SDK's default chain ({@code AWS_ACCESS_KEY_ID}/{@code AWS_SECRET_ACCESS_KEY}/
 *       {@code AWS_SESSION_TOKEN}, {@code AWS_PROFILE}, an instance role, ...) allowed {@code bedrock:Retrieve}.</li>
 * </ul>
 * Otherwise it is skipped with the reason printed, also in CI: a cloud service is not part of the build.
 */
@Backend("bedrock")
class AwsKnowledgeBaseContractTest extends KnowledgeBaseContract {
    static final String KB_ID = "PORTAFILTER_BEDROCK_KB_ID";

    @Override
    protected Fixture openFixture() {
        String kbId = BackendLocator.find(KB_ID, "bedrock.env").orElseThrow(() -> skip(KB_ID + " is not set"));
        String region = System.getenv("AWS_REGION");
        if (region == null || region.isBlank()) {
            throw skip("AWS_REGION is not set");
        }
        try (DefaultCredentialsProvider credentials = DefaultCredentialsProvider.builder().build()) {
            credentials.resolveCredentials();
        } catch (SdkException e) {
            throw skip("the AWS SDK's default credentials chain found no credentials");
        }
        BedrockKnowledgeBaseStore kb = BedrockKnowledgeBaseStore.builder()
                .region(Region.of(region)).knowledgeBaseId(kbId).schema(ScenarioDataset.SCHEMA).build();
        return new Fixture() {
            @Override
            public BedrockKnowledgeBaseStore knowledgeBase() {
                return kb;
            }

            @Override
            public OptionalInt requests() {
                return OptionalInt.empty();
            }

            @Override
            public void close() {
                kb.close();
            }
        };
    }

    private static TestAbortedException skip(String why) {
        String message = "bedrock (cloud) contract tests cannot run: " + why
                + " (needs " + KB_ID + ", AWS_REGION and AWS credentials; not required in CI)";
        System.out.println("[skip] " + message);
        return new TestAbortedException(message);
    }
}
