package io.cascade.protocol.rtsp;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * Writes RTSP/1.0 messages: responses (the server side) and requests (the client side, pulling from a camera), and the
 * '$' header of interleaved frames.
 *
 * <p>Every header name must be a token and every value is checked before it is written: CR, LF or another control
 * character (HT allowed) throws IllegalArgumentException. Values often come from the peer (an echoed Session, a stream
 * name inside a URL); without the check a value holding CRLF would let the peer write headers, or a whole response, of
 * its own. The writer owns CSeq and Content-Length, so passing them among the headers is refused too: two of either make
 * the message ambiguous.
 */
public final class RtspMessageWriter {
    /** The version this writer speaks; RFC 2326. */
    public static final String VERSION = "RTSP/1.0";

    private RtspMessageWriter() {
    }

    /**
     * A response: status line with {@link #reason}, CSeq when {@code cseq >= 0}, the headers in order, then Content-Type
     * (when {@code contentType} is not null) and Content-Length when {@code body} is not empty, then the body.
     */
    public static byte[] response(int status, int cseq, List<Map.Entry<String, String>> headers, String contentType,
                                  byte[] body) {
        if (status < 100 || status > 999) {
            throw new IllegalArgumentException("status " + status + " is not three digits");
        }
        StringBuilder sb = new StringBuilder(256);
        sb.append(VERSION).append(' ').append(status).append(' ').append(reason(status)).append("\r\n");
        return finish(sb, cseq, headers, contentType, body);
    }

    /**
     * A request: request line, CSeq when {@code cseq >= 0} (a client always sends one), the headers in order, then
     * Content-Type and Content-Length when {@code body} is not empty, then the body.
     */
    public static byte[] request(String method, String uri, int cseq, List<Map.Entry<String, String>> headers,
                                 String contentType, byte[] body) {
        if (!Syntax.isToken(method) || method.length() > RtspDecoder.MAX_METHOD) {
            throw new IllegalArgumentException("method '" + method + "' is not a token of at most "
                    + RtspDecoder.MAX_METHOD + " characters");
        }
        if (uri == null || uri.isEmpty()) {
            throw new IllegalArgumentException("request without a URI");
        }
        for (int i = 0; i < uri.length(); i++) {
            char c = uri.charAt(i);
            if (c == ' ' || Syntax.isForbiddenControl(c) || c == '\t') {
                throw new IllegalArgumentException("URI holds a space or control character: " + uri.strip());
            }
        }
        StringBuilder sb = new StringBuilder(256);
        sb.append(method).append(' ').append(uri).append(' ').append(VERSION).append("\r\n");
        return finish(sb, cseq, headers, contentType, body);
    }

    private static byte[] finish(StringBuilder sb, int cseq, List<Map.Entry<String, String>> headers,
                                 String contentType, byte[] body) {
        if (cseq >= 0) {
            sb.append("CSeq: ").append(cseq).append("\r\n");
        }
        if (headers != null) {
            for (Map.Entry<String, String> h : headers) {
                String name = Syntax.checkName(h.getKey());
                if (name.equalsIgnoreCase("Content-Length") || (cseq >= 0 && name.equalsIgnoreCase("CSeq"))) {
                    throw new IllegalArgumentException(name + " is written by the writer, not passed as a header");
                }
                sb.append(name).append(": ").append(Syntax.checkValue(name, h.getValue())).append("\r\n");
            }
        }
        boolean hasBody = body != null && body.length > 0;
        if (hasBody) {
            if (contentType != null) {
                sb.append("Content-Type: ").append(Syntax.checkValue("Content-Type", contentType)).append("\r\n");
            }
            sb.append("Content-Length: ").append(body.length).append("\r\n");
        }
        sb.append("\r\n");
        byte[] head = sb.toString().getBytes(StandardCharsets.UTF_8);
        if (!hasBody) {
            return head;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(head.length + body.length);
        out.writeBytes(head);
        out.writeBytes(body);
        return out.toByteArray();
    }

    /**
     * The reason phrase of a status code, as RFC 2326 section 7.1.1 lists them; for a code it does not list, the class's
     * name, so a status line is never left without one.
     */
    public static String reason(int status) {
        return switch (status) {
            case 100 -> "Continue";
            case 200 -> "OK";
            case 201 -> "Created";
            case 250 -> "Low on Storage Space";
            case 300 -> "Multiple Choices";
            case 301 -> "Moved Permanently";
            case 302 -> "Moved Temporarily";
            case 303 -> "See Other";
            case 304 -> "Not Modified";
            case 305 -> "Use Proxy";
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 402 -> "Payment Required";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 406 -> "Not Acceptable";
            case 407 -> "Proxy Authentication Required";
            case 408 -> "Request Time-out";
            case 410 -> "Gone";
            case 411 -> "Length Required";
            case 412 -> "Precondition Failed";
            case 413 -> "Request Entity Too Large";
            case 414 -> "Request-URI Too Large";
            case 415 -> "Unsupported Media Type";
            case 451 -> "Parameter Not Understood";
            case 452 -> "Conference Not Found";
            case 453 -> "Not Enough Bandwidth";
            case 454 -> "Session Not Found";
            case 455 -> "Method Not Valid in This State";
            case 456 -> "Header Field Not Valid for Resource";
            case 457 -> "Invalid Range";
            case 458 -> "Parameter Is Read-Only";
            case 459 -> "Aggregate Operation Not Allowed";
            case 460 -> "Only Aggregate Operation Allowed";
            case 461 -> "Unsupported Transport";
            case 462 -> "Destination Unreachable";
            case 500 -> "Internal Server Error";
            case 501 -> "Not Implemented";
            case 502 -> "Bad Gateway";
            case 503 -> "Service Unavailable";
            case 504 -> "Gateway Time-out";
            case 505 -> "RTSP Version Not Supported";
            case 551 -> "Option not supported";
            default -> switch (status / 100) {
                case 1 -> "Informational";
                case 2 -> "Success";
                case 3 -> "Redirection";
                case 4 -> "Client Error";
                default -> "Server Error";
            };
        };
    }

    /** An interleaved frame: '$', channel, 16-bit length, then {@code packet[off, off+len)}. */
    public static byte[] interleaved(int channel, byte[] packet, int off, int len) {
        java.util.Objects.checkFromIndexSize(off, len, packet.length);
        byte[] out = new byte[4 + len];
        interleavedHeader(out, 0, channel, len);
        System.arraycopy(packet, off, out, 4, len);
        return out;
    }

    /**
     * Writes the 4-byte '$' header of a frame of {@code length} bytes at {@code out[offset]}: for a sender that writes
     * header and packet as two buffers instead of copying the packet.
     */
    public static void interleavedHeader(byte[] out, int offset, int channel, int length) {
        if (channel < 0 || channel > 255) {
            throw new IllegalArgumentException("interleaved channel " + channel + " is not 0..255");
        }
        if (length < 0 || length > RtspDecoder.MAX_FRAME) {
            throw new IllegalArgumentException("interleaved frame of " + length + " bytes: the length field has 16 bits");
        }
        out[offset] = '$';
        out[offset + 1] = (byte) channel;
        out[offset + 2] = (byte) (length >> 8);
        out[offset + 3] = (byte) length;
    }
}
