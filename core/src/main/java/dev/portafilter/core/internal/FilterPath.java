package dev.portafilter.core.internal;

/**
 * Where a node sits in a filter's canonical JSON form, such as {@code $.$and[1].publicationYear.$gt}, for the
 * errors that name it. A walk over the tree extends it one step per level and it is rendered only when an error is
 * raised, so that validating or translating a valid filter builds no path strings (they were most of the cost).
 */
public final class FilterPath {
    public static final FilterPath ROOT = new FilterPath(null, null, 0);

    private final FilterPath parent;
    /** Null for an array step. */
    private final String key;
    private final int index;

    private FilterPath(FilterPath parent, String key, int index) {
        this.parent = parent;
        this.key = key;
        this.index = index;
    }

    /** This path, then an object member. */
    public FilterPath key(String key) {
        return new FilterPath(this, key, 0);
    }

    /** This path, then an array element. */
    public FilterPath index(int index) {
        return new FilterPath(this, null, index);
    }

    /** This path, then a field and its operator: {@code ....field.$op}. */
    public FilterPath operator(String field, String op) {
        return key(field).key(op);
    }

    /** The path as text, e.g. {@code $.$and[1].publicationYear.$gt}. */
    @Override
    public String toString() {
        if (parent == null) {
            return JsonPath.ROOT;
        }
        return key != null ? JsonPath.key(parent.toString(), key) : JsonPath.index(parent.toString(), index);
    }
}
