package dev.portafilter.pinecone;

import net.jqwik.api.lifecycle.LifecycleContext;
import net.jqwik.api.lifecycle.SkipExecutionHook;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Skips the cloud contract classes, with the reason printed, when no Pinecone index is configured: for JUnit
 * classes as an {@link ExecutionCondition}, for jqwik properties as a {@link SkipExecutionHook}. Unlike the
 * project's local servers, this holds with {@code CI=true} too: a paid cloud service is not required in CI.
 */
final class RequiresPineconeCloud implements ExecutionCondition, SkipExecutionHook {
    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        return CloudFixture.INSTANCE.missingConfiguration()
                .map(ConditionEvaluationResult::disabled)
                .orElse(ConditionEvaluationResult.enabled("a Pinecone index is configured"));
    }

    @Override
    public SkipResult shouldBeSkipped(LifecycleContext context) {
        return CloudFixture.INSTANCE.missingConfiguration().map(SkipResult::skip).orElse(SkipResult.doNotSkip());
    }
}
