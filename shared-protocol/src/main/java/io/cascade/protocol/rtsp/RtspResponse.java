package io.cascade.protocol.rtsp;

import java.util.Arrays;

/**
 * One RTSP response as {@link RtspDecoder} read it (what a camera or another server answers when we pull from it):
 * status code, reason phrase as sent (may be empty), headers, and the body of Content-Length bytes (empty, never null,
 * when there is none). Equality compares the body's content.
 */
public record RtspResponse(int status, String reason, RtspHeaders headers, byte[] body) {
    private static final byte[] NO_BODY = new byte[0];

    public RtspResponse {
        if (reason == null || headers == null) {
            throw new NullPointerException("reason and headers are required");
        }
        body = body == null ? NO_BODY : body;
    }

    /** The CSeq echoed by the server, or -1 when absent (the decoder refuses a present but unreadable one). */
    public int cseq() {
        return Syntax.cseq(headers.get("CSeq"));
    }

    /** The first value of header {@code name} (any case), or null. */
    public String header(String name) {
        return headers.get(name);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RtspResponse r && status == r.status && reason.equals(r.reason) && headers.equals(r.headers)
                && Arrays.equals(body, r.body);
    }

    @Override
    public int hashCode() {
        return ((status * 31 + reason.hashCode()) * 31 + headers.hashCode()) * 31 + Arrays.hashCode(body);
    }

    @Override
    public String toString() {
        return "RtspResponse{" + status + ' ' + reason + ' ' + headers + " body=" + body.length + '}';
    }
}
