package dev.portafilter.conformance.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portafilter.conformance.SemanticsCase;
import dev.portafilter.conformance.SemanticsCases;
import dev.portafilter.conformance.StoreFixture;
import dev.portafilter.core.filter.Filter;
import dev.portafilter.core.filter.FilterVisitor;
import dev.portafilter.core.metadata.MetadataSchema;
import dev.portafilter.core.store.ForwardingVectorStore;
import dev.portafilter.core.store.InMemoryVectorStore;
import dev.portafilter.core.store.SearchHit;
import dev.portafilter.core.store.SearchRequest;
import dev.portafilter.core.store.VectorRecord;
import dev.portafilter.core.store.VectorStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

class ConformanceAuditTest {

    @Test
    void aConformingStorePassesAndTheReportsSayWhatRan(@TempDir Path dir) throws Exception {
        AtomicInteger progress = new AtomicInteger();
        AuditResult result = ConformanceAudit.run(fixture("memory", false), "in-process", dir.resolve("xml"),
                (outcome, done, failed) -> progress.set(done));
        assertThat(result.passed()).as(failures(result)).isTrue();
        assertThat(result.tests().size()).isGreaterThan(150).isEqualTo(progress.get());
        assertThat(result.tests()).extracting(AuditResult.TestOutcome::contract)
                .contains("VectorStoreContract", "FilterPropertyContract", "TenantIsolationContract");

        AuditReports.writeJson(result, dir.resolve("report.json"));
        AuditReports.writeHtml(result, dir.resolve("report.html"));
        JsonNode json = new ObjectMapper().readTree(dir.resolve("report.json").toFile());
        assertThat(json.get("passed").asBoolean()).isTrue();
        assertThat(json.get("tests")).hasSize(result.tests().size());
        assertThat(Files.readString(dir.resolve("report.html"))).contains("PASSED").contains("TenantIsolationContract");
        try (var xml = Files.list(dir.resolve("xml"))) {
            assertThat(xml.map(p -> p.getFileName().toString())).anyMatch(n -> n.endsWith(".xml"));
        }
    }

    @Test
    void aStoreWithPineconeStyleNotEqualsFailsTheAudit(@TempDir Path dir) {
        AuditResult result = ConformanceAudit.run(fixture("ne-skips-missing", true), "in-process", AuditListener.NONE);
        assertThat(result.passed()).isFalse();
        String neKeepsMissing = SemanticsCases.get(SemanticsCase.Id.NE_KEEPS_MISSING).name();
        assertThat(result.tests()).filteredOn(t -> t.status() == AuditResult.Status.FAILED)
                .extracting(AuditResult.TestOutcome::name)
                .anyMatch(n -> n.contains(neKeepsMissing));
        // property failures carry the seed that replays them
        assertThat(result.tests()).filteredOn(t -> t.status() == AuditResult.Status.FAILED
                && t.contract().equals("FilterPropertyContract")).allMatch(t -> !t.seed().isEmpty());
        assertThat(AuditReports.html(result)).contains("FAILED").contains(neKeepsMissing);
    }

    private static String failures(AuditResult result) {
        return result.tests().stream().filter(t -> t.status() == AuditResult.Status.FAILED)
                .map(t -> t.contract() + " " + t.name() + ": " + t.message()).toList().toString();
    }

    private static StoreFixture fixture(String name, boolean broken) {
        return new StoreFixture() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public VectorStore newStore(MetadataSchema schema, int dimension) {
                InMemoryVectorStore store = new InMemoryVectorStore(schema, dimension);
                return broken ? new NeSkipsMissing(store) : store;
            }
        };
    }

    /** Translates $ne the way Pinecone and SQL do natively: records lacking the field are left out. */
    private static final class NeSkipsMissing extends ForwardingVectorStore {
        NeSkipsMissing(VectorStore delegate) {
            super(delegate);
        }

        private static Filter rewrite(Filter f) {
            return f.accept(new FilterVisitor<Filter>() {
                @Override
                public Filter eq(Filter.Eq eq) {
                    return eq;
                }

                @Override
                public Filter ne(Filter.Ne ne) {
                    return new Filter.And(List.of(new Filter.Exists(ne.field(), true), ne));
                }

                @Override
                public Filter range(Filter.Range range) {
                    return range;
                }

                @Override
                public Filter in(Filter.In in) {
                    return in;
                }

                @Override
                public Filter nin(Filter.Nin nin) {
                    return nin;
                }

                @Override
                public Filter exists(Filter.Exists exists) {
                    return exists;
                }

                @Override
                public Filter and(Filter.And and) {
                    return new Filter.And(and.filters().stream().map(c -> c.accept(this)).toList());
                }

                @Override
                public Filter or(Filter.Or or) {
                    return new Filter.Or(or.filters().stream().map(c -> c.accept(this)).toList());
                }

                @Override
                public Filter not(Filter.Not not) {
                    return new Filter.Not(not.filter().accept(this));
                }
            });
        }

        @Override
        public void upsert(List<VectorRecord> records, Filter guard) {
            super.upsert(records, rewrite(guard));
        }

        @Override
        public List<SearchHit> search(SearchRequest request) {
            return super.search(request.filter().map(f -> request.withFilter(rewrite(f))).orElse(request));
        }

        @Override
        public long count(Filter filter) {
            return super.count(rewrite(filter));
        }

        @Override
        public long delete(Collection<String> ids, Filter filter) {
            return super.delete(ids, rewrite(filter));
        }

        @Override
        public long deleteWhere(Filter filter) {
            return super.deleteWhere(rewrite(filter));
        }
    }
}
