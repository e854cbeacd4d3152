package dev.langchain4j.store.embedding.pgvector;

import dev.langchain4j.store.embedding.filter.Filter;

/**
 * Opens LangChain4j's package-private pgvector filter mappers to the translation benchmark. They are what
 * {@code PgVectorEmbeddingStore} calls on every search; this class lives in their package (on the class path,
 * not a module) only to call them directly, without reflection in the measured path.
 */
public final class LangChain4jFilterMappers {
    private final PgVectorFilterMapper mapper;

    private LangChain4jFilterMappers(PgVectorFilterMapper mapper) {
        this.mapper = mapper;
    }

    /** The mapper of the JSON and JSONB modes, over the metadata column {@code column}. */
    public static LangChain4jFilterMappers json(String column) {
        return new LangChain4jFilterMappers(new JSONFilterMapper(column));
    }

    /** The mapper of the COLUMN_PER_KEY mode. */
    public static LangChain4jFilterMappers columns() {
        return new LangChain4jFilterMappers(new ColumnFilterMapper());
    }

    /** The SQL condition, with values written into the text as LangChain4j does. */
    public String map(Filter filter) {
        return mapper.map(filter);
    }
}
