package io.cascade.protocol.rtsp;

/**
 * A malformed or over-limit RTSP message, Transport header or URL. The only exception the parsers of
 * {@code io.cascade.protocol.rtsp} throw for bad input. A server answers {@link #status()} (400, 413, 414, 461, 505...)
 * with {@link #cseq()} echoed when it is not -1, then closes the connection: after a framing error the byte stream can
 * no longer be trusted to be at a message boundary.
 */
public final class RtspException extends Exception {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final int cseq;

    /** An error with no CSeq to echo (the request's CSeq was not read, or there is no request). */
    public RtspException(int status, String message) {
        this(status, -1, message);
    }

    /** An error in a request whose CSeq was already read ({@code cseq} -1 when it was not). */
    public RtspException(int status, int cseq, String message) {
        super(message);
        if (status < 100 || status > 999) {
            throw new IllegalArgumentException("RTSP status " + status);
        }
        this.status = status;
        this.cseq = cseq < 0 ? -1 : cseq;
    }

    /** The status to answer with before closing. */
    public int status() {
        return status;
    }

    /** The CSeq of the request in error, or -1 when it was not readable. */
    public int cseq() {
        return cseq;
    }

    /** Status, then message: what a log line wants. */
    @Override
    public String toString() {
        return "RtspException{" + status + (cseq >= 0 ? " cseq=" + cseq : "") + ": " + getMessage() + '}';
    }
}
