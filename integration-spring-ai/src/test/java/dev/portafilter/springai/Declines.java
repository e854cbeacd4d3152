package dev.portafilter.springai;

import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;
import org.opentest4j.TestAbortedException;

import java.util.Map;
import java.util.function.Predicate;

/**
 * The cases of Spring AI's suite whose expectation contradicts {@code docs/semantics.md}, by test method name. Such a
 * test is aborted with its reason only when it fails the expected way; if it passes, or fails any other way, it
 * fails. {@link #SPRING_AI_1_1_2} is the list for {@code spring-ai-test} 1.1.2, whose {@code BaseVectorStoreTests}
 * (deleteById, deleteByFilter, deleteWithStringFilterExpression) expects nothing Portafilter declines: it is empty, and
 * a case Spring AI adds later that needs a decline must be listed here with its reason.
 */
final class Declines implements TestExecutionExceptionHandler, AfterTestExecutionCallback {
    static final Declines SPRING_AI_1_1_2 = new Declines(Map.of());

    /** Why a case is declined, and how it fails when it does so for that reason. */
    record Decline(String reason, Predicate<Throwable> expectedFailure) {
    }

    /** Thrown in place of a declined test's expected failure; the summary counts it as declined. */
    static final class DeclinedException extends TestAbortedException {
        DeclinedException(String test, String reason, Throwable failure) {
            super("declined by design: " + test + ": " + reason, failure);
        }
    }

    private final Map<String, Decline> declines;

    Declines(Map<String, Decline> declines) {
        this.declines = Map.copyOf(declines);
    }

    @Override
    public void handleTestExecutionException(ExtensionContext context, Throwable failure) throws Throwable {
        Decline decline = declines.get(context.getRequiredTestMethod().getName());
        if (decline != null && decline.expectedFailure().test(failure)) {
            throw new DeclinedException(context.getRequiredTestMethod().getName(), decline.reason(), failure);
        }
        throw failure;
    }

    @Override
    public void afterTestExecution(ExtensionContext context) {
        String test = context.getRequiredTestMethod().getName();
        if (declines.containsKey(test) && context.getExecutionException().isEmpty()) {
            throw new AssertionError(test + " is declined (" + declines.get(test).reason() + ") but passed: "
                    + "remove the decline, or find out why it passes");
        }
    }
}
