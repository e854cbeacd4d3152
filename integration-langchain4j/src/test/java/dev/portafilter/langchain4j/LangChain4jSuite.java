package dev.portafilter.langchain4j;

/**
 * Marks the classes that run LangChain4j's store suites on one {@link dev.portafilter.conformance.Backend}, for
 * {@link SuiteCountingListener}.
 */
interface LangChain4jSuite {
}
