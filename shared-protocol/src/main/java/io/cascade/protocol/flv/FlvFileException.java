package io.cascade.protocol.flv;

import io.cascade.media.MediaFileException;

/** A malformed, unsupported or over-limit FLV file: the only exception {@link FlvFileReader} throws for bad input. */
public final class FlvFileException extends MediaFileException {
    private static final long serialVersionUID = 1L;

    public FlvFileException(String message) {
        super(message);
    }

    public FlvFileException(String message, Throwable cause) {
        super(message, cause);
    }
}
