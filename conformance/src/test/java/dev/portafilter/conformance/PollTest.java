package dev.portafilter.conformance;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

class PollTest {
    @Test
    void returnsAsSoonAsTheConditionHolds() {
        AtomicInteger checks = new AtomicInteger();
        assertThat(Poll.until(Duration.ofMinutes(1), () -> checks.incrementAndGet() == 3)).isTrue();
        assertThat(checks).hasValue(3);
    }

    @Test
    void givesUpAtTheDeadlineAfterCheckingAgain() {
        AtomicInteger checks = new AtomicInteger();
        long start = System.nanoTime();
        assertThat(Poll.until(Duration.ofMillis(50), () -> checks.incrementAndGet() < 0)).isFalse();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(50));
        assertThat(checks.get()).isGreaterThan(1);
    }

    @Test
    void aZeroTimeoutChecksOnce() {
        AtomicInteger checks = new AtomicInteger();
        assertThat(Poll.until(Duration.ZERO, () -> checks.incrementAndGet() < 0)).isFalse();
        assertThat(checks).hasValue(1);
    }
}
