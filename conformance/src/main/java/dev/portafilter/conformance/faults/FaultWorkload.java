package dev.portafilter.conformance.faults;

import dev.portafilter.conformance.Poll;
import dev.portafilter.core.StoreException;
import dev.portafilter.core.TenantIsolationException;
import dev.portafilter.core.filter.Filter;
import dev.portafilter.core.filter.Filters;
import dev.portafilter.core.metadata.FieldType;
import dev.portafilter.core.metadata.Metadata;
import dev.portafilter.core.metadata.MetadataSchema;
import dev.portafilter.core.store.Capability;
import dev.portafilter.core.store.SearchHit;
import dev.portafilter.core.store.VectorRecord;
import dev.portafilter.core.store.VectorStore;
import dev.portafilter.core.tenant.TenantScope;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Tenants reading and writing one store at the same time, while a test injects faults (or, in the soak, none), and
 * an account of what held. Every worker thread belongs to one tenant and owns its records (field {@value #WRITER}),
 * so it knows exactly what each of its reads must return: every write acknowledged so far, nothing acknowledged as
 * deleted, nothing of another tenant. All calls go through a {@link TenantScope} view, except the optional bulk load,
 * which takes records already stamped with their tenant.
 *
 * <p>A worker cycles through nine operations: a search of its own records (k above their number, so a short answer
 * shows), an upsert (two records rewritten at their next revision and one new), a count of its own records (a
 * search again where the store has no filtered count), a
 * delete of one record, a top-10 search of the whole tenant, a bulk load of two new records (an upsert when the store
 * has no bulk load), a {@code deleteWhere} of one group (the records one write created), another upsert, and the
 * failed writes sent again (nothing when none failed).
 *
 * <p>A call that fails must fail typed ({@link StoreException}); the records a failed write names in
 * {@code failedIds()} (a failed delete must name the ids it was given) are the only ones whose state becomes
 * unknown: reads skip them until a retry succeeds. A worker sends its failed calls again once per cycle, so that a long fault does not
 * leave it with nothing known to check once the backend answers again, and {@link #finish} sends those still failed
 * again, which must succeed and converge, before it compares the store with the acknowledged state. Operations are counted in the {@link #phase} they started in.
 */
public final class FaultWorkload {
    /** The metadata field naming the worker that owns a record. */
    public static final String WRITER = "writer";
    /** The revision a record was written at: a rewrite increments it. */
    public static final String REV = "rev";
    /** The write that created a record: {@code deleteWhere} deletes one group. */
    public static final String GROUP = "group";
    /** k of the search of a worker's own records: above their number, so a missing record shows. */
    private static final int ALL = 1_000;
    /** Below {@link #ALL} by more than a write's new records. */
    private static final int MAX_RECORDS_PER_WORKER = 500;
    private static final int TENANT_TOP_K = 10;

    private final String label;
    private final VectorStore store;
    private final String tenantField;
    private final Optional<Consumer<List<VectorRecord>>> bulkLoader;
    private final int operationsPerWorker;
    /** Whether the store counts filtered records; where it does not, the count step searches instead. */
    private final boolean counts;
    private final List<Worker> workers = new ArrayList<>();
    private final Map<String, Phase> phases = new LinkedHashMap<>();
    private final Map<String, AtomicInteger> failureTypes = new ConcurrentHashMap<>();
    private final List<String> faults = new CopyOnWriteArrayList<>();
    private final List<String> violations = new CopyOnWriteArrayList<>();
    private final AtomicLong wrongTenantRows = new AtomicLong();
    private final AtomicLong shortAnswers = new AtomicLong();
    private final AtomicLong acknowledgedLost = new AtomicLong();
    private final AtomicLong deleteCountsShort = new AtomicLong();
    private volatile Phase current;
    private volatile boolean stop;
    private boolean stopped;
    private ExecutorService pool;
    private List<Future<?>> running = List.of();
    private long startedNanos;
    private long stoppedNanos;

    private FaultWorkload(Builder b) {
        this.label = b.label;
        this.store = b.store;
        this.tenantField = b.tenantField;
        this.bulkLoader = Optional.ofNullable(b.bulkLoader);
        this.operationsPerWorker = b.operationsPerWorker;
        this.counts = store.capabilities().contains(Capability.COUNT);
        TenantScope scope = TenantScope.of(store, tenantField);
        for (String tenant : b.tenants) {
            VectorStore view = scope.forTenant(tenant);
            for (int w = 0; w < b.workersPerTenant; w++) {
                workers.add(new Worker(tenant, tenant + "-w" + w, view, b.recordsPerWorker));
            }
        }
        phase("healthy");
    }

    /** The schema a store under this workload declares: the tenant field, {@value #WRITER}, {@value #REV}, {@value #GROUP}. */
    public static MetadataSchema schema(String tenantField) {
        return MetadataSchema.builder().required(tenantField, FieldType.STRING).required(WRITER, FieldType.STRING)
                .required(REV, FieldType.LONG).required(GROUP, FieldType.LONG).build();
    }

    /**
     * A workload on {@code store}, whose schema is {@link #schema}. {@code label}, {@code backend/fault} (e.g.
     * {@code pgvector/kill-9}), names it in the figures; {@code scripts/test.sh} looks for each backend's.
     */
    public static Builder builder(String label, VectorStore store, String tenantField) {
        return new Builder(label, store, tenantField);
    }

    /** Whether the store answers a {@code count()} now: for waiting until a backend that failed is back. */
    public static boolean answers(VectorStore store) {
        try {
            store.count();
            return true;
        } catch (StoreException stillFailing) {
            return false;
        }
    }

    /**
     * Writes each worker's first records (through its tenant's view), the workers at once: a store that waits for a
     * refresh per write (OpenSearch) takes a second per batch. Call before {@link #start} and any fault.
     */
    public void load() {
        ExecutorService loaders = Executors.newFixedThreadPool(workers.size());
        try {
            for (Future<?> f : workers.stream().<Future<?>>map(w -> loaders.submit(w::load)).toList()) {
                f.get();
            }
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(label + ": interrupted while loading", e);
        } finally {
            loaders.shutdownNow();
        }
    }

    /** Starts one thread per worker; each runs until {@link #finish}, or for its fixed number of operations. */
    public synchronized void start() {
        pool = Executors.newFixedThreadPool(workers.size(), r -> {
            Thread t = new Thread(r, label + "-worker");
            t.setDaemon(true);
            return t;
        });
        startedNanos = System.nanoTime();
        running = workers.stream().<Future<?>>map(w -> pool.submit(w::run)).toList();
    }

    /** Operations started from now on count in this phase. */
    public synchronized Phase phase(String name) {
        current = phases.computeIfAbsent(name, Phase::new);
        return current;
    }

    /** Records a fault the test injected (counted in the figures) and returns its description. */
    public String fault(String description) {
        faults.add(current.name + ": " + description);
        return description;
    }

    /** The phase operations now count in. */
    public Phase current() {
        return current;
    }

    /** Waits until the current phase satisfies the condition; false when the limit passed first. */
    public boolean await(Duration limit, Predicate<Phase> condition) {
        Phase p = current;
        return Poll.until(limit, () -> condition.test(p));
    }

    /** Waits until this many operations started in the current phase; false when the limit passed first. */
    public boolean awaitOperations(int operations, Duration limit) {
        return await(limit, p -> p.operations() >= operations);
    }

    /**
     * Stops the workers, or waits for their fixed number of operations; the backend may still be failing. Idempotent.
     */
    public synchronized void stop(Duration limit) {
        if (stopped) {
            return;
        }
        if (operationsPerWorker == 0) {
            stop = true;
        }
        try {
            for (Future<?> f : running) {
                f.get(limit.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (Exception e) {
            throw new IllegalStateException(label + ": the workers did not finish within " + limit, e);
        } finally {
            stoppedNanos = System.nanoTime();
            stopped = true;
            stop = true;
            if (pool != null) {
                pool.shutdownNow();
            }
        }
    }

    /**
     * {@link #stop}s the workers, sends every failed write again (each must now succeed), compares every worker's
     * records in the store with the acknowledged state, and returns the figures. Call once the backend has recovered.
     */
    public synchronized FaultReport finish(Duration limit) {
        stop(limit);
        int retried = 0;
        for (Worker w : workers) {
            w.retryFailed();
            retried += w.retried;
        }
        long records = 0;
        for (Worker w : workers) {
            records += w.verifyFinal();
        }
        Map<String, Integer> failures = new TreeMap<>();
        failureTypes.forEach((k, v) -> failures.put(k, v.get()));
        Map<Kind, List<Long>> latencies = new EnumMap<>(Kind.class);
        List<Long> all = new ArrayList<>();
        for (Worker w : workers) {
            w.latencies.forEach((k, v) -> latencies.computeIfAbsent(k, x -> new ArrayList<>()).addAll(v));
            w.latencies.values().forEach(all::addAll);
        }
        Set<String> tenants = new TreeSet<>();
        workers.forEach(w -> tenants.add(w.tenant));
        return new FaultReport(label, tenants.size(), workers.size(), List.copyOf(faults),
                phases.values().stream().map(Phase::snapshot).toList(), failures, acknowledgedLost.get(),
                wrongTenantRows.get(), shortAnswers.get(), deleteCountsShort.get(), retried, records,
                List.copyOf(violations), Duration.ofNanos(stoppedNanos - startedNanos), FaultReport.summarise(latencies),
                FaultReport.latency(all));
    }

    /** Stops the workers without the account (for a test that failed before {@link #finish}). */
    public void abort() {
        stop = true;
        if (pool != null) {
            pool.shutdownNow();
        }
    }

    /** The operations a worker runs, read or write. */
    public enum Kind {
        SEARCH_OWN(true), UPSERT(false), COUNT(true), DELETE(false), SEARCH_TENANT(true), BULK_LOAD(false),
        DELETE_WHERE(false), RETRY_FAILED(false);

        private final boolean read;

        Kind(boolean read) {
            this.read = read;
        }

        public boolean read() {
            return read;
        }
    }

    private static final Kind[] CYCLE = {Kind.SEARCH_OWN, Kind.UPSERT, Kind.COUNT, Kind.DELETE, Kind.SEARCH_TENANT,
            Kind.BULK_LOAD, Kind.DELETE_WHERE, Kind.UPSERT, Kind.RETRY_FAILED};

    /** What happened in one phase, counted while it runs. */
    public static final class Phase {
        private final String name;
        private final AtomicInteger operations = new AtomicInteger();
        private final AtomicInteger readsFailed = new AtomicInteger();
        private final AtomicInteger writesFailed = new AtomicInteger();

        private Phase(String name) {
            this.name = name;
        }

        public String name() {
            return name;
        }

        public int operations() {
            return operations.get();
        }

        public int readsFailed() {
            return readsFailed.get();
        }

        public int writesFailed() {
            return writesFailed.get();
        }

        FaultReport.PhaseFigures snapshot() {
            return new FaultReport.PhaseFigures(name, operations(), readsFailed(), writesFailed());
        }
    }

    public static final class Builder {
        private final String label;
        private final VectorStore store;
        private final String tenantField;
        private List<String> tenants = List.of("tenant-a", "tenant-b", "tenant-c", "tenant-d");
        private int workersPerTenant = 1;
        private int recordsPerWorker = 40;
        private int operationsPerWorker;
        private Consumer<List<VectorRecord>> bulkLoader;

        private Builder(String label, VectorStore store, String tenantField) {
            this.label = Objects.requireNonNull(label, "label");
            this.store = Objects.requireNonNull(store, "store");
            this.tenantField = Objects.requireNonNull(tenantField, "tenantField");
        }

        public Builder tenants(List<String> tenants) {
            if (tenants.isEmpty()) {
                throw new IllegalArgumentException("at least one tenant");
            }
            this.tenants = List.copyOf(tenants);
            return this;
        }

        public Builder workersPerTenant(int workers) {
            this.workersPerTenant = positive(workers, "workersPerTenant");
            return this;
        }

        /** Records each worker writes in {@link #load}, in groups of five. */
        public Builder recordsPerWorker(int records) {
            if (records > MAX_RECORDS_PER_WORKER / 2) {
                throw new IllegalArgumentException("recordsPerWorker must be at most " + MAX_RECORDS_PER_WORKER / 2
                        + ", is " + records);
            }
            this.recordsPerWorker = positive(records, "recordsPerWorker");
            return this;
        }

        /** Each worker stops after this many operations (the soak); by default workers run until {@link #finish}. */
        public Builder operationsPerWorker(int operations) {
            this.operationsPerWorker = positive(operations, "operationsPerWorker");
            return this;
        }

        /**
         * The store's bulk load (e.g. {@code store::bulkLoad}), given new records stamped with their tenant; without
         * one the bulk-load step is an upsert through the tenant view.
         */
        public Builder bulkLoader(Consumer<List<VectorRecord>> loader) {
            this.bulkLoader = Objects.requireNonNull(loader, "loader");
            return this;
        }

        public FaultWorkload build() {
            return new FaultWorkload(this);
        }

        private static int positive(int n, String name) {
            if (n < 1) {
                throw new IllegalArgumentException(name + " must be at least 1, is " + n);
            }
            return n;
        }
    }

    /** One worker's records, written and read on its own thread, and what each read must return. */
    private final class Worker {
        private final String tenant;
        private final String writer;
        private final VectorStore view;
        private final int initialRecords;
        private final Random random;
        private final Filter own;
        /** Acknowledged: written and not deleted since. */
        private final Map<String, VectorRecord> present = new HashMap<>();
        /** Record ids by the write that created them, for deleteWhere. */
        private final Map<Long, Set<String>> groups = new LinkedHashMap<>();
        /** Records a failed upsert or bulk load named: written or not, to write again after recovery. */
        private final Map<String, VectorRecord> failedUpserts = new LinkedHashMap<>();
        private final Map<String, VectorRecord> failedBulkLoads = new LinkedHashMap<>();
        /** Ids a failed delete may or may not have deleted, and groups a failed deleteWhere may have. */
        private final Set<String> failedDeletes = new HashSet<>();
        private final Map<Long, Set<String>> failedGroupDeletes = new LinkedHashMap<>();
        private final Map<Kind, List<Long>> latencies = new EnumMap<>(Kind.class);
        private int nextId;
        private long nextGroup;
        /** Records and ids of failed calls sent again successfully. */
        private int retried;

        Worker(String tenant, String writer, VectorStore view, int initialRecords) {
            this.tenant = tenant;
            this.writer = writer;
            this.view = view;
            this.initialRecords = initialRecords;
            this.random = new Random(writer.hashCode());
            this.own = Filters.eq(WRITER, writer);
        }

        void load() {
            for (int done = 0; done < initialRecords; done += 5) {
                long group = nextGroup++;
                List<VectorRecord> batch = new ArrayList<>();
                for (int i = done; i < Math.min(done + 5, initialRecords); i++) {
                    batch.add(record(newId(), 0, group, false));
                }
                view.upsert(batch);
                acknowledge(batch);
            }
        }

        void run() {
            int step = 0;
            for (int op = 0; !stop && (operationsPerWorker == 0 || op < operationsPerWorker); op++) {
                Phase p = current;
                Kind kind = CYCLE[step++ % CYCLE.length];
                if (kind == Kind.RETRY_FAILED && uncertainCount() == 0) {
                    kind = CYCLE[step++ % CYCLE.length]; // nothing to send again: not an operation
                }
                if (kind == Kind.BULK_LOAD && !roomForNew()) {
                    kind = Kind.DELETE; // a long fault piled up records: make room
                }
                long t0 = System.nanoTime();
                try {
                    switch (kind) {
                        case SEARCH_OWN -> searchOwn(op);
                        case COUNT -> {
                            if (counts) {
                                count();
                            } else {
                                searchOwn(op);
                            }
                        }
                        case UPSERT -> upsert();
                        case DELETE -> delete();
                        case SEARCH_TENANT -> searchTenant(op);
                        case BULK_LOAD -> bulkLoad();
                        case DELETE_WHERE -> deleteWhere();
                        case RETRY_FAILED -> retryFailed();
                    }
                } catch (StoreException e) {
                    (kind.read() ? p.readsFailed : p.writesFailed).incrementAndGet();
                    failureTypes.computeIfAbsent(e.getClass().getSimpleName(), k -> new AtomicInteger())
                            .incrementAndGet();
                } catch (TenantIsolationException e) {
                    wrongTenantRows.incrementAndGet();
                    violations.add(writer + ": " + e.getMessage());
                } catch (RuntimeException e) {
                    violations.add(writer + ": untyped failure of " + kind + ": " + e);
                }
                latencies.computeIfAbsent(kind, k -> new ArrayList<>()).add(System.nanoTime() - t0);
                p.operations.incrementAndGet();
            }
        }

        private boolean uncertain(String id) {
            return failedUpserts.containsKey(id) || failedBulkLoads.containsKey(id) || failedDeletes.contains(id)
                    || failedGroupDeletes.values().stream().anyMatch(g -> g.contains(id));
        }

        /**
         * Whether the worker may create records: it keeps at most {@link #MAX_RECORDS_PER_WORKER} (written or unknown),
         * so that a search of its own records with k = {@value #ALL} returns every one of them.
         */
        private boolean roomForNew() {
            return present.size() + uncertainCount() < MAX_RECORDS_PER_WORKER;
        }

        private int uncertainCount() {
            return failedUpserts.size() + failedBulkLoads.size() + failedDeletes.size()
                    + failedGroupDeletes.values().stream().mapToInt(Set::size).sum();
        }

        private void searchOwn(int op) {
            List<SearchHit> hits = view.search(vector(writer + op), ALL, own);
            Map<String, Long> found = new HashMap<>();
            for (SearchHit hit : hits) {
                checkTenant(hit, "search of its own records");
                if (!writer.equals(stringOf(hit, WRITER))) {
                    violations.add(writer + ": its filtered search returned " + hit.id() + " of " + stringOf(hit, WRITER));
                }
                found.put(hit.id(), longOf(hit, REV));
            }
            compare(found, hits.size());
        }

        /** Every acknowledged record at its revision, nothing acknowledged as deleted. */
        private void compare(Map<String, Long> found, int answerSize) {
            for (VectorRecord r : present.values()) {
                Long rev = found.get(r.id());
                if (rev == null) {
                    shortAnswers.incrementAndGet();
                    violations.add(writer + ": an answer of " + answerSize + " lacks acknowledged " + r.id());
                } else if (rev < rev(r)) {
                    acknowledgedLost.incrementAndGet();
                    violations.add(writer + ": " + r.id() + " at rev " + rev + ", acknowledged " + rev(r));
                } else if (rev > rev(r)) {
                    violations.add(writer + ": " + r.id() + " at rev " + rev + ", never written (acknowledged " + rev(r) + ")");
                }
            }
            for (String id : found.keySet()) {
                if (!present.containsKey(id) && !uncertain(id)) {
                    acknowledgedLost.incrementAndGet(); // an acknowledged delete undone
                    violations.add(writer + ": " + id + " is back, acknowledged as deleted");
                }
            }
        }

        private void searchTenant(int op) {
            List<SearchHit> hits = view.search(vector(tenant + op), TENANT_TOP_K);
            hits.forEach(hit -> checkTenant(hit, "top-" + TENANT_TOP_K + " search of the tenant"));
            if (hits.size() < Math.min(TENANT_TOP_K, present.size())) {
                shortAnswers.incrementAndGet();
                violations.add(writer + ": a top-" + TENANT_TOP_K + " search of the tenant returned " + hits.size()
                        + " hits; this worker alone has " + present.size() + " records");
            }
        }

        private void checkTenant(SearchHit hit, String read) {
            if (!tenant.equals(stringOf(hit, tenantField))) {
                wrongTenantRows.incrementAndGet();
                violations.add(writer + ": its " + read + " returned " + hit.id() + " of " + stringOf(hit, tenantField));
            }
        }

        private void count() {
            long counted = view.count(own);
            int known = present.size();
            if (counted < known) {
                shortAnswers.incrementAndGet();
                violations.add(writer + ": count " + counted + ", acknowledged " + known);
            } else if (counted > known + uncertainCount()) {
                acknowledgedLost.incrementAndGet(); // an acknowledged delete undone
                violations.add(writer + ": count " + counted + ", acknowledged " + known + " and " + uncertainCount()
                        + " unknown");
            }
        }

        /** Two acknowledged records rewritten at their next revision, and one new record. */
        private void upsert() {
            List<VectorRecord> batch = new ArrayList<>();
            for (String id : pick(2)) {
                VectorRecord old = present.get(id);
                batch.add(record(id, rev(old) + 1, longOf(old.metadata(), GROUP), false));
            }
            if (roomForNew()) {
                batch.add(record(newId(), 0, nextGroup++, false));
            }
            if (batch.isEmpty()) {
                return;
            }
            try {
                view.upsert(batch);
                acknowledge(batch);
            } catch (StoreException e) {
                settle(batch, e, failedUpserts);
                throw e;
            }
        }

        private void bulkLoad() {
            if (bulkLoader.isEmpty()) {
                upsert();
                return;
            }
            long group = nextGroup++;
            List<VectorRecord> batch = List.of(record(newId(), 0, group, true), record(newId(), 0, group, true));
            try {
                bulkLoader.get().accept(batch);
                acknowledge(batch);
            } catch (StoreException e) {
                settle(batch, e, failedBulkLoads);
                throw e;
            }
        }

        /** The call's own account: the records it names may be missing, all others are written. */
        private void settle(List<VectorRecord> batch, StoreException e, Map<String, VectorRecord> failed) {
            Set<String> named = new HashSet<>(e.failedIds());
            List<VectorRecord> written = new ArrayList<>();
            for (VectorRecord r : batch) {
                if (named.contains(r.id())) {
                    failed.put(r.id(), r);
                    present.remove(r.id());
                } else {
                    written.add(r);
                }
            }
            acknowledge(written);
        }

        private void delete() {
            List<String> ids = pick(1);
            if (ids.isEmpty()) {
                return;
            }
            try {
                long deleted = view.delete(ids);
                if (deleted != 1) {
                    // a client that sent the request again after a dropped connection finds nothing the second time:
                    // the record is gone either way, which every later read checks
                    deleteCountsShort.incrementAndGet();
                }
                forget(ids);
            } catch (StoreException e) {
                if (!e.failedIds().containsAll(ids)) {
                    violations.add(writer + ": a failed delete of " + ids + " named " + e.failedIds() + " in failedIds()");
                }
                failedDeletes.addAll(ids);
                forget(ids);
                throw e;
            }
        }

        /** Deletes the oldest group whose records are all acknowledged and known. */
        private void deleteWhere() {
            Optional<Map.Entry<Long, Set<String>>> candidate = groups.entrySet().stream()
                    .filter(g -> !g.getValue().isEmpty() && g.getValue().stream().allMatch(present::containsKey))
                    .findFirst();
            if (candidate.isEmpty()) {
                return;
            }
            long group = candidate.get().getKey();
            Set<String> members = Set.copyOf(candidate.get().getValue());
            try {
                long deleted = view.deleteWhere(groupFilter(group));
                // more is no shortfall: the group may hold a record whose earlier delete failed (unknown, not a member)
                if (deleted < members.size()) {
                    deleteCountsShort.incrementAndGet();
                }
                forget(members);
            } catch (StoreException e) {
                failedGroupDeletes.put(group, members);
                forget(members);
                throw e;
            }
        }

        /**
         * Sends every failed call again, the same records and ids; what succeeds is known again. A call that fails
         * again throws and leaves its records unknown (in {@link #finish}, where the backend has recovered, that
         * fails the test).
         */
        void retryFailed() {
            if (!failedUpserts.isEmpty()) {
                List<VectorRecord> again = List.copyOf(failedUpserts.values());
                view.upsert(again);
                failedUpserts.clear();
                acknowledge(again);
                retried += again.size();
            }
            if (!failedBulkLoads.isEmpty()) {
                List<VectorRecord> again = List.copyOf(failedBulkLoads.values());
                bulkLoader.orElseThrow().accept(again);
                failedBulkLoads.clear();
                acknowledge(again);
                retried += again.size();
            }
            if (!failedDeletes.isEmpty()) {
                view.delete(List.copyOf(failedDeletes));
                retried += failedDeletes.size();
                failedDeletes.clear();
            }
            for (Long group : List.copyOf(failedGroupDeletes.keySet())) {
                view.deleteWhere(groupFilter(group));
                retried += failedGroupDeletes.remove(group).size();
            }
        }

        /**
         * After recovery and the retries: exactly the acknowledged records at their revisions, and none of this
         * worker's records under another tenant (read through the store itself, not the tenant view).
         */
        long verifyFinal() {
            Map<String, Long> found = new HashMap<>();
            for (SearchHit hit : store.search(vector(writer), ALL, own)) {
                checkTenant(hit, "final search across tenants");
                found.put(hit.id(), longOf(hit, REV));
            }
            compare(found, found.size());
            if (counts) {
                long counted = view.count(own);
                if (counted != present.size()) {
                    violations.add(writer + ": count " + counted + " after recovery, acknowledged " + present.size());
                }
            }
            return found.size();
        }

        /** This worker's records created by one write. */
        private Filter groupFilter(long group) {
            return Filters.and(own, Filters.eq(GROUP, group));
        }

        /** Up to n acknowledged records whose state is known. */
        private List<String> pick(int n) {
            List<String> known = present.keySet().stream().sorted().toList();
            List<String> chosen = new ArrayList<>();
            while (chosen.size() < Math.min(n, known.size())) {
                String id = known.get(random.nextInt(known.size()));
                if (!chosen.contains(id)) {
                    chosen.add(id);
                }
            }
            return chosen;
        }

        private void acknowledge(List<VectorRecord> written) {
            for (VectorRecord r : written) {
                present.put(r.id(), r);
                groups.computeIfAbsent(longOf(r.metadata(), GROUP), g -> new HashSet<>()).add(r.id());
            }
        }

        private void forget(Collection<String> ids) {
            for (String id : ids) {
                VectorRecord r = present.remove(id);
                if (r != null) {
                    groups.getOrDefault(longOf(r.metadata(), GROUP), new HashSet<>()).remove(id);
                }
            }
            groups.values().removeIf(Set::isEmpty);
        }

        private String newId() {
            return writer + "-" + nextId++;
        }

        private VectorRecord record(String id, long rev, long group, boolean stamped) {
            Metadata metadata = stamped
                    ? Metadata.of(tenantField, tenant, WRITER, writer, REV, rev, GROUP, group)
                    : Metadata.of(WRITER, writer, REV, rev, GROUP, group);
            return new VectorRecord(id, vector(id), "text of " + id, metadata);
        }

        private float[] vector(String seed) {
            Random r = new Random(seed.hashCode());
            float[] v = new float[store.dimension()];
            for (int i = 0; i < v.length; i++) {
                v[i] = r.nextFloat() - 0.5f;
            }
            return v;
        }
    }

    private static long rev(VectorRecord r) {
        return longOf(r.metadata(), REV);
    }

    private static long longOf(SearchHit hit, String field) {
        return longOf(hit.metadata(), field);
    }

    private static long longOf(Metadata metadata, String field) {
        return ((Number) metadata.get(field).orElseThrow().toJava()).longValue();
    }

    private static String stringOf(SearchHit hit, String field) {
        return hit.metadata().get(field).map(v -> String.valueOf(v.toJava())).orElse(null);
    }
}
