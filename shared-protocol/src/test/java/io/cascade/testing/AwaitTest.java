package io.cascade.testing;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The polling helper the interop tests wait with: it goes on at the outcome and fails at the limit, not later. */
class AwaitTest {
    @Test
    void returnsTheFirstValueThatIsTheOutcomeWithoutWaitingForTheLimit() throws Exception {
        AtomicInteger looks = new AtomicInteger();
        long t0 = System.nanoTime();
        int seen = Await.until("the third look", Duration.ofSeconds(30), looks::incrementAndGet, n -> n >= 3);
        assertEquals(3, seen);
        assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(5), "returned once the outcome was there");
    }

    @Test
    void failsAtTheLimitWithWhatItWaitedForAndTheLastThingSeen() {
        AtomicInteger looks = new AtomicInteger();
        long t0 = System.nanoTime();
        AssertionError e = assertThrows(AssertionError.class, () -> Await.until("a negative number",
                Duration.ofMillis(300), looks::incrementAndGet, n -> n < 0));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(ms >= 300 && ms < 3_000, "failed after " + ms + " ms");
        assertTrue(e.getMessage().contains("a negative number") && e.getMessage().endsWith("\n" + looks.get()),
                e.getMessage());
        assertTrue(looks.get() > 2, "looked again and again, " + looks.get() + " times");
    }

    @Test
    void anExceptionFromTheConditionEndsTheWaitAtOnce() {
        IllegalStateException gone = new IllegalStateException("the client exited");
        long t0 = System.nanoTime();
        IllegalStateException thrown = assertThrows(IllegalStateException.class,
                () -> Await.until("never", Duration.ofSeconds(30), () -> {
                    throw gone;
                }));
        assertSame(gone, thrown);
        assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(5));
    }
}
