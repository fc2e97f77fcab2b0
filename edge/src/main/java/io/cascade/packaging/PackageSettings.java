package io.cascade.packaging;

import io.cascade.media.MemoryBudget;
import io.cascade.protocol.hls.HlsPlaylist;
import io.cascade.settings.Setting;

/**
 * How a node packages streams for HLS and DASH.
 *
 * @param windowSegments  segments a live playlist lists (hls.playlist.length)
 * @param type            LIVE (rolling window) or EVENT (grows, for DVR, up to {@code dvrSegments})
 * @param dvrSegments     segments an EVENT playlist keeps at most
 * @param maxStreamBytes  frame bytes one stream's listed segments may hold; the oldest go first
 * @param maxNodePackagedBytes packaged output (CMAF, TS) the node keeps in memory over all streams; past it,
 *                        outputs are built for each request instead of kept
 * @param memory          the node's budget: windows and packaged output count in it, and shrink while it is over
 * @param keys            AES-128 keys for encrypted HLS
 */
public record PackageSettings(int windowSegments, HlsPlaylist.Type type, int dvrSegments, long maxStreamBytes,
                              long maxNodePackagedBytes, MemoryBudget memory, SegmentKeys keys) {
    /** An EVENT playlist of 2 s segments covers an hour. */
    public static final int DEFAULT_DVR_SEGMENTS = 1800;
    /** About 45 s at 6 Mbit/s: a live window and then some. */
    public static final long DEFAULT_MAX_STREAM_BYTES = 32L << 20;
    public static final long DEFAULT_MAX_NODE_PACKAGED_BYTES = 512L << 20;

    public static final Setting<HlsPlaylist.Type> PLAYLIST_TYPE = Setting.of("hls.playlist.type", "live",
            "live or event", text -> switch (text) {
                case "live" -> HlsPlaylist.Type.LIVE;
                case "event" -> HlsPlaylist.Type.EVENT;
                default -> throw new IllegalArgumentException("live or event");
            }, "`live` (rolling window) or `event` (the playlist grows, for DVR, up to `hls.dvr.segments`)");
    /** An event playlist keeps at least the segment being written about. */
    public static final int MIN_DVR_SEGMENTS = 1;
    /** 55 hours of 2 s segments; an event playlist is rewritten whole at every segment, so it must stay bounded. */
    public static final int MAX_DVR_SEGMENTS = 100_000;
    public static final Setting<Integer> DVR_SEGMENTS = Setting.integer("hls.dvr.segments", DEFAULT_DVR_SEGMENTS,
            MIN_DVR_SEGMENTS, MAX_DVR_SEGMENTS, "segments an `event` playlist keeps at most (an hour of 2 s segments)");
    /** Less than one segment of an ordinary stream, and the window could list nothing. */
    public static final long MIN_MAX_STREAM_BYTES = 1L << 20;
    /** One stream's window in memory on each edge: past 1 GiB it crowds out every other stream. */
    public static final long MAX_MAX_STREAM_BYTES = 1L << 30;
    public static final Setting<Long> MAX_STREAM_BYTES = Setting.longInteger("hls.stream.max.bytes",
            DEFAULT_MAX_STREAM_BYTES, MIN_MAX_STREAM_BYTES, MAX_MAX_STREAM_BYTES,
            "frame bytes one stream's listed segments may hold on an edge; the oldest go first");
    /** Larger than any heap we run: a bigger value means no bound at all, which is not what anyone wants. */
    public static final long MAX_MAX_NODE_PACKAGED_BYTES = 64L << 30;
    public static final Setting<Long> MAX_NODE_PACKAGED_BYTES = Setting.longInteger("hls.node.max.bytes",
            DEFAULT_MAX_NODE_PACKAGED_BYTES, 0, MAX_MAX_NODE_PACKAGED_BYTES,
            "packaged segment bytes (CMAF, TS) an edge keeps in memory over all streams; past it, segments are"
                    + " packaged per request; `0`: always per request");

    public PackageSettings {
        if (windowSegments < 1 || dvrSegments < 1 || maxStreamBytes < 1) {
            throw new IllegalArgumentException("segment window, DVR length and stream budget must be positive");
        }
    }

    /** How many segments a stream's window holds. */
    public int capacity() {
        return type == HlsPlaylist.Type.EVENT ? dvrSegments : windowSegments;
    }
}
