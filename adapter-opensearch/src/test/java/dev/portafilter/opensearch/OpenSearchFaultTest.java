package dev.portafilter.opensearch;

import dev.portafilter.conformance.faults.FaultyProxy;
import dev.portafilter.core.PartialResultException;
import dev.portafilter.core.StoreException;
import dev.portafilter.core.StoreTimeoutException;
import dev.portafilter.core.filter.Filter;
import dev.portafilter.core.filter.Filters;
import dev.portafilter.core.metadata.FieldType;
import dev.portafilter.core.metadata.Metadata;
import dev.portafilter.core.metadata.MetadataSchema;
import dev.portafilter.core.store.SearchHit;
import dev.portafilter.core.store.VectorRecord;
import org.junit.jupiter.api.Test;
import org.opensearch.client.opensearch.OpenSearchClient;
import org.opensearch.client.opensearch._types.Refresh;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/** Faults on the real server: a shard that fails, and a network that stalls or drops the connection. */
class OpenSearchFaultTest {
    private static final MetadataSchema SCHEMA = MetadataSchema.builder().required("customer", FieldType.STRING).build();
    private static final int DIM = 4;
    /** Far above every timeout below: a call that would hang fails the test instead. */
    private static final Duration NO_HANG = Duration.ofSeconds(20);

    /**
     * An alias over two one-shard indices, the second of which refuses a {@code terms} query of more than one value
     * ({@code index.max_terms_count: 1}): such a filter fails on that shard only, and the server answers 200 with
     * the other shard's hits and {@code _shards.failed: 1}.
     */
    @Test
    void aFailedShardIsAnErrorNeverAShortList() throws IOException {
        String alias = TestServer.scratchIndex("partial-alias");
        OpenSearchIndexLayout first = layout(alias + "-a");
        OpenSearchIndexLayout second = layout(alias + "-b");
        OpenSearchClient client = TestServer.client();
        try (OpenSearchStore a = TestServer.storeByUrl(first).refresh(Refresh.True).build();
             OpenSearchStore b = TestServer.storeByUrl(second).refresh(Refresh.True).build()) {
            a.createIndex();
            b.createIndex();
            try {
                a.upsert(records("a", 3));
                b.upsert(records("b", 3));
                client.indices().putSettings(s -> s.index(second.indexName()).settings(i -> i.maxTermsCount(1)));
                client.indices().putAlias(p -> p.index(List.of(first.indexName(), second.indexName())).name(alias));
                try (OpenSearchStore both = TestServer.storeByUrl(layout(alias))
                        .searchMode(OpenSearchStore.SearchMode.APPROXIMATE).build();
                     OpenSearchStore adaptive = TestServer.storeByUrl(layout(alias)).build()) {
                    float[] q = {1, 0, 0, 0};
                    assertThat(both.search(q, 10)).as("healthy: both shards answer").hasSize(6);
                    Filter twoTerms = Filters.in("customer", "CustomerA", "CustomerB");
                    assertThat(both.search(q, 10, Filters.eq("customer", "CustomerB"))).as("one term: no shard fails")
                            .extracting(SearchHit::id).containsExactlyInAnyOrder("b0", "b1", "b2");

                    assertThatThrownBy(() -> both.search(q, 10, twoTerms))
                            .isInstanceOfSatisfying(PartialResultException.class, e -> {
                                assertThat(e.failedShards()).isEqualTo(1);
                                assertThat(e.totalShards()).isEqualTo(2);
                                assertThat(e.timedOut()).isFalse();
                                assertThat(e.backend()).isEqualTo("opensearch");
                                // what the healthy shard found, for a caller who wants it, and only that
                                assertThat(e.partialHits()).extracting(SearchHit::id)
                                        .containsExactlyInAnyOrder("a0", "a1", "a2");
                            })
                            .hasMessageContaining("1 of 2 shards failed").hasMessageContaining(second.indexName());
                    assertThatThrownBy(() -> both.count(twoTerms)).isInstanceOf(PartialResultException.class)
                            .hasMessageContaining("count").hasMessageContaining("1 of 2 shards failed");
                    // the adaptive store's count fails before the search: it chooses no plan from half a count
                    assertThatThrownBy(() -> adaptive.search(q, 10, twoTerms))
                            .isInstanceOfSatisfying(PartialResultException.class,
                                    e -> assertThat(e.partialHits()).isEmpty())
                            .hasMessageContaining("to choose the search plan").hasMessageContaining("1 of 2 shards failed");
                    assertThatThrownBy(() -> adaptive.explainPlan(twoTerms, 10))
                            .isInstanceOf(PartialResultException.class);
                }
            } finally {
                a.deleteIndex();
                b.deleteIndex();
            }
        }
    }

