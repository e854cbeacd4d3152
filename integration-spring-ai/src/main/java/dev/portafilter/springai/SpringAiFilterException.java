package dev.portafilter.springai;

import dev.portafilter.core.InvalidFilterException;

/**
 * A Spring AI filter expression that has no portable meaning, raised before any store is called.
 * {@link #path()} is where the offending node would sit in the portable filter's canonical JSON, e.g.
 * {@code $.$and[1].country.$gt}, and {@link #expression()} is the Spring AI node itself.
 */
public class SpringAiFilterException extends InvalidFilterException {
    private final String expression;

    public SpringAiFilterException(String path, String expression, String reason) {
        super(path, "Spring AI filter " + expression + " cannot be expressed: " + reason);
        this.expression = expression;
    }

    /** The Spring AI expression (or operand) that cannot be expressed, as Spring AI prints it. */
    public String expression() {
        return expression;
    }
}
