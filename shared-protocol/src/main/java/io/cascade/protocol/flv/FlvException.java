package io.cascade.protocol.flv;

/** Malformed or unsupported FLV / RTMP media tag. The only exception the flv parsers throw for bad input. */
public final class FlvException extends Exception {
    private static final long serialVersionUID = 1L;

    public FlvException(String m) {
        super(m);
    }
}