    /**
     * A write whose documents are written but whose refresh is refused: an alias whose write index takes the
     * documents and whose other index is closed, so that a refresh of the alias fails. No search, nor a delete
     * ({@code _delete_by_query}), sees those documents until a later refresh, so the call names every record.
     */
    @Test
    void aWriteThatWasNotRefreshedNamesEveryRecord() throws IOException {
        String alias = TestServer.scratchIndex("unrefreshed");
        OpenSearchClient client = TestServer.client();
        try (OpenSearchStore written = TestServer.storeByUrl(layout(alias + "-a")).build();
             OpenSearchStore closed = TestServer.storeByUrl(layout(alias + "-b")).build()) {
            written.createIndex();
            closed.createIndex();
            try {
                client.indices().updateAliases(u -> u
                        .actions(x -> x.add(add -> add.index(written.layout().indexName()).alias(alias).isWriteIndex(true)))
                        .actions(x -> x.add(add -> add.index(closed.layout().indexName()).alias(alias))));
                client.indices().close(c -> c.index(closed.layout().indexName()));
                // one record per batch: an upsert of two refreshes once, at the end
                try (OpenSearchStore store = TestServer.storeByUrl(layout(alias)).batchSize(1).build()) {
                    assertThatThrownBy(() -> store.bulkLoad(records("l", 2)))
                            .isInstanceOfSatisfying(StoreException.class,
                                    e -> assertThat(e.failedIds()).containsExactlyInAnyOrder("l0", "l1"))
                            .hasMessageContaining("closed");
                    assertThatThrownBy(() -> store.upsert(records("u", 2)))
                            .isInstanceOfSatisfying(StoreException.class,
                                    e -> assertThat(e.failedIds()).containsExactly("u0", "u1"))
                            .hasMessageContaining("not refreshed");
                }
                // written all the same: what the call named may or may not be written, and here it is
                client.indices().refresh(r -> r.index(written.layout().indexName()));
                assertThat(written.count()).isEqualTo(4);
            } finally {
                written.deleteIndex();
                closed.deleteIndex();
            }
        }
    }

    /** A server that stops answering: every call fails with the typed timeout, soon after the call timeout. */
    @Test
    void aStalledOrDroppedConnectionTimesOutTyped() {
        OpenSearchIndexLayout layout = layout(TestServer.scratchIndex("stall"));
        try (OpenSearchStore direct = TestServer.storeByUrl(layout).build(); FaultyProxy proxy = proxyToServer()) {
            direct.createIndex();
            try {
                direct.upsert(records("a", 3));
                try (OpenSearchStore store = viaProxy(layout, proxy).build()) {
                    assertThat(store.search(new float[]{1, 0, 0, 0}, 5)).hasSize(3);

                    proxy.fault(new FaultyProxy.Fault.Delay(Duration.ofSeconds(5)));
                    assertTimeoutPreemptively(NO_HANG, () -> assertThatThrownBy(
                            () -> store.search(new float[]{1, 0, 0, 0}, 5))
                            .isInstanceOfSatisfying(StoreTimeoutException.class,
                                    e -> assertThat(e.timeout()).isEqualTo(Duration.ofMillis(500))));

                    proxy.fault(new FaultyProxy.Fault.Drop());
                    List<VectorRecord> batch = records("n", 2);
                    long started = System.nanoTime();
                    assertTimeoutPreemptively(NO_HANG, () -> assertThatThrownBy(() -> store.upsert(batch))
                            .isInstanceOfSatisfying(StoreTimeoutException.class,
                                    e -> assertThat(e.failedIds()).containsExactly("n0", "n1")));
                    assertThat(Duration.ofNanos(System.nanoTime() - started))
                            .as("the call timeout plus the grace, with a margin").isLessThan(Duration.ofSeconds(5));

                    proxy.fault(new FaultyProxy.Fault.CutAfter(10));
                    assertTimeoutPreemptively(NO_HANG, () -> assertThatThrownBy(() -> store.count())
                            .isInstanceOf(StoreException.class));

                    proxy.fault(FaultyProxy.NONE);
                    assertThat(store.count()).as("healed: the store answers again").isGreaterThanOrEqualTo(3);
                }
            } finally {
                direct.deleteIndex();
            }
        }
    }

