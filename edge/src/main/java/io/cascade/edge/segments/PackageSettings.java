package io.cascade.edge.segments;

import io.cascade.protocol.hls.HlsPlaylist;

import java.util.concurrent.atomic.AtomicLong;

/**
 * How a node packages streams for HLS and DASH.
 *
 * @param windowSegments  segments a live playlist lists (hls.playlist.length)
 * @param type            LIVE (rolling window) or EVENT (grows, for DVR, up to {@code dvrSegments})
 * @param dvrSegments     segments an EVENT playlist keeps at most
 * @param maxStreamBytes  frame bytes one stream's listed segments may hold; the oldest go first
 * @param maxNodePackagedBytes packaged output (CMAF, TS) the node keeps in memory over all streams; past it,
 *                        outputs are built for each request instead of kept
 * @param packagedBytes   what is kept now, node-wide
 * @param keys            AES-128 keys for encrypted HLS
 */
public record PackageSettings(int windowSegments, HlsPlaylist.Type type, int dvrSegments, long maxStreamBytes,
                              long maxNodePackagedBytes, AtomicLong packagedBytes, SegmentKeys keys) {
    /** An EVENT playlist of 2 s segments covers an hour. */
    public static final int DEFAULT_DVR_SEGMENTS = 1800;
    /** About 45 s at 6 Mbit/s: a live window and then some. */
    public static final long DEFAULT_MAX_STREAM_BYTES = 32L << 20;
    public static final long DEFAULT_MAX_NODE_PACKAGED_BYTES = 512L << 20;

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
