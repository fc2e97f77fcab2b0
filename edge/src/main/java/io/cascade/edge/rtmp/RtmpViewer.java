package io.cascade.edge.rtmp;

import io.cascade.edge.StreamHub;
import io.cascade.edge.StreamHubs;
import io.cascade.metrics.NodeCounters;
import io.cascade.protocol.rtmp.session.PlayRequest;
import io.cascade.rtmp.RtmpConnection;
import io.cascade.rtmp.StreamBinding;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * One RTMP client playing one stream. Its outbound queue is bounded by the socket's write-queue limit: when it
 * is full the viewer skips frames until the queue drains and a keyframe comes, and a viewer that stays full for
 * the configured time is disconnected. Runs on its connection's event loop.
 */
final class RtmpViewer implements StreamBinding {
    private static final Logger log = LoggerFactory.getLogger(RtmpViewer.class);

    private final RtmpConnection connection;
    private final PlayRequest request;
    private final StreamHub hub;
    private final StreamHubs hubs;
    private final RtmpFanout fanout;
    private final NodeCounters counters;
    private final long maxBehindNanos;
    private FramesToRtmp ownEncoder;
    private boolean playing;
    private boolean waitingForKeyframe = true;
    private boolean closed;
    private long behindSince;
    private long framesSent;
    private long framesDropped;

    RtmpViewer(RtmpConnection connection, PlayRequest request, StreamHub hub, StreamHubs hubs, RtmpFanout fanout,
               NodeCounters counters, long maxBehindMs) {
        this.connection = connection;
        this.request = request;
        this.hub = hub;
        this.hubs = hubs;
        this.fanout = fanout;
        this.counters = counters;
        this.maxBehindNanos = maxBehindMs * 1_000_000;
    }

    Context context() {
        return connection.context();
    }

    /** Runs the action on this viewer's event loop, in order with everything else posted to it. */
    void post(Runnable action) {
        if (Vertx.currentContext() == connection.context()) {
            action.run();
        } else {
            connection.context().runOnContext(v -> action.run());
        }
    }

    void begin(List<RtmpPacket> snapshot) {
        if (closed) {
            return;
        }
        connection.session().startPlay(request.streamId(), request.name(), request.reset());
        playing = true;
        counters.rtmpViewers.increment();
        log.info("play started: {} by {} ({} frames from the GOP cache)", request.name(), connection.peer(),
                snapshot.size());
        for (RtmpPacket p : snapshot) {
            deliver(p);
        }
        connection.flush();
    }

    void deliver(RtmpPacket p) {
        if (!playing || closed) {
            return;
        }
        if (!p.essential()) {
            if (connection.writeQueueFull()) {
                fallBehind();
                return;
            }
            behindSince = 0;
            if (waitingForKeyframe) {
                if (!p.randomAccess()) {
                    return;
                }
                waitingForKeyframe = false;
            }
        }
        framesSent++;
        connection.queueMedia(bytesFor(p));
    }

    /** Sends what {@link #deliver} queued; the fan-out calls it once per flush interval. */
    void flush() {
        connection.flush();
    }

    private void fallBehind() {
        framesDropped++;
        counters.framesDroppedSlowViewer.increment();
        waitingForKeyframe = true;
        long now = System.nanoTime();
        if (behindSince == 0) {
            behindSince = now;
        } else if (now - behindSince > maxBehindNanos) {
            counters.viewersDisconnectedSlow.increment();
            log.info("{}: disconnecting viewer of {}: behind for over {} s ({} frames dropped)", connection.peer(),
                    request.name(), maxBehindNanos / 1_000_000_000.0, framesDropped);
            stopPlaying();
            connection.abort();
        }
    }

    private ByteBuf bytesFor(RtmpPacket p) {
        if (request.streamId() == RtmpPacket.SHARED_STREAM_ID) {
            return p.shared();
        }
        // a client that plays on another NetStream id gets its own encoding: rare, and correct
        if (ownEncoder == null) {
            ownEncoder = new FramesToRtmp();
        }
        return Unpooled.wrappedBuffer(ownEncoder.encode(p.frame(), request.streamId(), p.timestamp()));
    }

    void notFound() {
        if (!closed) {
            counters.playRefusedNotFound.increment();
            log.info("play refused: {} by {}: not published", request.name(), connection.peer());
            connection.session().playNotFound(request.streamId(), request.name());
        }
    }

    void unpublished() {
        if (!closed) {
            waitingForKeyframe = true;
            connection.session().unpublishNotify(request.streamId(), request.name());
        }
    }

    void republished() {
        if (!closed) {
            connection.session().publishNotify(request.streamId(), request.name());
        }
    }

    private void stopPlaying() {
        if (playing) {
            playing = false;
            counters.rtmpViewers.decrement();
        }
    }

    @Override
    public void onClosed() {
        closed = true;
        boolean wasPlaying = playing;
        stopPlaying();
        hub.context().runOnContext(v -> fanout.remove(this));
        hubs.release(hub);
        if (wasPlaying) {
            log.info("play stopped: {} by {} ({} frames sent, {} dropped)", request.name(), connection.peer(),
                    framesSent, framesDropped);
        }
    }
}
