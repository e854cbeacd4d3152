package dev.portafilter.cli;

import dev.portafilter.ingest.IngestException;
import dev.portafilter.conformance.audit.CasesFileException;
import dev.portafilter.core.InvalidFilterException;
import dev.portafilter.core.InvalidRecordException;
import dev.portafilter.core.InvalidSchemaException;
import dev.portafilter.core.InvalidStoreNameException;
import dev.portafilter.core.StoreException;
import dev.portafilter.core.TenantIsolationException;
import dev.portafilter.core.UnsupportedCapabilityException;
import dev.portafilter.core.UnsupportedFilterException;
import dev.portafilter.core.WriteConflictException;
import dev.portafilter.core.store.Capability;
import org.junit.jupiter.api.Test;

import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;

import static dev.portafilter.cli.AuditAndCasesCommandTest.run;
import static org.assertj.core.api.Assertions.assertThat;

class PortafilterCliTest {
    @Test
    void everyExpectedFailureHasItsExitCodeAndTheRestIsABug() {
        Map<Exception, Integer> codes = Map.ofEntries(
                Map.entry(new BackendOptions.BackendUnavailableException("down", null), ExitCodes.BACKEND_UNAVAILABLE),
                Map.entry(new Inputs.BadInputException("bad", null), ExitCodes.BAD_INPUT),
                Map.entry(new CasesFileException("$.cases", "bad"), ExitCodes.BAD_INPUT),
                Map.entry(new IngestException("a.txt", "k", "bad"), ExitCodes.BAD_INPUT),
                Map.entry(new InvalidFilterException("$.a", "bad"), ExitCodes.BAD_INPUT),
                Map.entry(new UnsupportedFilterException("pinecone", "$.a", "bad"), ExitCodes.BAD_INPUT),
                Map.entry(new InvalidRecordException("r1", "a", "bad"), ExitCodes.BAD_INPUT),
                Map.entry(new InvalidSchemaException("a.b", "bad"), ExitCodes.BAD_INPUT),
                Map.entry(new InvalidStoreNameException("Docs", "bad"), ExitCodes.BAD_INPUT),
                Map.entry(new TenantIsolationException("bad"), ExitCodes.BAD_INPUT),
                Map.entry(new StoreException("refused", null), ExitCodes.BACKEND_FAILED),
                Map.entry(new WriteConflictException(List.of("r1")), ExitCodes.BACKEND_FAILED),
                Map.entry(new UnsupportedCapabilityException("pinecone", Capability.COUNT, "too many"),
                        ExitCodes.BACKEND_FAILED),
                Map.entry(new IllegalArgumentException("a bug"), ExitCodes.INTERNAL_ERROR),
                Map.entry(new NullPointerException(), ExitCodes.INTERNAL_ERROR),
                Map.entry(new UncheckedIOException(new java.io.IOException("a bug")), ExitCodes.INTERNAL_ERROR));
        codes.forEach((e, code) -> assertThat(PortafilterCli.exitCode(e)).as(e.getClass().getSimpleName()).isEqualTo(code));
    }

    @Test
    void aUsageErrorIsOneLineThatPointsToTheHelp() {
        AuditAndCasesCommandTest.Run r = run("cases", "x.json", "--backend", "mongo");
        assertThat(r.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).startsWith("portafilter: Invalid value for option '--backend'").contains("mongo")
                .endsWith("(see 'portafilter cases --help')" + System.lineSeparator());
        assertThat(r.err().lines()).hasSize(1);
    }

    @Test
    void theHelpListsTheExitCodes() {
        AuditAndCasesCommandTest.Run r = run("--help");
        assertThat(r.out()).contains("Exit codes:").contains("bad input: a file, filter").contains("the backend refused or failed a request");
    }
}
