package dev.portafilter.springai;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** The backend a run of Spring AI's suite is counted under in {@code target/integration-summary.txt}. */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@interface SuiteBackend {
    String value();
}
