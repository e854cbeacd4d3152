package dev.portafilter.pgvector;

import com.pgvector.PGvector;
import dev.portafilter.core.store.SearchHit;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The store's read path for searches: a plan from the {@link SearchPlanner}, the plan's statement sent with its
 * settings in one round trip, and the exact plan again when the HNSW plan returned fewer than k rows.
 */
final class PgvectorSearcher {
    private final PgvectorTableLayout layout;
    private final Jdbc jdbc;
    private final RowCodec codec;
    private final SearchPlanner planner;
    /** What every search transaction sets: the partition's tenant in row-level-security mode, and custom plans. */
    private final LocalSettings settings;

    PgvectorSearcher(PgvectorTableLayout layout, Jdbc jdbc, RowCodec codec, SearchPlanner planner, String tenant) {
        this.layout = layout;
        this.jdbc = jdbc;
        this.codec = codec;
        this.planner = planner;
        this.settings = LocalSettings.forSearch(tenant);
    }

    private record Searched(PgvectorSearchPlan plan, List<SearchHit> hits) {
    }

    /** See {@link PgvectorStore#search}: the k hits nearest the query among the rows the filter matches. */
    List<SearchHit> search(float[] query, Optional<SqlFragment> where, int k) throws SQLException {
        // only the statement timeout ahead of the transaction: the search settings go with its statements, the
        // estimate and the search
        Searched first = jdbc.transaction(LocalSettings.NONE, c -> {
            PgvectorSearchPlan plan = planner.plan(c, settings, where, k);
            return new Searched(plan, nearest(c, plan, query, where, k));
        });
        if (first.hits().size() == k || first.plan().strategy() == PgvectorSearchPlan.Strategy.EXACT) {
            return first.hits();
        }
        PgvectorSearchPlan exact = planner.exactAfter(first.plan(), first.hits().size());
        return jdbc.transaction(LocalSettings.NONE, c -> nearest(c, exact, query, where, k));
    }

    /** See {@link PgvectorStore#explainPlan}: the plan from a fresh estimate. */
    PgvectorSearchPlan explain(Optional<SqlFragment> where, int k) throws SQLException {
        return jdbc.transaction(LocalSettings.NONE, c -> planner.explain(c, settings, where, k));
    }

    /**
     * Runs the plan's search statement, sent after the search settings and the plan's own in one round trip (a
     * setting made twice in a transaction, after an estimate, is the same); hits nearest first.
     */
    private List<SearchHit> nearest(Connection c, PgvectorSearchPlan plan, float[] query, Optional<SqlFragment> where,
                                    int k) throws SQLException {
        List<SearchHit> hits = Jdbc.query(c, planner.settings(plan, settings), searchSql(plan, where), (ps, next) -> {
            ps.setObject(next, new PGvector(query));
            ps.setInt(Jdbc.bind(c, ps, next + 1, Jdbc.params(where)), k);
        }, ps -> {
            List<SearchHit> rows = new ArrayList<>();
            try (ResultSet rs = ps.getResultSet()) {
                while (rs.next()) {
                    // <=> is the cosine distance, 1 - cosine similarity
                    rows.add(new SearchHit(rs.getString(1), 1 - rs.getDouble(3), rs.getString(2),
                            codec.readMetadata(rs, 4)));
                }
            }
            return rows;
        });
        // a relaxed-order iterative scan may return rows slightly out of order (the sort is stable)
        hits.sort(Comparator.comparingDouble(SearchHit::score).reversed());
        return List.copyOf(hits);
    }

    /**
     * Filtered, nearest first by {@code <=>}, k rows. The exact plan orders by {@code (embedding <=> ?) + 0}, an
     * expression the HNSW index cannot serve, so that the planner must filter first (B-tree, bitmap or
     * sequential scan) and sort; the HNSW plan orders by {@code embedding <=> ?} with sorting disabled.
     * Columns: id, text, distance, metadata columns, the document of undeclared fields; ordered by position, so no
     * alias can clash with a column.
     */
    private String searchSql(PgvectorSearchPlan plan, Optional<SqlFragment> where) {
        String distance = PgvectorTableLayout.quote(layout.embeddingColumn()) + " <=> ?";
        List<String> columns = new ArrayList<>();
        columns.add(PgvectorTableLayout.quote(layout.idColumn()));
        columns.add(PgvectorTableLayout.quote(layout.textColumn()));
        columns.add(plan.strategy() == PgvectorSearchPlan.Strategy.EXACT ? "(" + distance + ") + 0" : distance);
        layout.columns().forEach(col -> columns.add(col.sqlName()));
        layout.documentColumn().ifPresent(doc -> columns.add(PgvectorTableLayout.quote(doc)));
        return "SELECT " + String.join(", ", columns) + " FROM " + layout.qualifiedTable() + Jdbc.where(where)
                + " ORDER BY 3 LIMIT ?";
    }
}
