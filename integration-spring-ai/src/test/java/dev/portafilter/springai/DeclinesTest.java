package dev.portafilter.springai;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherConfig;
import org.junit.platform.launcher.core.LauncherFactory;

import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder.request;

/** A declined case is aborted only when it fails the expected way; passing or failing otherwise is a failure. */
class DeclinesTest {

    /** Run only through the launcher below (surefire does not pick nested classes). */
    static class Cases {
        @RegisterExtension
        final Declines declines = new Declines(Map.of(
                "failsTheExpectedWay", new Declines.Decline("expects text ordering",
                        e -> e instanceof IllegalStateException && e.getMessage().contains("string range")),
                "passes", new Declines.Decline("expects text ordering", e -> true),
                "failsAnotherWay", new Declines.Decline("expects text ordering",
                        e -> e instanceof IllegalStateException)));

        @Test
        void failsTheExpectedWay() {
            throw new IllegalStateException("string range");
        }

        @Test
        void passes() {
        }

        @Test
        void failsAnotherWay() {
            throw new AssertionError("expected 2 documents but found 3");
        }

        @Test
        void notDeclined() {
            throw new IllegalStateException("string range");
        }
    }

    @Test
    void onlyTheExpectedFailureOfADeclinedCaseIsAborted() {
        Map<String, TestExecutionResult> results = new HashMap<>();
        // a launcher of its own, without the registered listeners, so these cases stay out of the summary
        Launcher launcher = LauncherFactory.create(LauncherConfig.builder()
                .enableTestExecutionListenerAutoRegistration(false).build());
        launcher.execute(request().selectors(selectClass(Cases.class)).build(), new TestExecutionListener() {
            @Override
            public void executionFinished(TestIdentifier test, TestExecutionResult result) {
                if (test.isTest()) {
                    results.put(test.getDisplayName().replace("()", ""), result);
                }
            }
        });

        assertThat(results).hasSize(4);
        assertThat(results.get("failsTheExpectedWay").getStatus()).isEqualTo(TestExecutionResult.Status.ABORTED);
        assertThat(results.get("failsTheExpectedWay").getThrowable().orElseThrow())
                .isInstanceOf(Declines.DeclinedException.class).hasMessageContaining("expects text ordering");
        assertThat(results.get("passes").getStatus()).isEqualTo(TestExecutionResult.Status.FAILED);
        assertThat(results.get("passes").getThrowable().orElseThrow()).hasMessageContaining("is declined");
        assertThat(results.get("failsAnotherWay").getStatus()).isEqualTo(TestExecutionResult.Status.FAILED);
        assertThat(results.get("notDeclined").getStatus()).isEqualTo(TestExecutionResult.Status.FAILED);
    }
}
