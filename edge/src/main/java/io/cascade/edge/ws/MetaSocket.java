package io.cascade.edge.ws;

import io.cascade.edge.fanout.EncodedFrame;
import io.cascade.media.JsonMetadata;
import io.cascade.metrics.NodeCounters;
import io.cascade.metrics.TokenBucket;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;

import java.nio.charset.StandardCharsets;

/**
 * One metadata subscriber ({@code /<stream>/meta}), who may also publish: every message of the stream's data channel
 * goes to it as a text message, and each text message it sends that is one JSON text is put into the stream
 * ({@link io.cascade.edge.fanout.Viewer#sendToStream}), for every subscriber on every node, itself included.
 *
 * <p>Bounds: a message over {@link JsonMetadata#MAX_MESSAGE_BYTES} closes the socket (1009); past
 * {@link #MAX_MESSAGES_PER_SECOND} (bursts as large) messages are dropped and counted, and a client with more than
 * {@link #FLOOD_DROPS} dropped within {@link #FLOOD_WINDOW_MS} is closed (1008). A message that is not one JSON text
 * (or is binary) is dropped and counted, and takes its share of the rate all the same. Everything runs on the
 * socket's event loop.
 */
final class MetaSocket extends WsSocket {
    /** Messages one client may put into a stream per second, on average: metadata, not a chat firehose. */
    static final int MAX_MESSAGES_PER_SECOND = 50;
    /** Messages dropped for the rate, within {@link #FLOOD_WINDOW_MS}, past which the client is closed. */
    static final int FLOOD_DROPS = 100;
    static final long FLOOD_WINDOW_MS = 10_000;

    private final NodeCounters node;
    private final TokenBucket rate = new TokenBucket(MAX_MESSAGES_PER_SECOND, MAX_MESSAGES_PER_SECOND);
    private long floodWindowStart;
    private int dropsInWindow;

    MetaSocket(Vertx vertx, ServerWebSocket socket, HttpConnection connection, NodeCounters node,
               NodeCounters.ProtocolCounters counters, int queueBytes, long pingIntervalMs, long pongTimeoutMs) {
        super(vertx, socket, connection, counters, queueBytes, pingIntervalMs, pongTimeoutMs,
                JsonMetadata.MAX_MESSAGE_BYTES, true);
        this.node = node;
    }

    @Override
    void onMessage(boolean text, Buffer message) {
        if (!rate.tryTake()) {
            node.dataMessagesDroppedRateLimit.increment();
            if (flooding()) {
                violation(CLOSE_POLICY, "over " + MAX_MESSAGES_PER_SECOND + " messages a second, and on");
            }
            return;
        }
        String json = text ? message.toString(StandardCharsets.UTF_8) : null;
        if (json == null || !isJson(json)) {
            node.dataMessagesDroppedInvalid.increment();
            return;
        }
        if (viewer == null) {
            node.dataMessagesDroppedNotLive.increment();
            return;
        }
        viewer.sendToStream(json).onFailure(this::dropped);
    }

    /** Another message dropped for the rate: whether the client has gone on like this past the flood bound. */
    private boolean flooding() {
        long now = System.nanoTime();
        if (dropsInWindow == 0 || now - floodWindowStart > FLOOD_WINDOW_MS * 1_000_000) {
            floodWindowStart = now;
            dropsInWindow = 0;
        }
        return ++dropsInWindow > FLOOD_DROPS;
    }

    /** The stream did not take the message: counted by why (called on whichever thread the answer came). */
    private void dropped(Throwable why) {
        int code = why instanceof ReplyException r ? r.failureCode() : 0;
        (code == 429 ? node.dataMessagesDroppedRateLimit : code == 413 ? node.dataMessagesDroppedInvalid
                : node.dataMessagesDroppedNotLive).increment();
    }

    /** Exactly one JSON text (RFC 8259): an object, array, string, number, true, false or null. */
    static boolean isJson(String text) {
        try {
            Json.decodeValue(text);
            return true;
        } catch (DecodeException e) {
            return false;
        }
    }

    /**
     * A text message of shared bytes (UTF-8 JSON built once for every subscriber): sent as an empty text frame and
     * a continuation frame with a view of the bytes, so nothing is decoded or copied per subscriber.
     */
    @Override
    public void write(EncodedFrame frame) {
        if (closed()) {
            return;
        }
        ByteBuf shared = frame.bytes();
        counters.bytesOut.add(shared.readableBytes());
        socket.writeFrame(WebSocketFrame.textFrame("", false));
        socket.writeFrame(WebSocketFrame.continuationFrame(
                BufferInternal.buffer(Unpooled.unreleasableBuffer(shared.duplicate())), true));
    }
}
