package io.cascade.edge.fanout;

import io.cascade.edge.StreamHub;
import io.cascade.edge.StreamHubs;
import io.cascade.metrics.NodeCounters;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * One client playing one stream, whatever its protocol: the viewer policy every protocol shares. Its queue is the
 * connection's outbound queue, bounded by the protocol; when it is full the viewer skips frames until it drains
 * and a random-access frame comes (config and metadata are never skipped), and a viewer that stays full for the
 * policy's time is disconnected. Every dropped frame is counted. Runs on its connection's event loop.
 */
public final class Viewer {
    private static final Logger log = LoggerFactory.getLogger(Viewer.class);

    private final ViewerOutput output;
    private final String stream;
    private final String protocol;
    private final NodeCounters counters;
    private final NodeCounters.ProtocolCounters protocolCounters;
    private final long maxBehindNanos;
    /** Taken at construction, on the output's event loop: listing viewers reads it from any thread. */
    private final String peer;
    private final long startedAtMillis = System.currentTimeMillis();
    /** Set once the viewer joined its stream's hub, past authorisation and the private-name check. */
    private volatile boolean joined;
    /** Encoded frame bytes handed to the connection; written on its event loop only, read from any thread. */
    private volatile long bytesOut;
    /** The fan-out's index of this viewer's encoding; set on the hub before the first frame reaches it. */
    volatile int encoding;
    private StreamHub hub;
    private StreamHubs hubs;
    private volatile boolean playing;
    private boolean waitingForRandomAccess = true;
    private boolean closed;
    private Runnable whenClosed = () -> { };
    private long behindSince;
    private long framesSent;
    private long framesDropped;

    Viewer(ViewerOutput output, String stream, String protocol, NodeCounters counters, long maxBehindMs) {
        this.output = output;
        this.stream = stream;
        this.protocol = protocol;
        this.counters = counters;
        this.protocolCounters = counters.protocol(protocol);
        this.maxBehindNanos = maxBehindMs * 1_000_000;
        this.peer = output.peer();
    }

    /** What the API lists of a viewer ({@code listConnections}); read from any thread. */
    public record Info(String stream, String protocol, String peer, long startedAtMillis, long bytesOut,
                       boolean playing) {
    }

    /** This viewer as the API lists it, or null while it has not joined its stream (authorisation, name checks). */
    public Info info() {
        return joined ? new Info(stream, protocol, peer, startedAtMillis, bytesOut, playing) : null;
    }

    io.vertx.core.Context context() {
        return output.context();
    }

    ViewerOutput output() {
        return output;
    }

    /** Runs {@code action} once this viewer closes (after its first close only). */
    void whenClosed(Runnable action) {
        this.whenClosed = action;
    }

    /** Runs the action on this viewer's event loop, in order with everything else posted to it. */
    void post(Runnable action) {
        if (Vertx.currentContext() == output.context()) {
            action.run();
        } else {
            output.context().runOnContext(v -> action.run());
        }
    }

    /**
     * A JSON message from this viewer's client, for everyone who follows the stream's data channel: handed to the
     * stream's ingesting node through the hub ({@link StreamHub#sendData}). Fails when the viewer has no hub (yet, or
     * any more) or the stream does not take it. Called on the viewer's event loop.
     */
    public Future<Void> sendToStream(String json) {
        StreamHub h = hub;
        if (h == null || closed) {
            return Future.failedFuture(new ReplyException(ReplyFailure.RECIPIENT_FAILURE, 409,
                    "not playing " + stream));
        }
        return h.sendData(json);
    }

    /** The hub this viewer holds a reference on; released when the viewer closes. */
    boolean attached(StreamHub hub, StreamHubs hubs) {
        this.hub = hub;
        this.hubs = hubs;
        if (closed) {
            hubs.release(hub);
            return false;
        }
        joined = true;
        return true;
    }

    void begin(List<EncodedFrame> snapshot) {
        if (closed) {
            return;
        }
        output.startPlaying();
        playing = true;
        protocolCounters.viewers.increment();
        log.info("play started: {} by {} ({}, {} frames from the GOP cache)", stream, output.peer(), protocol,
                snapshot.size());
        for (EncodedFrame f : snapshot) {
            deliver(f);
        }
        output.flush();
    }

    /** The stream is published again: the client is told, then gets the new publish's config and GOP. */
    void resume(List<EncodedFrame> snapshot) {
        if (closed) {
            return;
        }
        output.republished();
        for (EncodedFrame f : snapshot) {
            deliver(f);
        }
        output.flush();
    }

    void deliver(EncodedFrame f) {
        if (!playing || closed || f == null) {
            return;
        }
        if (!f.essential()) {
            if (output.writeQueueFull()) {
                fallBehind();
                return;
            }
            behindSince = 0;
            if (waitingForRandomAccess) {
                if (!f.randomAccess()) {
                    return;
                }
                waitingForRandomAccess = false;
            }
        }
        framesSent++;
        if (f.bytes() != null) {
            bytesOut += f.bytes().readableBytes(); // one writer: this event loop
        }
        output.write(f);
    }

    void flush() {
        if (!closed) {
            output.flush();
        }
    }

    private void fallBehind() {
        framesDropped++;
        counters.framesDroppedSlowViewer.increment();
        waitingForRandomAccess = true;
        long now = System.nanoTime();
        if (behindSince == 0) {
            behindSince = now;
        } else if (now - behindSince > maxBehindNanos) {
            counters.viewersDisconnectedSlow.increment();
            log.info("{}: disconnecting viewer of {}: behind for over {} s ({} frames dropped)", output.peer(),
                    stream, maxBehindNanos / 1_000_000_000.0, framesDropped);
            stopPlaying();
            output.disconnect();
        }
    }

    void notFound() {
        if (!closed) {
            log.info("play refused: {} by {}: not published", stream, output.peer());
            refuse();
        }
    }

    /** Answers not found without naming the stream in the log (the caller logs why). */
    void refuse() {
        if (!closed) {
            counters.playRefusedNotFound.increment();
            output.notFound();
            close(); // the client may play again on the same NetStream: this viewer must not hold the hub
        }
    }

    /** Authorisation refused the play (counted and logged by the caller): the client is told, the viewer closes. */
    void unauthorised() {
        if (!closed) {
            output.unauthorised();
            close();
        }
    }

    void unpublished() {
        if (!closed) {
            waitingForRandomAccess = true;
            output.unpublished();
        }
    }

    private void stopPlaying() {
        if (playing) {
            playing = false;
            protocolCounters.viewers.decrement();
        }
    }

    /** The client left or stopped playing: the viewer leaves the fan-out. Called once, on its event loop. */
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        whenClosed.run();
        boolean wasPlaying = playing;
        stopPlaying();
        StreamHub h = hub;
        if (h != null) {
            h.context().runOnContext(v -> {
                ViewerFanout fanout = h.existingSink(ViewerFanout.class);
                if (fanout != null) {
                    fanout.remove(this);
                }
            });
            hubs.release(h);
        }
        if (wasPlaying) {
            log.info("play stopped: {} by {} ({} frames sent, {} dropped)", stream, output.peer(), framesSent,
                    framesDropped);
        }
    }
}
