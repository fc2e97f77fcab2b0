package io.cascade.protocol.mp4;

import io.cascade.media.MediaFileException;

/** A malformed, truncated or unsupported MP4 file: the only exception {@link Mp4FileReader} throws for bad input. */
public final class Mp4Exception extends MediaFileException {
    private static final long serialVersionUID = 1L;

    public Mp4Exception(String message) {
        super(message);
    }

    public Mp4Exception(String message, Throwable cause) {
        super(message, cause);
    }
}
