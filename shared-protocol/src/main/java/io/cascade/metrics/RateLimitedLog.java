package io.cascade.metrics;

import org.slf4j.Logger;

/**
 * A warning that can fire on every frame of a broken stream, logged at most once per period with the number of
 * repeats it stands for. Thread-safe enough for logging: a race costs at most one extra line.
 */
public final class RateLimitedLog {
    /** One line per publisher per period is enough to diagnose; more would flood the log. */
    public static final long DEFAULT_PERIOD_NANOS = 10_000_000_000L;

    private final Logger log;
    private final long periodNanos;
    private volatile long nextNanos = Long.MIN_VALUE;
    private volatile long suppressed;

    public RateLimitedLog(Logger log) {
        this(log, DEFAULT_PERIOD_NANOS);
    }

    public RateLimitedLog(Logger log, long periodNanos) {
        this.log = log;
        this.periodNanos = periodNanos;
    }

    public void warn(String format, Object... args) {
        log(true, format, args);
    }

    /** The same at INFO: for what a client can make happen at will (refused requests), not for damage. */
    public void info(String format, Object... args) {
        log(false, format, args);
    }

    private void log(boolean warn, String format, Object... args) {
        long now = System.nanoTime();
        if (nextNanos != Long.MIN_VALUE && now - nextNanos < 0) {
            suppressed++;
            return;
        }
        nextNanos = now + periodNanos;
        long skipped = suppressed;
        suppressed = 0;
        String line = skipped > 0 ? format + " (and " + skipped + " more like it)" : format;
        if (warn) {
            log.warn(line, args);
        } else {
            log.info(line, args);
        }
    }
}
