package dev.portafilter.cli;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The check every jar IT run makes. */
class ShippedJarTest {
    @Test
    void aStackTraceInTheOutputFailsTheRun() {
        for (String err : List.of(
                "Exception in thread \"main\" java.lang.NoClassDefFoundError: io/grpc/stub/AbstractStub$StubFactory",
                "java.lang.IllegalArgumentException: invalid\n\tat dev.portafilter.opensearch.OpenSearchIndexLayout.<init>",
                "portafilter: wrapped\nCaused by: java.io.IOException: closed")) {
            ShippedJar.Run run = new ShippedJar.Run(List.of("cases", "x.json"), 1, "", err);
            assertThatThrownBy(() -> ShippedJar.assertNoStackTrace(run)).as(err).isInstanceOf(AssertionError.class)
                    .hasMessageContaining("a stack trace");
        }
    }

    @Test
    void oneLineIsFine() {
        ShippedJar.Run run = new ShippedJar.Run(List.of("cases", "x.json"), 4, "PASS  at least one\n",
                "portafilter: x.json: $.records[0].metadata.year: expected LONG\n");
        assertThatCode(() -> ShippedJar.assertNoStackTrace(run)).doesNotThrowAnyException();
    }
}
