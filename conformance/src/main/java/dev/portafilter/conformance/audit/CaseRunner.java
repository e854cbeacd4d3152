package dev.portafilter.conformance.audit;

import dev.portafilter.conformance.StoreFixture;
import dev.portafilter.core.InvalidFilterException;
import dev.portafilter.core.InvalidRecordException;
import dev.portafilter.core.InvalidSchemaException;
import dev.portafilter.core.internal.JsonPath;
import dev.portafilter.core.store.Capability;
import dev.portafilter.core.store.SearchHit;
import dev.portafilter.core.store.VectorStore;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/** Loads a {@link CasesFile} into scratch space on a backend and checks every case by search and by count. */
public final class CaseRunner {
    /** The most any backend returns in one search (Pinecone's top-k limit). */
    private static final int MAX_K = 10_000;

    private CaseRunner() {
    }

    /**
     * One case's outcome.
     *
     * @param count the store's count, empty when the store cannot count
     */
    public record CaseResult(String name, Set<String> expected, Set<String> found, OptionalLong count) {
        public Set<String> missing() {
            return new TreeSet<>(expected.stream().filter(id -> !found.contains(id)).toList());
        }

        public Set<String> unexpected() {
            return new TreeSet<>(found.stream().filter(id -> !expected.contains(id)).toList());
        }

        public boolean passed() {
            return missing().isEmpty() && unexpected().isEmpty()
                    && (count.isEmpty() || count.getAsLong() == expected.size());
        }
    }

    /**
     * Loads the records into a new store of the fixture, runs every case and removes the store. What the backend
     * cannot take — a schema field it cannot hold, a record value it cannot store, a filter it cannot express — is a
     * {@link CasesFileException} naming the JSON path in the file.
     */
    public static List<CaseResult> run(StoreFixture fixture, CasesFile file) {
        if (file.records().size() > MAX_K) {
            throw new CasesFileException("$.records", "at most " + MAX_K + " records, so that one search returns them all");
        }
        VectorStore store;
        try {
            store = fixture.newStore(file.schema(), CasesFile.DIMENSION);
        } catch (InvalidSchemaException e) {
            throw new CasesFileException(JsonPath.key(JsonPath.key(JsonPath.ROOT, "schema"), e.field()),
                    fixture.name() + " cannot use this field: " + e.reason(), e);
        }
        try {
            upsert(store, file);
            int k = Math.max(1, file.records().size());
            float[] query = file.records().isEmpty() ? unit() : file.records().get(0).vector();
            List<CaseResult> results = new ArrayList<>();
            for (int i = 0; i < file.cases().size(); i++) {
                CasesFile.Case c = file.cases().get(i);
                try {
                    Set<String> found = store.search(query, k, c.filter()).stream().map(SearchHit::id)
                            .collect(Collectors.toCollection(TreeSet::new));
                    OptionalLong count = store.capabilities().contains(Capability.COUNT)
                            ? OptionalLong.of(store.count(c.filter())) : OptionalLong.empty();
                    results.add(new CaseResult(c.name(), new TreeSet<>(c.expect()), found, count));
                } catch (InvalidFilterException e) {
                    String filterPath = JsonPath.key(JsonPath.index(JsonPath.key(JsonPath.ROOT, "cases"), i), "filter");
                    throw new CasesFileException(filterPath + e.path().substring(1), e.reason(), e);
                }
            }
            return results;
        } finally {
            fixture.dispose(store);
        }
    }

    private static void upsert(VectorStore store, CasesFile file) {
        try {
            store.upsert(file.records());
        } catch (InvalidRecordException e) {
            String path = JsonPath.key(JsonPath.ROOT, "records");
            for (int i = 0; i < file.records().size(); i++) {
                if (file.records().get(i).id().equals(e.recordId())) {
                    path = JsonPath.index(path, i);
                    path = e.field() == null ? path : JsonPath.key(JsonPath.key(path, "metadata"), e.field());
                    break;
                }
            }
            throw new CasesFileException(path, "record '" + e.recordId() + "': " + store.backend() + " cannot store it: "
                    + e.reason(), e);
        }
    }

    private static float[] unit() {
        float[] v = new float[CasesFile.DIMENSION];
        v[0] = 1;
        return v;
    }
}
