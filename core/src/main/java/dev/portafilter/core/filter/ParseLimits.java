package dev.portafilter.core.filter;


/**
 * Bounds on what the JSON parser accepts, so that hostile input costs little and never overflows the stack.
 *
 * @param maxDepth    deepest nesting of {@code $and}/{@code $or}/{@code $not} (default 32)
 * @param maxNodes    most filter nodes in one filter (default 1,000)
 * @param maxInValues most values in one {@code $in}/{@code $nin} (default 10,000)
 */
public record ParseLimits(int maxDepth, int maxNodes, int maxInValues) {
    public static final ParseLimits DEFAULT = new ParseLimits(32, 1_000, 10_000);

    public ParseLimits {
        if (maxDepth < 1 || maxNodes < 1 || maxInValues < 1) {
            throw new IllegalArgumentException("parse limits must be positive");
        }
    }
}
