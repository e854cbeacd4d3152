package dev.portafilter.opensearch;

import dev.portafilter.core.metadata.FieldSpec;
import dev.portafilter.core.InvalidSchemaException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portafilter.conformance.ScenarioDataset;
import dev.portafilter.core.InvalidRecordException;
import dev.portafilter.core.StoreException;
import dev.portafilter.core.WriteConflictException;
import dev.portafilter.core.filter.Filter;
import dev.portafilter.core.filter.Filters;
import dev.portafilter.core.filter.ReferenceEvaluator;
import dev.portafilter.core.metadata.FieldType;
import dev.portafilter.core.metadata.Metadata;
import dev.portafilter.core.metadata.MetadataSchema;
import dev.portafilter.core.metadata.NumberValue;
import dev.portafilter.core.metadata.StringValue;
import dev.portafilter.core.store.SearchHit;
import dev.portafilter.core.store.VectorRecord;
import dev.portafilter.core.store.VectorStore;
import dev.portafilter.core.internal.Vectors;
import dev.portafilter.core.tenant.TenantScope;
import org.junit.jupiter.api.Test;
import org.opensearch.client.json.JsonData;
import org.opensearch.client.opensearch.OpenSearchClient;
import org.opensearch.client.opensearch._types.FieldValue;
import org.opensearch.client.opensearch._types.Refresh;
import org.opensearch.client.opensearch._types.query_dsl.Query;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.assertj.core.api.Assertions.within;

/** Behaviour beyond the contracts, against the real server: selectivity, scores, exact numbers, partial failures. */
class OpenSearchStoreTest {
    private static final MetadataSchema TENANTS = MetadataSchema.builder()
            .required("customer", FieldType.STRING)
            .optional("region", FieldType.STRING)
            .build();
    /** The tenants' schema with region a boolean: a mapping that contradicts {@link #TENANTS}. */
    private static final MetadataSchema BOOLEAN_REGION = MetadataSchema.builder()
            .required("customer", FieldType.STRING).optional("region", FieldType.BOOLEAN).build();

    /**
     * A tenant with 1% of 20,000 documents still gets k results: the filter runs inside the knn query. The same
     * filter as a post-filter (bool.filter beside knn) loses most of them, which is why the store never does that.
     * A tenant with 0.1% gets the exact top k: Lucene searches exactly when the filter matches no more documents
     * than the candidates it is asked for (ef_search).
     */
    @Test
    void aOnePercentTenantStillGetsKAndAOneInAThousandTenantTheExactTopK() throws Exception {
        int dimension = 16;
        OpenSearchIndexLayout layout = OpenSearchIndexLayout.builder(TestServer.scratchIndex("selective"), TENANTS,
                dimension).build();
        try (OpenSearchStore store = TestServer.storeByUrl(layout).batchSize(2_000).refresh(Refresh.True).build()) {
            store.createIndex();
            try {
                SplittableRandom random = new SplittableRandom(7);
                List<VectorRecord> records = IntStream.range(0, 20_000).mapToObj(i -> new VectorRecord("d" + i,
                        randomVector(random, dimension), null,
                        Metadata.of("customer", i % 100 == 0 ? "small" : i % 1000 == 7 ? "tiny" : "big-" + (i % 7))))
                        .toList();
                store.upsert(records);
                assertThat(store.count(Filters.eq("customer", "small"))).isEqualTo(200);

                float[] query = randomVector(random, dimension);
                Filter small = Filters.eq("customer", "small");
                List<SearchHit> hits = store.search(query, 10, small);
                assertThat(hits).hasSize(10)
                        .allSatisfy(h -> assertThat(h.metadata().get("customer").orElseThrow().toJava()).isEqualTo("small"));

                List<String> truth = records.stream().filter(r -> small.test(r.metadata()))
                        .sorted(Comparator.comparingDouble((VectorRecord r) -> -Vectors.cosine(query, r.vector())))
                        .limit(10).map(VectorRecord::id).toList();
                long found = hits.stream().filter(h -> truth.contains(h.id())).count();
                assertThat(found).as("recall@10 of the approximate search").isGreaterThanOrEqualTo(9);

                try (OpenSearchStore exact = OpenSearchStore.builder(layout).client(TestServer.client())
                        .searchMode(OpenSearchStore.SearchMode.EXACT).build()) {
                    assertThat(exact.search(query, 10, small)).extracting(SearchHit::id).containsExactlyElementsOf(truth);
                }

                assertThat(postFilteredHits(layout, query, 10, store.translator().translate(small)))
                        .as("a post-filter keeps only the tenant's share of the global top k").isLessThan(10);

                Filter tiny = Filters.eq("customer", "tiny");
                assertThat(store.count(tiny)).isEqualTo(20);
                for (int q = 0; q < 10; q++) {
                    float[] another = randomVector(random, dimension);
                    List<String> exactTopK = records.stream().filter(r -> tiny.test(r.metadata()))
                            .sorted(Comparator.comparingDouble((VectorRecord r) -> -Vectors.cosine(another, r.vector())))
                            .limit(10).map(VectorRecord::id).toList();
                    assertThat(store.search(another, 10, tiny)).extracting(SearchHit::id)
                            .containsExactlyElementsOf(exactTopK);
                }
            } finally {
                store.deleteIndex();
            }
        }
    }

