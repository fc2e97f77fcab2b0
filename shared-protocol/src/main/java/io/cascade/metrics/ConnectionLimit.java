package io.cascade.metrics;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * How many connections one listener holds at most, shared by every server instance (event loop) on it. A connection
 * past the bound is refused at once: counted in its protocol's {@code connectionsOverLimit}, logged at most every 10 s.
 * Thread-safe.
 */
public final class ConnectionLimit {
    private static final Logger log = LoggerFactory.getLogger(ConnectionLimit.class);

    private final String setting;
    private final int max;
    private final NodeCounters.ProtocolCounters counters;
    private final AtomicInteger open = new AtomicInteger();
    private final RateLimitedLog full = new RateLimitedLog(log);

    /**
     * @param setting  the setting that gave {@code max}, named in the log line
     * @param counters the protocol's counters, where refusals are counted
     */
    public ConnectionLimit(String setting, int max, NodeCounters.ProtocolCounters counters) {
        if (max < 1) {
            throw new IllegalArgumentException(setting + ": a listener holds at least one connection: " + max);
        }
        this.setting = setting;
        this.max = max;
        this.counters = counters;
    }

    /** Takes a place for a new connection from {@code peer}; false (counted and logged) when every place is taken. */
    public boolean tryOpen(String listener, Object peer) {
        if (open.incrementAndGet() > max) {
            open.decrementAndGet();
            counters.connectionsOverLimit.increment();
            full.warn("{}: {} connections already ({}), {} closed", listener, max, setting, peer);
            return false;
        }
        return true;
    }

    /** Gives back the place of a connection {@link #tryOpen} let in. */
    public void closed() {
        open.decrementAndGet();
    }
}
