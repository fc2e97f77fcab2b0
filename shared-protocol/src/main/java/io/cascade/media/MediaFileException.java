package io.cascade.media;

import java.io.IOException;

/**
 * A media file that cannot be read as what it claims to be: malformed, truncated where the format allows no cut, over a
 * reader's limits, or carrying no track we play. An IOException, so callers that read files handle it with the other
 * I/O failures, yet can tell a bad file (reject it, do not retry) from a failing disk.
 */
public class MediaFileException extends IOException {
    private static final long serialVersionUID = 1L;

    public MediaFileException(String message) {
        super(message);
    }

    public MediaFileException(String message, Throwable cause) {
        super(message, cause);
    }
}
