package io.cascade.protocol.h264;

/** Malformed H.264 / H.265 / AAC bitstream or configuration. The only exception these parsers throw for bad input. */
public final class BitstreamException extends Exception {
    private static final long serialVersionUID = 1L;

    public BitstreamException(String m) {
        super(m);
    }
}
