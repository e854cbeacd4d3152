package dev.portafilter.benchmarks;

import dev.portafilter.springai.SpringAiFilters;
import dev.portafilter.langchain4j.LangChain4jFilters;
import dev.langchain4j.store.embedding.pgvector.LangChain4jFilterMappers;
import dev.portafilter.core.filter.Filter;
import dev.portafilter.opensearch.OpenSearchFilterTranslator;
import dev.portafilter.opensearch.OpenSearchIndexLayout;
import com.google.protobuf.Struct;
import dev.portafilter.pgvector.PgvectorFilterTranslator;
import dev.portafilter.pinecone.PineconeFilterTranslator;
import dev.portafilter.pgvector.PgvectorTableLayout;
import dev.portafilter.pgvector.SqlFragment;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.opensearch.client.opensearch._types.query_dsl.Query;
import org.springframework.ai.vectorstore.filter.Filter.Expression;
import org.springframework.ai.vectorstore.filter.converter.PineconeFilterExpressionConverter;
import org.springframework.ai.vectorstore.opensearch.OpenSearchAiSearchFilterExpressionConverter;
import org.springframework.ai.vectorstore.pgvector.PgVectorFilterExpressionConverter;

import java.util.concurrent.TimeUnit;

/**
 * One filter through each translator: from the library's filter object to what the store sends. Each library
 * starts from its own filter object, built once in setup, as a user's code would hold it.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class TranslationBenchmark {

    @Param({"1", "10", "50"})
    public int clauses;

    private final PgvectorFilterTranslator portafilterPgvector = new PgvectorFilterTranslator(
            PgvectorTableLayout.builder("rag", "chunks", Dataset.SCHEMA, 384).build());
    private final OpenSearchFilterTranslator portafilterOpenSearch = new OpenSearchFilterTranslator(
            OpenSearchIndexLayout.builder("chunks", Dataset.SCHEMA, 384).build());
    private final PineconeFilterTranslator portafilterPinecone = new PineconeFilterTranslator(Dataset.SCHEMA);
    private final PgVectorFilterExpressionConverter springAiPgvector = new PgVectorFilterExpressionConverter();
    private final OpenSearchAiSearchFilterExpressionConverter springAiOpenSearch =
            new OpenSearchAiSearchFilterExpressionConverter();
    private final PineconeFilterExpressionConverter springAiPinecone = new PineconeFilterExpressionConverter();
    private final LangChain4jFilterMappers langChain4jJson = LangChain4jFilterMappers.json("metadata");
    private final LangChain4jFilterMappers langChain4jColumns = LangChain4jFilterMappers.columns();

    private Filter filter;
    private Expression springAiFilter;
    private dev.langchain4j.store.embedding.filter.Filter langChain4jFilter;

    @Setup
    public void setUp() {
        filter = TranslationFilters.withClauses(clauses);
        springAiFilter = SpringAiFilters.toSpringAi(filter);
        langChain4jFilter = LangChain4jFilters.toLangChain4j(filter);
    }

    @Benchmark
    public SqlFragment portafilterPgvector() {
        return portafilterPgvector.translate(filter);
    }

    @Benchmark
    public Query portafilterOpenSearch() {
        return portafilterOpenSearch.translate(filter);
    }

    @Benchmark
    public String portafilterOpenSearchJson() {
        return portafilterOpenSearch.toJson(filter);
    }

    @Benchmark
    public Struct portafilterPinecone() {
        return portafilterPinecone.translate(filter);
    }

    /** The schema check both Portafilter translators run first, to show its share of their cost. */
    @Benchmark
    public Filter portafilterSchemaValidate() {
        Dataset.SCHEMA.validate(filter);
        return filter;
    }

    @Benchmark
    public String springAiPgvector() {
        return springAiPgvector.convertExpression(springAiFilter);
    }

    @Benchmark
    public String springAiOpenSearch() {
        return springAiOpenSearch.convertExpression(springAiFilter);
    }

    @Benchmark
    public String springAiPinecone() {
        return springAiPinecone.convertExpression(springAiFilter);
    }

    @Benchmark
    public String langChain4jPgvectorJson() {
        return langChain4jJson.map(langChain4jFilter);
    }

    @Benchmark
    public String langChain4jPgvectorColumns() {
        return langChain4jColumns.map(langChain4jFilter);
    }
}
