package io.cascade.protocol.rtmp;

/**
 * Malformed or hostile RTMP input (handshake, chunk stream or message payload). The message says what was wrong and where.
 * The connection that produced it should be closed: codec state after this exception is not meant to be reused.
 */
public final class RtmpProtocolException extends Exception {
    private static final long serialVersionUID = 1L;

    public RtmpProtocolException(String message) {
        super(message);
    }
}
