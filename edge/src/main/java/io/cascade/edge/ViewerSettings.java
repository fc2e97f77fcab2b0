package io.cascade.edge;

import io.cascade.edge.rtmp.RtmpPlayback;
import io.cascade.rtmp.RtmpServer;
import io.cascade.settings.Setting;

import java.util.List;

/**
 * The viewer policy of this node, the same for every viewer protocol: how much may queue for one viewer, how long
 * it may stay behind, how long a play waits for its stream, how writes are gathered. The {@code rtmp.*} keys these
 * replace stay accepted as deprecated aliases.
 */
public final class ViewerSettings {
    /** A smaller queue would count a viewer as behind at every keyframe of even a small stream. */
    public static final int MIN_QUEUE_BYTES = 64 << 10;
    /**
     * Queued buffers are shared with every viewer of the stream, so a full queue pins them: past this, a few
     * stalled viewers could hold much of the heap.
     */
    public static final int MAX_QUEUE_BYTES = 256 << 20;
    public static final Setting<Integer> QUEUE_BYTES = Setting.integer("viewer.queue.bytes",
            RtmpServer.DEFAULT_WRITE_QUEUE_BYTES, MIN_QUEUE_BYTES, MAX_QUEUE_BYTES,
            "bytes queued for one viewer before it counts as behind and skips to the next keyframe")
            .withAliases("rtmp.viewer.queue.bytes");

    /** Shorter than a second disconnects viewers over an ordinary network hiccup. */
    public static final long MIN_MAX_BEHIND_MS = 1_000;
    /** A viewer behind for ten minutes is not watching live any more; its socket and queue serve no one. */
    public static final long MAX_MAX_BEHIND_MS = 600_000;
    public static final Setting<Long> MAX_BEHIND_MS = Setting.longInteger("viewer.max.behind.ms",
            RtmpPlayback.DEFAULT_MAX_BEHIND_MS, MIN_MAX_BEHIND_MS, MAX_MAX_BEHIND_MS,
            "a viewer behind for this long is disconnected")
            .withAliases("rtmp.viewer.max.behind.ms");

    /** Each waiting play holds a connection; ten minutes is longer than any encoder takes to connect. */
    public static final long MAX_PLAY_WAIT_MS = 600_000;
    public static final Setting<Long> PLAY_WAIT_MS = Setting.longInteger("viewer.play.wait.ms",
            RtmpPlayback.DEFAULT_PLAY_WAIT_MS, 0, MAX_PLAY_WAIT_MS,
            "how long a play of a name nobody publishes waits before it is refused as not found; `0`: at once")
            .withAliases("rtmp.play.wait.ms");

    /** Past a second of gathering, every frame arrives that much late: the stream is no longer live. */
    public static final long MAX_FLUSH_INTERVAL_MS = 1_000;
    public static final Setting<Long> FLUSH_INTERVAL_MS = Setting.longInteger("viewer.flush.interval.ms",
            RtmpPlayback.DEFAULT_FLUSH_INTERVAL_MS, 0, MAX_FLUSH_INTERVAL_MS,
            "`0`: viewers are flushed at the end of each event-loop turn (no added latency); a positive value gathers"
                    + " that many ms of frames into one write per viewer (fewer system calls, that much latency)")
            .withAliases("rtmp.flush.interval.ms");

    /** The kernel caps send buffers at net.core.wmem_max anyway; more than this is a typo, not a tuning. */
    public static final int MAX_SOCKET_SEND_BYTES = 64 << 20;
    public static final Setting<Integer> SOCKET_SEND_BYTES = Setting.integer("viewer.socket.send.bytes", 0, 0,
            MAX_SOCKET_SEND_BYTES,
            "fixed kernel send buffer per viewer socket; `0` keeps the kernel's autotuning")
            .withAliases("rtmp.socket.send.bytes");

    public static final List<Setting<?>> ALL = List.of(PLAY_WAIT_MS, QUEUE_BYTES, MAX_BEHIND_MS, SOCKET_SEND_BYTES,
            FLUSH_INTERVAL_MS);

    private ViewerSettings() {
    }
}