    @Test
    void scoresAreCosineSimilarityInEverySpaceAndMode() {
        SplittableRandom random = new SplittableRandom(11);
        List<VectorRecord> records = IntStream.range(0, 40).mapToObj(i -> {
            float[] v = randomVector(random, 8);
            float scale = (float) (0.1 + 10 * random.nextDouble()); // not unit length: l2 and innerproduct need normalizing
            for (int j = 0; j < v.length; j++) {
                v[j] *= scale;
            }
            return new VectorRecord("v" + i, v, "t" + i, Metadata.of("customer", i % 2 == 0 ? "even" : "odd"));
        }).toList();
        float[] query = randomVector(random, 8);
        for (OpenSearchIndexLayout.SpaceType space : OpenSearchIndexLayout.SpaceType.values()) {
            OpenSearchIndexLayout layout = OpenSearchIndexLayout.builder(TestServer.scratchIndex("space"), TENANTS, 8)
                    .spaceType(space).build();
            withIndex(layout, store -> {
                store.upsert(records);
                for (OpenSearchStore.SearchMode mode : OpenSearchStore.SearchMode.values()) {
                    try (OpenSearchStore reader = OpenSearchStore.builder(layout).client(TestServer.client())
                            .searchMode(mode).build()) {
                        List<SearchHit> hits = reader.search(query, 40, Filters.eq("customer", "even"));
                        assertThat(hits).as(space + " " + mode).hasSize(20);
                        for (SearchHit hit : hits) {
                            VectorRecord stored = records.get(Integer.parseInt(hit.id().substring(1)));
                            assertThat(hit.score()).as(space + " " + mode + " " + hit.id())
                                    .isCloseTo(Vectors.cosine(query, stored.vector()), within(1e-4));
                        }
                    }
                }
            });
        }
    }

