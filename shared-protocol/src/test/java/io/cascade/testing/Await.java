package io.cascade.testing;

import java.time.Duration;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Waiting for an outcome of a real process, node or file: the test goes on as soon as it is there and fails with
 * what it waited for (and what it saw last) when the limit passes. A fixed sleep instead would be too short on a
 * loaded machine and needlessly long everywhere else.
 */
public final class Await {
    private static final long FIRST_PAUSE_MS = 10;
    private static final long LONGEST_PAUSE_MS = 200;

    private Await() {
    }

    /** A check that may do I/O: an HTTP request, a file read, a scrape. */
    @FunctionalInterface
    public interface Condition {
        boolean holds() throws Exception;
    }

    /** Something looked at again and again until it is what the test waits for. */
    @FunctionalInterface
    public interface Probe<T> {
        T look() throws Exception;
    }

    /**
     * Returns once the condition holds; fails with {@code what} when it did not within the limit. An exception from
     * the condition fails at once: it is how a condition says the outcome can no longer come (a client that exited).
     */
    public static void until(String what, Duration limit, Condition condition) throws Exception {
        until(() -> what, limit, condition);
    }

    /** As {@link #until(String, Duration, Condition)}, with {@code what} made when it fails: a client's last words. */
    public static void until(Supplier<String> what, Duration limit, Condition condition) throws Exception {
        until(limit, condition::holds, Boolean::booleanValue, notHolding -> what.get());
    }

    /** Looks until {@code done} accepts what the probe saw and returns that; fails with it and {@code what}. */
    public static <T> T until(String what, Duration limit, Probe<T> probe, Predicate<? super T> done)
            throws Exception {
        return until(limit, probe, done, last -> what + "; last seen:\n" + last);
    }

    /**
     * Looks until {@code done} accepts what the probe saw and returns that. When the limit passes, fails with what
     * {@code failure} makes of the last thing seen. The probe runs at least once, and once more at the limit.
     */
    public static <T> T until(Duration limit, Probe<T> probe, Predicate<? super T> done,
                              Function<? super T, String> failure) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        long pauseMs = FIRST_PAUSE_MS;
        while (true) {
            boolean atLimit = System.nanoTime() - deadline >= 0;
            T seen = probe.look();
            if (done.test(seen)) {
                return seen;
            }
            if (atLimit) {
                throw new AssertionError("not within " + limit.toMillis() + " ms: " + failure.apply(seen));
            }
            long leftMs = Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
            // the poll interval: short for an outcome that comes at once, longer so a slow one is not polled hard
            Thread.sleep(Math.min(pauseMs, leftMs));
            pauseMs = Math.min(LONGEST_PAUSE_MS, pauseMs * 2);
        }
    }
}
