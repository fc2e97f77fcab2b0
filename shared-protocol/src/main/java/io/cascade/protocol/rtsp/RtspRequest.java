package io.cascade.protocol.rtsp;

import java.util.Arrays;

/**
 * One RTSP request as {@link RtspDecoder} read it: method (case kept, RTSP methods are case-sensitive), Request-URI as
 * sent (parse it with {@link RtspUrl#parse}), headers, and the body of Content-Length bytes (empty, never null, when
 * there is none). The body array is the request's own; equality compares its content.
 */
public record RtspRequest(String method, String uri, RtspHeaders headers, byte[] body) {
    private static final byte[] NO_BODY = new byte[0];

    public RtspRequest {
        if (method == null || uri == null || headers == null) {
            throw new NullPointerException("method, uri and headers are required");
        }
        body = body == null ? NO_BODY : body;
    }

    /**
     * The CSeq. A decoded request always has one that is a non-negative int (the decoder refuses others with 400); a
     * request built by hand without a readable one gives -1.
     */
    public int cseq() {
        return Syntax.cseq(headers.get("CSeq"));
    }

    /** The first value of header {@code name} (any case), or null. */
    public String header(String name) {
        return headers.get(name);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RtspRequest r && method.equals(r.method) && uri.equals(r.uri) && headers.equals(r.headers)
                && Arrays.equals(body, r.body);
    }

    @Override
    public int hashCode() {
        return ((method.hashCode() * 31 + uri.hashCode()) * 31 + headers.hashCode()) * 31 + Arrays.hashCode(body);
    }

    /** Method, URI, headers and the body's length (bodies can be binary and long). */
    @Override
    public String toString() {
        return "RtspRequest{" + method + ' ' + uri + ' ' + headers + " body=" + body.length + '}';
    }
}
