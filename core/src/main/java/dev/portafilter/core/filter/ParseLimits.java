package dev.portafilter.core.filter;

import dev.portafilter.core.InvalidFilterException;

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

    /** Refuses nesting deeper than {@link #maxDepth} at {@code path}. */
    public void checkDepth(String path, int depth) {
        if (depth > maxDepth) {
            throw new InvalidFilterException(path, "nesting deeper than the limit of " + maxDepth);
        }
    }

    /** Refuses the {@code count}-th node of a filter when that is more than {@link #maxNodes}. */
    public void checkNodes(String path, int count) {
        if (count > maxNodes) {
            throw new InvalidFilterException(path, "more than the limit of " + maxNodes + " filter nodes");
        }
    }

    /** Refuses an {@code operator} list of more than {@link #maxInValues} values. */
    public void checkInValues(String path, String operator, int count) {
        if (count > maxInValues) {
            throw new InvalidFilterException(path, operator + " has " + count + " values, more than the limit of "
                    + maxInValues);
        }
    }
}
