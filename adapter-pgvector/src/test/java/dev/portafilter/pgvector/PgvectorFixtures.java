package dev.portafilter.pgvector;

import dev.portafilter.conformance.StoreFixture;

/**
 * Scratch pgvector stores for the tests of other modules (this module publishes its test classes as a test-jar):
 * every {@code newStore} is a new table in the scratch schema, dropped by {@code dispose}. The server is found as
 * for this module's own tests: {@code PORTAFILTER_PGVECTOR_URL}, else a Testcontainers container where Docker is
 * available, else {@code .backends/pgvector.env} from {@code scripts/postgres.sh start}; without one, {@code newStore}
 * fails with {@code CI=true} and skips the test, saying why, elsewhere.
 */
public final class PgvectorFixtures {
    private PgvectorFixtures() {
    }

    public static StoreFixture scratch() {
        return PgvectorFixture.INSTANCE;
    }
}
