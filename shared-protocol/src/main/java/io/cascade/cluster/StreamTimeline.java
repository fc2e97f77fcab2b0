package io.cascade.cluster;

/**
 * Where a stream's segment numbering stands, kept in the cluster between publishes so that a republish, on any
 * node, continues it instead of starting over at zero (players would otherwise see old segment names again).
 *
 * @param nextSegment the number the next segment of the stream gets
 * @param publishes   how many publishes of the stream there have been (each one starts a discontinuity)
 * @param clockAnchorMillis the wall clock (epoch ms) at media time 0 of the stream, set by its first publish; every
 *                    later publish places its frames on the same clock, so media time keeps growing across
 *                    publishes and always maps to the wall clock the same way (0: not published yet)
 */
public record StreamTimeline(long nextSegment, long publishes, long clockAnchorMillis) {
    /** A stream never published before. */
    public static final StreamTimeline NEW = new StreamTimeline(0, 0, 0);
}
