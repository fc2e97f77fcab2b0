package io.cascade.edge.rtmp;

import io.cascade.cluster.IngestPointStore;
import io.cascade.edge.StreamHub;
import io.cascade.edge.StreamHubs;
import io.cascade.metrics.NodeCounters;
import io.cascade.protocol.rtmp.session.PlayRequest;
import io.cascade.rtmp.RtmpConnection;
import io.cascade.rtmp.RtmpPlayHandler;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The edge role's side of an RTMP play: attaches the viewer to the stream's hub on this node. A name that is not
 * live yet is waited for, up to the play wait, then answered with StreamNotFound.
 *
 * <p>With ingest points required, a play of an ingest point's private name is answered StreamNotFound at once:
 * no hub, no per-stream metric series and no log line at INFO ever carries the private name.
 */
public final class RtmpPlayback implements RtmpPlayHandler {
    private static final Logger log = LoggerFactory.getLogger(RtmpPlayback.class);
    /** Long enough for an encoder that connects a moment after its viewers, short enough to fail a typo quickly. */
    public static final long DEFAULT_PLAY_WAIT_MS = 10_000;

    private final Vertx vertx;
    private final StreamHubs hubs;
    private final NodeCounters counters;
    /** A viewer whose queue stays full this long cannot keep up with the stream at all (TESTING.md). */
    public static final long DEFAULT_MAX_BEHIND_MS = 10_000;

    /**
     * 0: viewers are flushed at the end of each event-loop turn, adding no latency. A positive interval (ms)
     * gathers the frames of that window into one write per viewer: fewer system calls for that much latency.
     */
    public static final long DEFAULT_FLUSH_INTERVAL_MS = 0;

    private final long playWaitMs;
    private final long maxBehindMs;
    private final long flushIntervalMs;

    private final IngestPointStore ingestPoints;

    /** @param ingestPoints when not null, plays of ingest points' private names are refused at once */
    public RtmpPlayback(Vertx vertx, StreamHubs hubs, NodeCounters counters, long playWaitMs, long maxBehindMs,
                        long flushIntervalMs, IngestPointStore ingestPoints) {
        this.ingestPoints = ingestPoints;
        this.vertx = vertx;
        this.hubs = hubs;
        this.counters = counters;
        this.playWaitMs = playWaitMs;
        this.maxBehindMs = maxBehindMs;
        this.flushIntervalMs = flushIntervalMs;
    }

    @Override
    public void play(RtmpConnection c, PlayRequest r) {
        if (ingestPoints == null) {
            attach(c, r);
            return;
        }
        ingestPoints.resolve(r.name()).onComplete(resolved -> c.context().runOnContext(v -> {
            if (c.isClosed()) {
                return;
            }
            if (resolved.succeeded() && resolved.result() != null) {
                counters.playRefusedNotFound.increment();
                log.info("play refused by {}: the name is an ingest point's private name", c.peer());
                c.session().playNotFound(r.streamId(), r.name());
            } else {
                attach(c, r); // a store that does not answer must not stop viewers of public names
            }
        }));
    }

    private void attach(RtmpConnection c, PlayRequest r) {
        StreamHub hub = hubs.acquire(r.name(), c.context());
        if (hub == null) {
            counters.playRefusedNotFound.increment();
            c.session().playNotFound(r.streamId(), r.name());
            return;
        }
        hub.context().runOnContext(v -> {
            RtmpFanout fanout = hub.sink(RtmpFanout.class, () -> new RtmpFanout(vertx, hub, playWaitMs, flushIntervalMs));
            RtmpViewer viewer = new RtmpViewer(c, r, hub, hubs, fanout, counters, maxBehindMs);
            c.context().runOnContext(w -> c.bind(r.streamId(), viewer));
            fanout.add(viewer);
        });
    }
}
