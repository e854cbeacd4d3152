package dev.portafilter.core.filter;

import dev.portafilter.core.internal.FilterJsonCodec;

/**
 * The JSON syntax, in the Pinecone/MongoDB style: {@code {"customer":{"$eq":"CustomerA"}}}, the shorthand
 * {@code {"customer":"CustomerA"}}, implicit AND of several keys (also of several operators on one field),
 * {@code $and}/{@code $or} arrays, and {@code $not} either around a filter ({@code {"$not":{...}}}) or
 * around a field's operators ({@code {"year":{"$not":{"$gt":2020}}}}).
 *
 * <p>Malformed or invalid input is an {@link dev.portafilter.core.InvalidFilterException} naming the JSON path.
 * {@link #write} produces the canonical form, which always spells operators out, and {@code parse(write(f)).equals(f)}
 * holds for every filter.
 */
public final class FilterJson {
    private FilterJson() {
    }

    public static Filter parse(String json) {
        return parse(json, ParseLimits.DEFAULT);
    }

    public static Filter parse(String json, ParseLimits limits) {
        return FilterJsonCodec.parse(json, limits);
    }

    /** The canonical JSON text of a filter. */
    public static String write(Filter filter) {
        return FilterJsonCodec.write(filter);
    }
}
