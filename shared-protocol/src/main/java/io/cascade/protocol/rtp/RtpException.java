package io.cascade.protocol.rtp;

/**
 * Malformed or unsupported RTP, RTCP or RTP payload data. The only exception the parsers and depacketizers of
 * {@code io.cascade.protocol.rtp} and its sub-packages throw for bad input: the caller drops what it was given, counts
 * it and carries on with the next packet.
 */
public final class RtpException extends Exception {
    private static final long serialVersionUID = 1L;

    public RtpException(String message) {
        super(message);
    }
}
