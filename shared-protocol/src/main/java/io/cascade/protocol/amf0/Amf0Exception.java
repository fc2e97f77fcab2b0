package io.cascade.protocol.amf0;

/**
 * Thrown when AMF0 input is malformed, truncated, exceeds a decoder limit, or uses a
 * type this codec refuses (MovieClip, RecordSet, AMF3). The message says what was wrong
 * and at which absolute offset of the input.
 */
public final class Amf0Exception extends Exception {
    private static final long serialVersionUID = 1L;

    public Amf0Exception(String message) {
        super(message);
    }
}