    /**
     * The server stops collecting at the search body's {@code timeout} and answers 200 with what it found so far and
     * {@code timed_out: true}: the store throws, saying so, and never returns that as the answer. The node runs with
     * {@code thread_pool.estimated_time_interval: 0} (scripts/opensearch.sh), so that it measures a 1 ms timeout
     * exactly; with its default clock, updated every 200 ms, a search must run far longer to be cut short.
     */
    @Test
    void aSearchTheServerCutShortAtItsTimeoutIsAPartialResult() throws Exception {
        HttpResponse<String> settings = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                        TestServer.url() + "/_nodes/settings?filter_path=nodes.*.settings.thread_pool")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(settings.body()).as("the node's clock setting; restart it with scripts/opensearch.sh stop && start")
                .contains("\"estimated_time_interval\":\"0\"");
        // 64 dimensions: the exact scoring of 20,000 documents takes well over the 1 ms timeout; with 4 the server
        // sometimes finished before it looked at its clock
        int dimension = 64;
        OpenSearchIndexLayout layout = OpenSearchIndexLayout.builder(TestServer.scratchIndex("timed-out"), SCHEMA,
                dimension).build();
        Random random = new Random(7);
        float[] query = new float[dimension];
        IntStream.range(0, dimension).forEach(d -> query[d] = random.nextFloat());
        try (OpenSearchStore store = TestServer.storeByUrl(layout).build()) {
            store.createIndex();
            try {
                store.bulkLoad(IntStream.range(0, 20_000).mapToObj(i -> {
                    float[] v = new float[dimension];
                    IntStream.range(0, dimension).forEach(d -> v[d] = random.nextFloat());
                    return new VectorRecord("r" + i, v, null, Metadata.of("customer", "CustomerA"));
                }).toList());
                try (OpenSearchStore hurried = TestServer.storeByUrl(layout).callTimeout(Duration.ofMillis(1))
                        .searchMode(OpenSearchStore.SearchMode.EXACT).build()) {
                    // each answer is complete or an exception saying it timed out; at least one is cut short
                    int cutShort = 0;
                    for (int attempt = 0; attempt < 5; attempt++) {
                        try {
                            assertThat(hurried.search(query, 10)).as("an answer not cut short").hasSize(10);
                        } catch (PartialResultException e) {
                            assertThat(e.timedOut()).isTrue();
                            assertThat(e.failedShards()).isZero();
                            assertThat(e).hasMessageContaining("timed out");
                            cutShort++;
                        }
                    }
                    assertThat(cutShort).as("searches the server cut short at 1 ms, of 5").isPositive();
                }
                assertThat(store.search(query, 10)).as("with the default timeout").hasSize(10);
            } finally {
                store.deleteIndex();
            }
        }
    }

    /**
     * One connection, held by a count the stalled link keeps waiting: a second call waits for a free connection past
     * the call timeout only until the pool next changes, then fails typed, stating the pool; it never queues for the
     * client library's three minutes.
     */
    @Test
    void anExhaustedConnectionPoolIsATypedTimeoutThatStatesThePool() throws Exception {
        OpenSearchIndexLayout layout = layout(TestServer.scratchIndex("pool"));
        try (OpenSearchStore direct = TestServer.storeByUrl(layout).build(); FaultyProxy proxy = proxyToServer()) {
            direct.createIndex();
            try {
                direct.upsert(records("a", 3));
                try (OpenSearchStore store = viaProxy(layout, proxy).maxConnections(1).build()) {
                    assertThat(store.count()).isEqualTo(3);
                    proxy.fault(new FaultyProxy.Fault.Delay(Duration.ofSeconds(5)));
                    CompletableFuture<Long> holder = CompletableFuture.supplyAsync(store::count);
                    Thread.sleep(100);
                    long started = System.nanoTime();
                    assertTimeoutPreemptively(NO_HANG, () -> assertThatThrownBy(store::count)
                            .isInstanceOfSatisfying(StoreTimeoutException.class,
                                    e -> assertThat(e.timeout()).isEqualTo(Duration.ofMillis(500)))
                            .hasMessageContaining("no connection came free").hasMessageContaining("at most 1 per node"));
                    // the pool notices the passed deadline when the held connection comes free, at its 1.5 s
                    assertThat(Duration.ofNanos(System.nanoTime() - started)).as("not the client library's 3 minutes")
                            .isLessThan(Duration.ofSeconds(4));
                    assertThatThrownBy(holder::join).hasCauseInstanceOf(StoreTimeoutException.class);

                    proxy.fault(FaultyProxy.NONE);
                    assertThat(store.count()).as("healed: the store answers again").isEqualTo(3);
                }
            } finally {
                direct.deleteIndex();
            }
        }
    }

    private static FaultyProxy proxyToServer() {
        URI server = URI.create(TestServer.url());
        return FaultyProxy.to(server.getHost(), server.getPort());
    }

    /** A store on the test server through the proxy, with a call timeout of 500 ms. */
    private static OpenSearchStore.Builder viaProxy(OpenSearchIndexLayout layout, FaultyProxy proxy) {
        return TestServer.storeByUrl(layout).callTimeout(Duration.ofMillis(500))
                .url(URI.create(TestServer.url()).getScheme() + "://" + proxy.host() + ":" + proxy.port());
    }

    private static OpenSearchIndexLayout layout(String index) {
        return OpenSearchIndexLayout.builder(index, SCHEMA, DIM).build();
    }

    private static List<VectorRecord> records(String prefix, int n) {
        return IntStream.range(0, n).mapToObj(i -> new VectorRecord(prefix + i, new float[]{1, i, 0, 1}, null,
                Metadata.of("customer", "Customer" + prefix.toUpperCase()))).toList();
    }
}
