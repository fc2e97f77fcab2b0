package io.cascade.edge.flv;

import io.cascade.edge.fanout.EncodedFrame;
import io.cascade.edge.fanout.HardClose;
import io.cascade.edge.fanout.Viewer;
import io.cascade.edge.fanout.ViewerOutput;
import io.cascade.media.TrackType;
import io.cascade.metrics.NodeCounters;
import io.cascade.protocol.flv.FlvWriter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.internal.buffer.BufferInternal;

import java.util.ArrayList;
import java.util.List;

/**
 * One HTTP-FLV viewer: its chunked response as the fan-out's {@link ViewerOutput}. The FLV header says which tracks
 * the stream has, so it is written when the first media frame comes, from the config frames before it; those, and
 * the metadata, are held until then and written metadata first. Runs on the request's event loop.
 */
final class FlvViewer implements ViewerOutput {
    private final HttpServerResponse response;
    private final HttpConnection connection;
    private final Context context;
    private final NodeCounters.ProtocolCounters counters;
    private final String peer;
    /** Config and metadata frames that came before the first media frame. */
    private final List<EncodedFrame> held = new ArrayList<>();
    private boolean bodyStarted;
    private boolean closed;
    private Viewer viewer;

    FlvViewer(HttpServerRequest request, HttpServerResponse response, NodeCounters.ProtocolCounters counters,
              int queueBytes) {
        this.response = response;
        this.connection = request.connection();
        this.context = Vertx.currentContext();
        this.counters = counters;
        this.peer = String.valueOf(request.remoteAddress());
        response.setWriteQueueMaxSize(queueBytes);
        response.closeHandler(v -> end());
        response.exceptionHandler(e -> end());
    }

    /** The fan-out's viewer of this response, closed with it. */
    void bind(Viewer v) {
        viewer = v;
        if (closed) {
            v.close();
        }
    }

    private void end() {
        if (!closed) {
            closed = true;
            held.clear();
            if (viewer != null) {
                viewer.close();
            }
        }
    }

    @Override
    public Context context() {
        return context;
    }

    @Override
    public String peer() {
        return peer;
    }

    @Override
    public void startPlaying() {
        if (closed || response.headWritten()) {
            return;
        }
        response.setChunked(true).putHeader("Content-Type", "video/x-flv").putHeader("Cache-Control", "no-cache");
        response.writeHead();
    }

    @Override
    public boolean writeQueueFull() {
        return response.writeQueueFull();
    }

    @Override
    public void write(EncodedFrame frame) {
        if (closed) {
            return;
        }
        if (bodyStarted) {
            send(frame.bytes());
            return;
        }
        if (frame.essential()) {
            held.add(frame);
            return;
        }
        // the first media frame: now the tracks are known
        boolean audio = false;
        boolean video = false;
        for (EncodedFrame f : held) {
            audio |= f.frame().trackType() == TrackType.AUDIO;
            video |= f.frame().trackType() == TrackType.VIDEO;
        }
        audio |= frame.frame().trackType() == TrackType.AUDIO;
        video |= frame.frame().trackType() == TrackType.VIDEO;
        bodyStarted = true;
        send(Unpooled.wrappedBuffer(FlvWriter.fileHeader(audio, video)));
        for (EncodedFrame f : held) {
            if (f.frame().trackType() == TrackType.DATA) {
                send(f.bytes()); // onMetaData first, then the sequence headers
            }
        }
        for (EncodedFrame f : held) {
            if (f.frame().trackType() != TrackType.DATA) {
                send(f.bytes());
            }
        }
        held.clear();
        send(frame.bytes());
    }

    /** Writes a view of shared bytes, never released by this response. */
    private void send(ByteBuf shared) {
        counters.bytesOut.add(shared.readableBytes());
        Buffer view = BufferInternal.buffer(Unpooled.unreleasableBuffer(shared.duplicate()));
        response.write(view);
    }

    @Override
    public void flush() {
        // every write is flushed as it is made
    }

    @Override
    public void disconnect() {
        end();
        HardClose.now(connection); // a reset lets the queue drain first, and this viewer's never does
    }

    @Override
    public void notFound() {
        end();
        if (!response.headWritten()) {
            response.setStatusCode(404).end();
        } else if (!response.ended()) {
            response.end();
        }
    }

    @Override
    public void unauthorised() {
        end();
        if (!response.headWritten()) {
            response.setStatusCode(403).end();
        } else if (!response.ended()) {
            response.end();
        }
    }

    @Override
    public void goingAway() {
        end();
        if (!response.ended()) {
            response.end(); // the FLV body ends cleanly: the player reconnects
        }
    }

    @Override
    public void unpublished() {
        // the response stays open: the next publish's sequence headers and GOP follow
    }

    @Override
    public void republished() {
    }
}
