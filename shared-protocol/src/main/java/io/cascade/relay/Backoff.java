package io.cascade.relay;

/**
 * The waits between a relay's attempts: {@link #FIRST_MS}, doubling up to {@link #MAX_MS}; back to the first once a
 * connection lasted {@link #HEALTHY_MS}, so a relay that ran for hours reconnects at once after one drop.
 */
public final class Backoff {
    public static final long FIRST_MS = 1_000;
    /** What EMS waits at most between keepAlive attempts. */
    public static final long MAX_MS = 30_000;
    public static final long HEALTHY_MS = 30_000;

    private long next = FIRST_MS;

    /** The wait before the next attempt, after a connection that lasted {@code lastedMs}. */
    public long after(long lastedMs) {
        if (lastedMs >= HEALTHY_MS) {
            next = FIRST_MS;
        }
        long wait = next;
        next = Math.min(MAX_MS, next * 2);
        return wait;
    }
}
