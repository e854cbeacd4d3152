package dev.portafilter.benchmarks;

import dev.langchain4j.store.embedding.filter.comparison.IsEqualTo;
import dev.langchain4j.store.embedding.filter.comparison.IsGreaterThan;
import dev.langchain4j.store.embedding.filter.comparison.IsGreaterThanOrEqualTo;
import dev.langchain4j.store.embedding.filter.comparison.IsIn;
import dev.langchain4j.store.embedding.filter.comparison.IsLessThan;
import dev.langchain4j.store.embedding.filter.comparison.IsLessThanOrEqualTo;
import dev.langchain4j.store.embedding.filter.comparison.IsNotEqualTo;
import dev.langchain4j.store.embedding.filter.comparison.IsNotIn;
import dev.portafilter.core.filter.Filter;
import dev.portafilter.core.filter.FilterVisitor;
import dev.portafilter.core.metadata.ScalarValue;
import org.springframework.ai.vectorstore.filter.Filter.Expression;
import org.springframework.ai.vectorstore.filter.Filter.ExpressionType;
import org.springframework.ai.vectorstore.filter.Filter.Key;
import org.springframework.ai.vectorstore.filter.Filter.Value;

import java.util.List;
import java.util.function.BinaryOperator;

/**
 * The same filter written in each peer's own filter language, as a user of that library would write it. Only
 * the operators the benchmark uses are mapped; {@code $exists} has no equivalent in either peer.
 */
public final class PeerFilters {
    private PeerFilters() {
    }

    /** A LangChain4j {@code Filter}; {@code $and} of n clauses becomes a left-deep chain of binary ands. */
    public static dev.langchain4j.store.embedding.filter.Filter langChain4j(Filter filter) {
        return filter.accept(new LangChain4j());
    }

    /** A Spring AI filter expression, as {@code FilterExpressionBuilder} would build it. */
    public static Expression springAi(Filter filter) {
        return filter.accept(new SpringAi());
    }

    private static <T> T chain(List<Filter> filters, FilterVisitor<T> visitor, BinaryOperator<T> join) {
        T result = filters.get(0).accept(visitor);
        for (int i = 1; i < filters.size(); i++) {
            result = join.apply(result, filters.get(i).accept(visitor));
        }
        return result;
    }

    private static Object java(ScalarValue value) {
        return value.toJava();
    }

    private static List<Object> java(List<ScalarValue> values) {
        return values.stream().map(ScalarValue::toJava).toList();
    }

    private static final class LangChain4j implements FilterVisitor<dev.langchain4j.store.embedding.filter.Filter> {
        @Override
        public dev.langchain4j.store.embedding.filter.Filter eq(Filter.Eq eq) {
            return new IsEqualTo(eq.field(), java(eq.value()));
        }

        @Override
        public dev.langchain4j.store.embedding.filter.Filter ne(Filter.Ne ne) {
            return new IsNotEqualTo(ne.field(), java(ne.value()));
        }

        @Override
        public dev.langchain4j.store.embedding.filter.Filter range(Filter.Range range) {
            Comparable<?> bound = (Comparable<?>) range.bound().toJava();
            return switch (range.op()) {
                case GT -> new IsGreaterThan(range.field(), bound);
                case GTE -> new IsGreaterThanOrEqualTo(range.field(), bound);
                case LT -> new IsLessThan(range.field(), bound);
                case LTE -> new IsLessThanOrEqualTo(range.field(), bound);
            };
        }

        @Override
        public dev.langchain4j.store.embedding.filter.Filter in(Filter.In in) {
            return new IsIn(in.field(), java(in.values()));
        }

        @Override
        public dev.langchain4j.store.embedding.filter.Filter nin(Filter.Nin nin) {
            return new IsNotIn(nin.field(), java(nin.values()));
        }

        @Override
        public dev.langchain4j.store.embedding.filter.Filter exists(Filter.Exists exists) {
            throw new UnsupportedOperationException("LangChain4j filters have no $exists");
        }

        @Override
        public dev.langchain4j.store.embedding.filter.Filter and(Filter.And and) {
            return chain(and.filters(), this, dev.langchain4j.store.embedding.filter.logical.And::new);
        }

        @Override
        public dev.langchain4j.store.embedding.filter.Filter or(Filter.Or or) {
            return chain(or.filters(), this, dev.langchain4j.store.embedding.filter.logical.Or::new);
        }

        @Override
        public dev.langchain4j.store.embedding.filter.Filter not(Filter.Not not) {
            return new dev.langchain4j.store.embedding.filter.logical.Not(not.filter().accept(this));
        }
    }

    private static final class SpringAi implements FilterVisitor<Expression> {
        @Override
        public Expression eq(Filter.Eq eq) {
            return compare(ExpressionType.EQ, eq.field(), java(eq.value()));
        }

        @Override
        public Expression ne(Filter.Ne ne) {
            return compare(ExpressionType.NE, ne.field(), java(ne.value()));
        }

        @Override
        public Expression range(Filter.Range range) {
            ExpressionType type = switch (range.op()) {
                case GT -> ExpressionType.GT;
                case GTE -> ExpressionType.GTE;
                case LT -> ExpressionType.LT;
                case LTE -> ExpressionType.LTE;
            };
            return compare(type, range.field(), range.bound().toJava());
        }

        @Override
        public Expression in(Filter.In in) {
            return compare(ExpressionType.IN, in.field(), java(in.values()));
        }

        @Override
        public Expression nin(Filter.Nin nin) {
            return compare(ExpressionType.NIN, nin.field(), java(nin.values()));
        }

        @Override
        public Expression exists(Filter.Exists exists) {
            throw new UnsupportedOperationException("Spring AI filter expressions have no $exists");
        }

        @Override
        public Expression and(Filter.And and) {
            return chain(and.filters(), this, (l, r) -> new Expression(ExpressionType.AND, l, r));
        }

        @Override
        public Expression or(Filter.Or or) {
            return chain(or.filters(), this, (l, r) -> new Expression(ExpressionType.OR, l, r));
        }

        @Override
        public Expression not(Filter.Not not) {
            return new Expression(ExpressionType.NOT, not.filter().accept(this), null);
        }

        private static Expression compare(ExpressionType type, String field, Object value) {
            return new Expression(type, new Key(field), new Value(value));
        }
    }
}
