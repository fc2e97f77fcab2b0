package io.cascade.edge.fanout;

/**
 * How this node treats viewers, the same for every protocol.
 *
 * @param playWaitMs      how long a play of a name nobody publishes waits before not found
 * @param maxBehindMs     a viewer whose queue stays full this long is disconnected
 * @param flushIntervalMs 0: viewers are flushed at the end of each event-loop turn; more: at most once per interval
 */
public record ViewerPolicy(long playWaitMs, long maxBehindMs, long flushIntervalMs) {
    /** Long enough for an encoder that connects a moment after its viewers, short enough to fail a typo quickly. */
    public static final long DEFAULT_PLAY_WAIT_MS = 10_000;
    /** A viewer whose queue stays full this long cannot keep up with the stream at all. */
    public static final long DEFAULT_MAX_BEHIND_MS = 10_000;
    /**
     * 0: viewers are flushed at the end of each event-loop turn, adding no latency. A positive interval (ms)
     * gathers the frames of that window into one write per viewer: fewer system calls for that much latency.
     */
    public static final long DEFAULT_FLUSH_INTERVAL_MS = 0;

    public static final ViewerPolicy DEFAULT = new ViewerPolicy(DEFAULT_PLAY_WAIT_MS, DEFAULT_MAX_BEHIND_MS,
            DEFAULT_FLUSH_INTERVAL_MS);
}
