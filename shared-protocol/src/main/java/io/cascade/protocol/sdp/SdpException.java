package io.cascade.protocol.sdp;

/** A malformed or oversized session description, or a format parameter that does not decode. */
public final class SdpException extends Exception {
    private static final long serialVersionUID = 1L;

    public SdpException(String message) {
        super(message);
    }
}
