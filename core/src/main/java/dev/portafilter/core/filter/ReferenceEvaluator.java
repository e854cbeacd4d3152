package dev.portafilter.core.filter;

import dev.portafilter.core.metadata.BooleanValue;
import dev.portafilter.core.metadata.Metadata;
import dev.portafilter.core.metadata.MetadataValue;
import dev.portafilter.core.metadata.NumberValue;
import dev.portafilter.core.metadata.ScalarValue;
import dev.portafilter.core.metadata.StringListValue;
import dev.portafilter.core.metadata.StringValue;

import java.util.List;

/**
 * The reference semantics of {@code docs/semantics.md}: a two-valued Boolean algebra in which a record
 * missing a field fails every positive comparison on it, {@code $ne}/{@code $nin} are the exact complements
 * of {@code $eq}/{@code $in}, and list-valued fields match when any element does.
 */
public final class ReferenceEvaluator {
    private ReferenceEvaluator() {
    }

    public static boolean matches(Filter filter, Metadata metadata) {
        return filter.accept(new Visitor(metadata));
    }

    /** Whether a stored value equals a filter value: same kind, numbers by numeric value, lists by any element. */
    static boolean valueEquals(MetadataValue stored, ScalarValue wanted) {
        if (stored instanceof StringListValue list) {
            return wanted instanceof StringValue s && list.values().contains(s.value());
        }
        if (stored instanceof NumberValue a && wanted instanceof NumberValue b) {
            return a.numericallyEquals(b);
        }
        if (stored instanceof StringValue a && wanted instanceof StringValue b) {
            return a.value().equals(b.value());
        }
        return stored instanceof BooleanValue a && wanted instanceof BooleanValue b && a.value() == b.value();
    }

    private record Visitor(Metadata metadata) implements FilterVisitor<Boolean> {
        @Override
        public Boolean eq(Filter.Eq eq) {
            return metadata.get(eq.field()).map(v -> valueEquals(v, eq.value())).orElse(false);
        }

        @Override
        public Boolean ne(Filter.Ne ne) {
            return !eq(new Filter.Eq(ne.field(), ne.value()));
        }

        @Override
        public Boolean range(Filter.Range range) {
            return metadata.get(range.field())
                    .filter(NumberValue.class::isInstance)
                    .map(v -> range.op().holds(((NumberValue) v).compareTo(range.bound())))
                    .orElse(false);
        }

        @Override
        public Boolean in(Filter.In in) {
            return anyEquals(in.field(), in.values());
        }

        @Override
        public Boolean nin(Filter.Nin nin) {
            return !anyEquals(nin.field(), nin.values());
        }

        @Override
        public Boolean exists(Filter.Exists exists) {
            return metadata.has(exists.field()) == exists.exists();
        }

        @Override
        public Boolean and(Filter.And and) {
            for (Filter f : and.filters()) {
                if (!f.accept(this)) {
                    return false;
                }
            }
            return true;
        }

        @Override
        public Boolean or(Filter.Or or) {
            for (Filter f : or.filters()) {
                if (f.accept(this)) {
                    return true;
                }
            }
            return false;
        }

        @Override
        public Boolean not(Filter.Not not) {
            return !not.filter().accept(this);
        }

        private boolean anyEquals(String field, List<ScalarValue> values) {
            MetadataValue stored = metadata.get(field).orElse(null);
            if (stored == null) {
                return false;
            }
            for (ScalarValue v : values) {
                if (valueEquals(stored, v)) {
                    return true;
                }
            }
            return false;
        }
    }
}