    /**
     * Numbers beyond 2^53 compare exactly: the server alone would coerce a long filter value to the nearest double
     * and call 2^53 + 1 equal to 2^53.
     */
    @Test
    void numbersCompareExactlyWhereTheServerWouldRound() {
        MetadataSchema schema = MetadataSchema.builder()
                .required("customer", FieldType.STRING)
                .optional("n", FieldType.LONG)
                .optional("x", FieldType.DOUBLE)
                .build();
        long big = 1L << 53;
        List<VectorRecord> records = List.of(
                record("n53", Metadata.of("customer", "a", "n", big, "x", (double) big)),
                record("n53+1", Metadata.of("customer", "a", "n", big + 1)),
                record("n-year", Metadata.of("customer", "a", "n", 2023L, "x", 2023.0)),
                record("none", Metadata.of("customer", "a")));
        withIndex(OpenSearchIndexLayout.builder(TestServer.scratchIndex("numbers"), schema, 4).build(), store -> {
            store.upsert(records);
            List<Filter> filters = List.of(
                    Filters.eq("x", big + 1), Filters.ne("x", big + 1), Filters.in("x", big + 1, 2023),
                    Filters.gt("x", big - 1), Filters.gte("x", big + 1), Filters.lt("x", big + 1), Filters.lte("x", big - 1),
                    Filters.eq("n", (double) big), Filters.gt("n", (double) big), Filters.eq("n", 2023.0),
                    Filters.eq("n", 2022.9999), Filters.lt("n", 2023.5), Filters.gt("n", 9.3e18), Filters.lt("n", 9.3e18));
            for (Filter f : filters) {
                Set<String> expected = records.stream().filter(r -> ReferenceEvaluator.matches(f, r.metadata()))
                        .map(VectorRecord::id).collect(Collectors.toSet());
                assertThat(store.search(ScenarioDataset.vectorFor("q", 4), 10, f)).as(f.toString())
                        .extracting(SearchHit::id).containsExactlyInAnyOrderElementsOf(expected);
                assertThat(store.count(f)).as(f.toString()).isEqualTo(expected.size());
            }
            // what a naive translation would send: the server rounds 2^53 + 1 to 2^53 and matches
            assertThat(rawCount(store.layout(), Query.of(q -> q.term(t -> t.field("x").value(FieldValue.of(big + 1))))))
                    .isEqualTo(1);
            assertThat(store.count(Filters.eq("x", big + 1))).isZero();
        });
    }

    /**
     * A bulk item the server rejects is reported with every id that was not written, never swallowed. A store opened
     * on that index refuses its mapping (below); this one was built before the index existed, so it took the mapping
     * its layout plans.
     */
    @Test
    void aFailedBulkItemNamesEveryRecordNotWritten() {
        String index = TestServer.scratchIndex("partial");
        OpenSearchIndexLayout layout = OpenSearchIndexLayout.builder(index, TENANTS, 4).build();
        try (OpenSearchStore store = OpenSearchStore.builder(layout).client(TestServer.client()).batchSize(3).build()) {
            // the index maps region as boolean, the store's schema says string: those items fail on the server
            withIndex(OpenSearchIndexLayout.builder(index, BOOLEAN_REGION, 4).build(), creator -> {
                List<VectorRecord> batch = List.of(
                        record("ok1", Metadata.of("customer", "a")),
                        record("bad", Metadata.of("customer", "a", "region", "US")),
                        record("ok2", Metadata.of("customer", "a")),
                        record("later1", Metadata.of("customer", "a")),
                        record("later2", Metadata.of("customer", "a")));
                assertThatThrownBy(() -> store.upsert(batch))
                        .isInstanceOfSatisfying(StoreException.class, e -> assertThat(e.failedIds())
                                .containsExactly("bad", "later1", "later2"))
                        .hasMessageContaining("bad");
                assertThat(store.search(ScenarioDataset.vectorFor("q", 4), 10)).extracting(SearchHit::id)
                        .containsExactlyInAnyOrder("ok1", "ok2");
            });
        }
    }

    /** A store opened on an index whose mapping contradicts its schema is refused, naming the field. */
    @Test
    void aStoreIsNotOpenedOnAMappingThatContradictsItsSchema() {
        String index = TestServer.scratchIndex("contradicts");
        withIndex(OpenSearchIndexLayout.builder(index, BOOLEAN_REGION, 4).build(), creator -> {
            OpenSearchIndexLayout layout = OpenSearchIndexLayout.builder(index, TENANTS, 4).build();
            assertThatThrownBy(() -> OpenSearchStore.builder(layout).client(TestServer.client()).build())
                    .isInstanceOf(InvalidSchemaException.class).hasMessageContaining("region")
                    .hasMessageContaining("boolean");
        });
    }

