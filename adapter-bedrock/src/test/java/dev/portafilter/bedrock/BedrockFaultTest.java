package dev.portafilter.bedrock;

import dev.portafilter.conformance.faults.FaultyProxy;
import dev.portafilter.core.StoreTimeoutException;
import dev.portafilter.core.metadata.FieldType;
import dev.portafilter.core.metadata.Metadata;
import dev.portafilter.core.metadata.MetadataSchema;
import dev.portafilter.core.store.VectorRecord;
import dev.portafilter.localservers.bedrock.LocalBedrock;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.bedrockagentruntime.BedrockAgentRuntimeClient;

import java.net.URI;
import java.time.Duration;
import java.util.List;

import static dev.portafilter.core.filter.Filters.eq;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * A knowledge base that stops answering: the store's call timeout ends the Retrieve with a typed exception, on a
 * client the caller configured without any timeout of its own, and the store answers again once the network heals.
 */
class BedrockFaultTest {
    private static final Duration TIMEOUT = Duration.ofMillis(500);

    @Test
    void aStalledOrSilentKnowledgeBaseTimesOutTypedAndTheStoreRecovers() {
        MetadataSchema schema = MetadataSchema.builder().required("customer", FieldType.STRING).build();
        try (LocalBedrock server = LocalBedrock.serveRecords("FAULTKB1", List.of(
                new VectorRecord("r1", new float[] {1}, "metformin for P003", Metadata.of("customer", "A"))));
             FaultyProxy proxy = FaultyProxy.to("127.0.0.1", server.endpoint().getPort());
             BedrockAgentRuntimeClient client = LocalBedrock.client(URI.create("http://127.0.0.1:" + proxy.port()));
             BedrockKnowledgeBaseStore kb = BedrockKnowledgeBaseStore.builder().client(client)
                     .knowledgeBaseId("FAULTKB1").schema(schema).callTimeout(TIMEOUT).build()) {
            assertThat(kb.search("metformin", 5, eq("customer", "A"))).hasSize(1);

            for (FaultyProxy.Fault fault : List.of(new FaultyProxy.Fault.Delay(Duration.ofSeconds(5)),
                    new FaultyProxy.Fault.Drop())) {
                proxy.fault(fault);
                proxy.cutAll();
                long started = System.nanoTime();
                assertTimeoutPreemptively(Duration.ofSeconds(20), () -> assertThatThrownBy(
                        () -> kb.search("metformin", 5, eq("customer", "A")))
                        .as("%s", fault)
                        .isInstanceOfSatisfying(StoreTimeoutException.class,
                                e -> assertThat(e.timeout()).isEqualTo(TIMEOUT))
                        .hasMessageContaining("FAULTKB1"));
                assertThat(Duration.ofNanos(System.nanoTime() - started)).as("%s", fault)
                        .isLessThan(Duration.ofSeconds(4));
            }

            proxy.fault(FaultyProxy.NONE);
            proxy.cutAll();
            assertThat(kb.search("metformin", 5, eq("customer", "A"))).hasSize(1);
        }
    }
}