    /**
     * The guard's look-up is a search and cannot see a record that is not refreshed yet; the conditional write
     * (create-only for ids it did not find) still refuses to overwrite it.
     */
    @Test
    void aGuardedUpsertNeverOverwritesARecordTheLookUpCouldNotSee() {
        OpenSearchIndexLayout layout = OpenSearchIndexLayout.builder(TestServer.scratchIndex("race"), TENANTS, 4).build();
        withIndex(layout, ignored -> {
            OpenSearchClient client = TestServer.client();
            try (OpenSearchStore store = OpenSearchStore.builder(layout).client(client).refresh(Refresh.False).build()) {
                client.indices().putSettings(s -> s.index(layout.indexName()).settings(i -> i.refreshInterval(t -> t.time("-1"))));
                store.upsert(List.of(new VectorRecord("x", ScenarioDataset.vectorFor("x", 4), "theirs",
                        Metadata.of("customer", "B"))));
                VectorRecord mine = new VectorRecord("x", ScenarioDataset.vectorFor("x", 4), "mine", Metadata.of("customer", "A"));
                assertThatThrownBy(() -> store.upsert(List.of(mine), Filters.eq("customer", "A")))
                        .isInstanceOfSatisfying(StoreException.class, e -> assertThat(e.failedIds()).containsExactly("x"))
                        .hasMessageContaining("version_conflict");
                client.indices().refresh(r -> r.index(layout.indexName()));
                SearchHit kept = store.search(ScenarioDataset.vectorFor("x", 4), 1).get(0);
                assertThat(kept.text()).isEqualTo("theirs");
                // once visible, the look-up refuses the same write before sending anything
                assertThatThrownBy(() -> store.upsert(List.of(mine), Filters.eq("customer", "A")))
                        .isInstanceOf(WriteConflictException.class);
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        });
    }

    /**
     * {@code _delete_by_query} deletes each record only as its scroll saw it. A record rewritten after that (here:
     * not refreshed yet, so the scroll sees the old version) stops the call loudly, naming the record; it is
     * neither deleted nor skipped in silence. What was deleted before stays deleted, and the message says so.
     */
    @Test
    void aRecordChangedDuringADeleteStopsItWithAStoreException() {
        OpenSearchIndexLayout layout = OpenSearchIndexLayout.builder(TestServer.scratchIndex("dbq-race"), TENANTS, 4).build();
        withIndex(layout, ignored -> {
            OpenSearchClient client = TestServer.client();
            try (OpenSearchStore store = OpenSearchStore.builder(layout).client(client).refresh(Refresh.True).build()) {
                store.upsert(List.of(record("x", Metadata.of("customer", "A")), record("y", Metadata.of("customer", "A")),
                        record("z", Metadata.of("customer", "B"))));
                client.indices().putSettings(s -> s.index(layout.indexName()).settings(i -> i.refreshInterval(t -> t.time("-1"))));
                try (OpenSearchStore unrefreshed = OpenSearchStore.builder(layout).client(client).refresh(Refresh.False).build()) {
                    unrefreshed.upsert(List.of(new VectorRecord("x", ScenarioDataset.vectorFor("x", 4), "rewritten",
                            Metadata.of("customer", "A"))));
                }
                assertThatThrownBy(() -> store.deleteWhere(Filters.eq("customer", "A")))
                        .isInstanceOfSatisfying(StoreException.class, e -> assertThat(e.failedIds()).containsExactly("x"))
                        .hasMessageContaining("version_conflict")
                        .hasMessageContaining("after deleting 1 records");
                client.indices().refresh(r -> r.index(layout.indexName()));
                assertThat(store.search(ScenarioDataset.vectorFor("x", 4), 10)).extracting(SearchHit::id, SearchHit::text)
                        .containsExactlyInAnyOrder(tuple("x", "rewritten"), tuple("z", "text of z"));
                // nothing changes under it now: the same delete goes through
                assertThat(store.deleteWhere(Filters.eq("customer", "A"))).isEqualTo(1);
                assertThat(store.count()).isEqualTo(1);
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        });
    }

    @Test
    void recordsOpenSearchWouldRejectAreRefusedBeforeWriting() {
        withIndex(OpenSearchIndexLayout.builder(TestServer.scratchIndex("limits"), TENANTS, 4).build(), store -> {
            VectorRecord fine = record("fine", Metadata.of("customer", "a"));
            VectorRecord longId = record("i".repeat(513), Metadata.of("customer", "a"));
            VectorRecord longValue = record("v", Metadata.of("customer", "a", "region", "r".repeat(32_767)));
            assertThatThrownBy(() -> store.upsert(List.of(fine, longId))).isInstanceOf(InvalidRecordException.class)
                    .hasMessageContaining("512 bytes");
            assertThatThrownBy(() -> store.upsert(List.of(fine, longValue))).isInstanceOf(InvalidRecordException.class)
                    .hasMessageContaining("region");
            assertThat(store.count()).isZero();
            assertThatThrownBy(() -> store.search(ScenarioDataset.vectorFor("q", 4), OpenSearchStore.MAX_TOP_K + 1))
                    .isInstanceOf(IllegalArgumentException.class);
        });
    }

    /**
     * Nested filters on undeclared fields run inside the knn query, also where Lucene walks the HNSW graph (more
     * matches than ef_search) rather than scoring the filtered documents exactly, and in the exact mode: every hit
     * matches, k is filled, and the exact mode returns the true top k. The field holds a string, a number or nothing,
     * so equality, its negation and a complemented range each meet every kind.
     */
    @Test
    void undeclaredFieldFiltersRunInsideTheKnnQueryInBothModes() {
        int dimension = 16;
        MetadataSchema schema = MetadataSchema.builder().required("customer", FieldType.STRING).allowUndeclared().build();
        OpenSearchIndexLayout layout = OpenSearchIndexLayout.builder(TestServer.scratchIndex("nested-knn"), schema,
                dimension).build();
        SplittableRandom random = new SplittableRandom(13);
        List<VectorRecord> records = IntStream.range(0, 6_000).mapToObj(i -> {
            Metadata m = Metadata.of("customer", "c" + (i % 2));
            m = i % 3 == 0 ? m.with("group", new StringValue("g" + (i % 10)))
                    : i % 3 == 1 ? m.with("group", NumberValue.of(i % 10)) : m;
            return new VectorRecord("d" + i, randomVector(random, dimension), null, m);
        }).toList();
        List<Filter> filters = List.of(Filters.eq("group", 4), Filters.ne("group", 4), Filters.in("group", "g1", "g2"),
                Filters.not(Filters.gt("group", 2)), Filters.and(Filters.eq("customer", "c1"), Filters.lt("group", 5.5)),
                Filters.missing("group"));
        withIndex(layout, store -> {
            store.upsert(records);
            try (OpenSearchStore exact = OpenSearchStore.builder(layout).client(TestServer.client())
                    .searchMode(OpenSearchStore.SearchMode.EXACT).build()) {
                for (Filter f : filters) {
                    List<VectorRecord> matching = records.stream().filter(r -> f.test(r.metadata())).toList();
                    assertThat(matching.size()).as("%s matches more than ef_search", f).isGreaterThan(100);
                    assertThat(store.count(f)).as("%s", f).isEqualTo(matching.size());
                    float[] query = randomVector(random, dimension);
                    List<String> truth = matching.stream()
                            .sorted(Comparator.comparingDouble((VectorRecord r) -> -Vectors.cosine(query, r.vector())))
                            .limit(10).map(VectorRecord::id).toList();
                    Set<String> allowed = matching.stream().map(VectorRecord::id).collect(Collectors.toSet());
                    List<String> approximate = store.search(query, 10, f).stream().map(SearchHit::id).toList();
                    assertThat(approximate).as("%s", f).hasSize(10).allMatch(allowed::contains);
                    assertThat(approximate.stream().filter(truth::contains).count()).as("recall@10 of %s", f)
                            .isGreaterThanOrEqualTo(9);
                    assertThat(exact.search(query, 10, f)).as("%s", f).extracting(SearchHit::id)
                            .containsExactlyElementsOf(truth);
                }
            }
        });
    }

    /**
     * Undeclared values come back with the kind they were written with (2 and 2.0 apart, a list of one string a
     * list), and no undeclared key, whatever its name, adds a field to the mapping.
     */
    @Test
    void undeclaredValuesReadBackWithTheirOwnKindAndAddNoMappingField() {
        MetadataSchema schema = MetadataSchema.builder().required("customer", FieldType.STRING).allowUndeclared().build();
        OpenSearchIndexLayout layout = OpenSearchIndexLayout.builder(TestServer.scratchIndex("kinds"), schema, 4).build();
        Metadata metadata = Metadata.of("customer", "a", "two", 2L, "twoAsDouble", 2.0, "one", List.of("x"),
                "config", "on", "config.setting", 0.5, "_id", true, "a*b", "", "", -7L, "big", 9007199254740991L);
        withIndex(layout, store -> {
            String mapping = mapping(layout);
            store.upsert(List.of(record("r", metadata), record("s", Metadata.of("customer", "a", "two", "two"))));
            assertThat(mapping(layout)).isEqualTo(mapping);
            assertThat(store.search(ScenarioDataset.vectorFor("r", 4), 1).get(0).metadata()).isEqualTo(metadata);
            assertThat(rawSource(layout, "s").get("metadata_undeclared").toString())
                    .isEqualTo("[{\"key\":\"two\",\"s\":\"two\"}]");
        });
    }

    /** What the server would refuse of an undeclared field fails the batch before anything of it is written. */
    @Test
    void undeclaredValuesOpenSearchWouldRejectAreRefusedBeforeWriting() {
        MetadataSchema schema = MetadataSchema.builder().required("customer", FieldType.STRING).allowUndeclared().build();
        withIndex(OpenSearchIndexLayout.builder(TestServer.scratchIndex("undeclared-limits"), schema, 4).build(), store -> {
            Map<String, Object> many = new HashMap<>(Map.of("customer", "a"));
            IntStream.range(0, DocumentCodec.MAX_NESTED_OBJECTS + 1).forEach(i -> many.put("k" + i, i));
            VectorRecord fine = record("fine", Metadata.of("customer", "a", "n", 1L));
            assertThatThrownBy(() -> store.upsert(List.of(fine, record("many", Metadata.of(many)))))
                    .isInstanceOf(InvalidRecordException.class).hasMessageContaining("'many'")
                    .hasMessageContaining("nested_objects.limit");
            assertThatThrownBy(() -> store.upsert(List.of(fine, record("big", Metadata.of("customer", "a",
                    "n", 1L << 53))))).isInstanceOf(InvalidRecordException.class).hasMessageContaining("'big'")
                    .hasMessageContaining("'n'");
            assertThat(store.count()).isZero();
        });
    }

    /** The Bedrock preset on the local node (lucene instead of faiss): top-level attributes filter, metadata JSON kept. */
    @Test
    void bedrockLayoutStoresAttributesAtTopLevelAndTheMetadataAsJson() {
        OpenSearchIndexLayout layout = OpenSearchIndexLayout.bedrockKnowledgeBase(TestServer.scratchIndex("bedrock"),
                ScenarioDataset.SCHEMA, ScenarioDataset.DIMENSION).engine("lucene").build();
        withIndex(layout, store -> {
            store.upsert(ScenarioDataset.records());
            List<SearchHit> hits = store.search(ScenarioDataset.vectorFor("q", ScenarioDataset.DIMENSION), 100,
                    Filters.and(Filters.eq("customer", "CustomerA"), Filters.ne("region", "US")));
            assertThat(hits).extracting(SearchHit::id).containsExactlyInAnyOrder("A-C002", "A-C003", "A-NOTE");
            VectorRecord c003 = ScenarioDataset.byId().get("A-C003");
            SearchHit best = store.search(c003.vector(), 1).get(0);
            assertThat(best.id()).isEqualTo("A-C003");
            assertThat(best.score()).isCloseTo(1.0, within(1e-4));
            assertThat(best.text()).isEqualTo(c003.text());
            ObjectNode source = rawSource(layout, "A-C003");
            assertThat(source.get("customer").asText()).isEqualTo("CustomerA");
            assertThat(source.get("AMAZON_BEDROCK_TEXT_CHUNK").asText()).isEqualTo(c003.text());
            JsonNode metadata = readJson(source.get("AMAZON_BEDROCK_METADATA").asText());
            assertThat(metadata.get("focus").asText()).isEqualTo("endocrinology");
            assertThat(metadata.get("publicationYear").asLong()).isEqualTo(2023);
        });
    }

    /** In a layout routed by tenant a record cannot silently move to another tenant (and so to another shard). */
    @Test
    void aRoutedLayoutKeepsEachIdWithItsTenant() {
        OpenSearchIndexLayout layout = OpenSearchIndexLayout.builder(TestServer.scratchIndex("routed"),
                ScenarioDataset.SCHEMA, ScenarioDataset.DIMENSION).routeByTenant("customer").shards(3, 0).build();
        withIndex(layout, store -> {
            store.upsert(ScenarioDataset.records());
            VectorRecord theirs = ScenarioDataset.byId().get("B-S001");
            VectorRecord moved = theirs.withMetadata(theirs.metadata().with("customer", new StringValue("CustomerA")));
            assertThatThrownBy(() -> store.upsert(List.of(moved))).isInstanceOf(WriteConflictException.class)
                    .hasMessageContaining("B-S001");
            assertThat(store.partitionForTenant("customer", "CustomerA")).isNotSameAs(store);
            assertThat(store.partitionForTenant("region", "US")).isSameAs(store);
            VectorStore a = TenantScope.of(store, "customer").forTenant("CustomerA");
            assertThat(a.search(ScenarioDataset.vectorFor("q", ScenarioDataset.DIMENSION), 100))
                    .extracting(SearchHit::id).containsExactlyInAnyOrderElementsOf(ScenarioDataset.idsOf("CustomerA"));
            assertThat(store.count()).isEqualTo(ScenarioDataset.records().size());
        });
    }

    /** A store given several nodes sends each request to the next: one that refuses is set aside, no call fails. */
    @Test
    void aStoreOnSeveralUrlsAnswersPastANodeThatRefuses() throws IOException {
        int refusing;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            refusing = socket.getLocalPort(); // closed below: connections to it are refused
        }
        OpenSearchIndexLayout layout = OpenSearchIndexLayout.builder(TestServer.scratchIndex("urls"), TENANTS, 4).build();
        OpenSearchStore.Builder builder = OpenSearchStore.builder(layout).refresh(Refresh.True)
                .urls(List.of("http://127.0.0.1:" + refusing, TestServer.url()));
        TestServer.credentials().ifPresent(c -> builder.basicAuth(c[0], c[1]));
        try (OpenSearchStore store = builder.build()) {
            store.createIndex();
            try {
                for (int i = 0; i < 4; i++) {
                    store.upsert(List.of(new VectorRecord("r" + i, new float[] {1, i, 0, 0}, null,
                            Metadata.of("customer", "c"))));
                    assertThat(store.count()).isEqualTo(i + 1);
                }
            } finally {
                store.deleteIndex();
            }
        }
        assertThatThrownBy(() -> OpenSearchStore.builder(layout).urls(List.of("http://a:9200/x", "http://b:9200/y"))
                .build()).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("paths differ");
        assertThatThrownBy(() -> OpenSearchStore.builder(layout).urls(List.of()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /** A field is declared on a live index by put-mapping; what would lose or hide data is refused, changing nothing. */
    @Test
    void aFieldAddedToALiveIndexIsWrittenAndFilteredAtOnce() {
        MetadataSchema open = MetadataSchema.builder().required("customer", FieldType.STRING).allowUndeclared().build();
        OpenSearchIndexLayout layout = OpenSearchIndexLayout.builder(TestServer.scratchIndex("grow"), open, 4).build();
        withIndex(layout, store -> {
            store.upsert(List.of(new VectorRecord("a", new float[] {1, 0, 0, 0}, null,
                    Metadata.of("customer", "c", "held", "x"))));
            String before = mapping(layout);
            assertThatThrownBy(() -> store.addField(new FieldSpec("held", FieldType.STRING, false)))
                    .isInstanceOf(InvalidSchemaException.class).hasMessageContaining("reindex");
            assertThatThrownBy(() -> store.addField(new FieldSpec("year", FieldType.LONG, true)))
                    .isInstanceOf(InvalidSchemaException.class).hasMessageContaining("empty index");
            assertThat(mapping(layout)).isEqualTo(before);

            OpenSearchIndexLayout grown = store.addField(new FieldSpec("year", FieldType.LONG, false));
            assertThat(readJson(mapping(layout)).at("/mappings/properties/year/type").asText()).isEqualTo("long");
            try (OpenSearchStore writer = OpenSearchStore.builder(grown).client(TestServer.client())
                    .refresh(Refresh.True).build()) {
                writer.upsert(List.of(new VectorRecord("b", new float[] {0, 1, 0, 0}, null,
                        Metadata.of("customer", "c", "year", 2024))));
                assertThat(writer.search(new float[] {1, 1, 0, 0}, 10, Filters.eq("year", 2024)))
                        .extracting(SearchHit::id).containsExactly("b");
                assertThat(writer.search(new float[] {1, 1, 0, 0}, 10, Filters.missing("year")))
                        .extracting(SearchHit::id).containsExactly("a");
                assertThat(writer.search(new float[] {1, 1, 0, 0}, 10, Filters.eq("held", "x")))
                        .extracting(SearchHit::id).containsExactly("a");
            }
        });
    }

    private static void withIndex(OpenSearchIndexLayout layout, Consumer<OpenSearchStore> body) {
        try (OpenSearchStore store = OpenSearchStore.builder(layout).client(TestServer.client()).build()) {
            store.createIndex();
            try {
                body.accept(store);
            } finally {
                store.deleteIndex();
            }
        }
    }

    private static long postFilteredHits(OpenSearchIndexLayout layout, float[] vector, int k, Query filter)
            throws IOException {
        List<Float> query = new ArrayList<>();
        for (float f : vector) {
            query.add(f);
        }
        Query knn = Query.of(q -> q.knn(n -> n.field(layout.vectorField()).vector(query).k(k)
                .methodParameters("ef_search", JsonData.of(100))));
        return TestServer.client().search(s -> s.index(layout.indexName()).size(k)
                .query(q -> q.bool(b -> b.must(knn).filter(filter))), ObjectNode.class).hits().hits().size();
    }

    private static long rawCount(OpenSearchIndexLayout layout, Query query) {
        try {
            return TestServer.client().count(c -> c.index(layout.indexName()).query(query)).count();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static ObjectNode rawSource(OpenSearchIndexLayout layout, String id) {
        try {
            return TestServer.client().get(g -> g.index(layout.indexName()).id(id), ObjectNode.class).source();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static String mapping(OpenSearchIndexLayout layout) {
        try {
            return TestServer.client().indices().getMapping(g -> g.index(layout.indexName())).get(layout.indexName())
                    .toJsonString();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static JsonNode readJson(String text) {
        try {
            return new ObjectMapper().readTree(text);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static VectorRecord record(String id, Metadata metadata) {
        return new VectorRecord(id, ScenarioDataset.vectorFor(id, 4), "text of " + id, metadata);
    }

    private static float[] randomVector(SplittableRandom random, int dimension) {
        float[] v = new float[dimension];
        for (int i = 0; i < dimension; i++) {
            v[i] = (float) (random.nextDouble() * 2 - 1);
        }
        return v;
    }
}
