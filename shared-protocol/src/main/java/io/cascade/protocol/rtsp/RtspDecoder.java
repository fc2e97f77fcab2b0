package io.cascade.protocol.rtsp;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Incremental decoder of the bytes one RTSP connection receives (NOT thread-safe): requests, responses and interleaved
 * binary frames (RFC 2326 section 10.12: '$', channel, 16-bit length, data) in any mix, cut anywhere by TCP.
 *
 * <p>Every limit is checked before memory is committed to it, and the bytes held for a partial message never exceed
 * {@link #MAX_BUFFERED}: a start line of at most {@link #MAX_LINE} bytes, at most {@link #MAX_HEADERS} header lines of at
 * most {@link #MAX_HEADER_LINE} bytes, at most {@link #MAX_BODY} bytes of body. A line is refused as soon as it is
 * longer than its limit, so a peer that never sends a line end cannot make us buffer more; a request whose method cannot
 * be valid is refused at its first bad byte. Lines end with CRLF or a bare LF (some clients send those); CR or LF bytes
 * between messages are skipped (keep-alives). Header lines folded onto the next line (obsolete in RFC 7230) are refused.
 *
 * <p>Interleaved frames are the hot path (thousands a second while a client records over TCP): a frame that lies whole
 * in the fed array is handed out as a slice of that array, without a copy; only a frame cut by the end of a feed is
 * gathered in a reusable buffer of at most 64 KiB.
 *
 * <p>Text is read as UTF-8 (RFC 2326 section 1.3): strictly in the Request-URI (400 otherwise), leniently in header
 * values and reason phrases (a stray byte becomes U+FFFD). Names must be tokens and no line may hold a control character
 * but HT, so whatever the decoder hands out can be echoed in a response without letting the peer inject a header.
 *
 * <p>After an {@link RtspException}, or an exception from the handler, the decoder is failed and every later
 * {@link #feed} throws: the caller answers the exception's status and closes the connection.
 */
public final class RtspDecoder {
    /** Longest request or status line, line end excluded; also the longest Request-URI, which lies inside it. */
    public static final int MAX_LINE = 2048;
    /** Most header lines in one message: real clients send under 15 (GStreamer's OPTIONS, the longest seen, sends 10). */
    public static final int MAX_HEADERS = 255;
    /** Longest header line (name, colon and value), line end excluded. */
    public static final int MAX_HEADER_LINE = 2048;
    /** Largest body (Content-Length): an ANNOUNCE's SDP is under 2 KiB even with large parameter sets. */
    public static final int MAX_BODY = 128 << 10;
    /** Longest method name; the longest standard one, GET_PARAMETER, has 13 characters. */
    public static final int MAX_METHOD = 32;
    /** Largest interleaved frame: its length field has 16 bits. */
    public static final int MAX_FRAME = 0xFFFF;
    /**
     * Most bytes ever held for one partial message: the start line and every header line with their CRLFs, the empty
     * line, and the body. A partial interleaved frame (at most 4 + 65535 bytes) stays below it. Roughly 640 KiB.
     */
    public static final int MAX_BUFFERED = (MAX_LINE + 2) + MAX_HEADERS * (MAX_HEADER_LINE + 2) + 2 + MAX_BODY;

    /**
     * How many bytes may follow the second space of an over-long request line for the URI still to be what made it
     * long (and the answer 414 rather than 400): the version, "RTSP/1.0", is 8.
     */
    private static final int VERSION_SLACK = 16;
    private static final byte[] RESPONSE_PREFIX = "RTSP/".getBytes(StandardCharsets.US_ASCII);
    private static final String VERSION = "RTSP/1.0";
    private static final byte[] EMPTY = new byte[0];

    /** Receives what the decoder reads, in stream order. */
    public interface Handler {
        void request(RtspRequest request) throws RtspException;

        void response(RtspResponse response) throws RtspException;

        /**
         * One interleaved frame: '$', channel, 16-bit length, data. {@code data} is valid only during the call (it may be
         * the decoder's buffer or the array given to {@link #feed}): copy what must outlive it.
         */
        void interleaved(int channel, byte[] data, int offset, int length) throws RtspException;
    }

    private static final int IDLE = 0;
    private static final int START_LINE = 1;
    private static final int HEADER_LINE = 2;
    private static final int BODY = 3;
    private static final int FRAME_HEADER = 4;
    private static final int FRAME_DATA = 5;

    private int state = IDLE;
    private boolean failed;

    /** The line cut by the end of a feed, allocated on first need; its line end is not in it yet. */
    private byte[] line;
    private int lineLength;

    /** The message being read. */
    private boolean response;
    private String method;
    private String uri;
    private int status;
    private String reason;
    private RtspHeaders.Builder headers;
    private int cseq = -1;
    /** Bytes of the current message consumed so far (complete lines, line ends included): part of bytesBuffered. */
    private int messageBytes;
    private RtspHeaders builtHeaders;
    private int bodyLength;
    private int bodyFilled;
    private byte[] body;

    /** The interleaved frame being gathered across feeds. */
    private final byte[] frameHeader = new byte[4];
    private int frameHeaderFilled;
    private int channel;
    private int frameLength;
    private int frameFilled;
    private byte[] frame;

    public RtspDecoder() {
    }

    /** {@link #MAX_BUFFERED}: the bound of {@link #bytesBuffered()}, for whoever sizes memory per connection. */
    public static int maxBuffered() {
        return MAX_BUFFERED;
    }

    /**
     * What is held of a partial message or frame (0 between messages): its lines consumed so far with their line ends,
     * the line being read, the body bytes received, or a frame's header and data bytes received.
     */
    public long bytesBuffered() {
        return switch (state) {
            case START_LINE, HEADER_LINE -> messageBytes + lineLength;
            case BODY -> messageBytes + bodyFilled;
            case FRAME_HEADER -> frameHeaderFilled;
            case FRAME_DATA -> 4 + frameFilled;
            default -> 0;
        };
    }

    /**
     * Feeds bytes; calls the handler for every complete message and frame, in order, and keeps the partial one that ends
     * the feed (bounded, see {@link #MAX_BUFFERED}). Throws IndexOutOfBoundsException when the slice is outside the array
     * (a caller bug, not bad input).
     */
    public void feed(byte[] bytes, int offset, int length, Handler handler) throws RtspException {
        Objects.checkFromIndexSize(offset, length, bytes.length);
        if (failed) {
            throw new RtspException(400, "RTSP decoder already failed on earlier input");
        }
        boolean done = false;
        try {
            decode(bytes, offset, offset + length, handler);
            done = true;
        } finally {
            if (!done) {
                // the rest of the feed was not read: the stream is no longer at a known boundary
                failed = true;
            }
        }
    }

    private void decode(byte[] b, int pos, int end, Handler handler) throws RtspException {
        while (pos < end) {
            switch (state) {
                case IDLE -> {
                    byte c = b[pos];
                    if (c == '$') {
                        if (end - pos >= 4) {
                            int ch = b[pos + 1] & 0xFF;
                            int len = (b[pos + 2] & 0xFF) << 8 | (b[pos + 3] & 0xFF);
                            pos += 4;
                            if (end - pos >= len) {
                                // the hot path: the whole frame is in the caller's array, hand it out as it lies
                                pos += len;
                                handler.interleaved(ch, b, pos - len, len);
                            } else {
                                startFrameData(ch, len);
                            }
                        } else {
                            state = FRAME_HEADER;
                            frameHeaderFilled = 0;
                        }
                    } else if (c == '\r' || c == '\n') {
                        pos++; // an empty line between messages: a keep-alive, or the tail of a body-less message
                    } else {
                        startMessage();
                    }
                }
                case START_LINE, HEADER_LINE -> pos = line(b, pos, end, handler);
                case BODY -> pos = body(b, pos, end, handler);
                case FRAME_HEADER -> {
                    int n = Math.min(4 - frameHeaderFilled, end - pos);
                    System.arraycopy(b, pos, frameHeader, frameHeaderFilled, n);
                    frameHeaderFilled += n;
                    pos += n;
                    if (frameHeaderFilled == 4) {
                        int len = (frameHeader[2] & 0xFF) << 8 | (frameHeader[3] & 0xFF);
                        if (len == 0) {
                            state = IDLE;
                            handler.interleaved(frameHeader[1] & 0xFF, EMPTY, 0, 0);
                        } else {
                            startFrameData(frameHeader[1] & 0xFF, len);
                        }
                    }
                }
                case FRAME_DATA -> {
                    int n = Math.min(frameLength - frameFilled, end - pos);
                    System.arraycopy(b, pos, frame, frameFilled, n);
                    frameFilled += n;
                    pos += n;
                    if (frameFilled == frameLength) {
                        state = IDLE;
                        handler.interleaved(channel, frame, 0, frameLength);
                    }
                }
                default -> throw new IllegalStateException("state " + state);
            }
        }
    }

    private void startFrameData(int ch, int len) {
        channel = ch;
        frameLength = len;
        frameFilled = 0;
        if (frame == null || frame.length < len) {
            // grows to the largest frame seen, at most MAX_FRAME, and is kept: the next cut frame is as large
            frame = new byte[Math.max(len, frame == null ? 2048 : Math.min(MAX_FRAME, frame.length * 2))];
        }
        state = FRAME_DATA;
    }

    private void startMessage() {
        state = START_LINE;
        response = false;
        method = null;
        uri = null;
        reason = null;
        status = 0;
        headers = RtspHeaders.builder();
        builtHeaders = null;
        cseq = -1;
        messageBytes = 0;
        lineLength = 0;
        body = null;
        bodyLength = 0;
        bodyFilled = 0;
    }

    /** Reads (part of) a start or header line; returns the position after what it consumed. */
    private int line(byte[] b, int pos, int end, Handler handler) throws RtspException {
        boolean start = state == START_LINE;
        int limit = start ? MAX_LINE : MAX_HEADER_LINE;
        // a line of the longest allowed length, then CR and LF: looking further cannot find a line we would take
        int scanEnd = (int) Math.min(end, (long) pos + limit + 2 - lineLength);
        int lf = indexOf(b, pos, scanEnd, '\n');
        if (lf < 0) {
            int n = scanEnd - pos;
            if (!start && headers.size() == MAX_HEADERS && lineLength + n > (b[pos] == '\r' && lineLength == 0 ? 1 : 0)) {
                // only the empty line may follow the last allowed header: all that can be held of it is its CR
                throw fail(400, "more than " + MAX_HEADERS + " header lines");
            }
            byte[] l = lineBuffer();
            System.arraycopy(b, pos, l, lineLength, n);
            lineLength += n;
            if (lineLength > limit + 1 || (lineLength == limit + 1 && l[limit] != '\r')) {
                throw tooLong(l, 0, limit + 1);
            }
            if (start) {
                checkMethodPrefix(l, lineLength);
            }
            return scanEnd;
        }
        byte[] a;
        int from;
        int to;
        if (lineLength == 0) {
            // the whole line is in the caller's array: read it there
            a = b;
            from = pos;
            to = lf;
        } else {
            a = lineBuffer();
            System.arraycopy(b, pos, a, lineLength, lf - pos);
            from = 0;
            to = lineLength + lf - pos;
        }
        int consumed = to - from + 1;
        if (to > from && a[to - 1] == '\r') {
            to--;
        }
        if (to - from > limit) {
            throw tooLong(a, from, from + limit + 1);
        }
        lineLength = 0;
        messageBytes += consumed;
        pos = lf + 1;
        if (start) {
            startLine(a, from, to);
        } else {
            headerLine(a, from, to, handler);
        }
        return pos;
    }

    private byte[] lineBuffer() {
        if (line == null) {
            line = new byte[Math.max(MAX_LINE, MAX_HEADER_LINE) + 2];
        }
        return line;
    }

    /**
     * The line's first {@code limit + 1} bytes, a[from, to), hold no line end: 414 when it is a request line whose URI
     * made it long (a method, a space, then a URI that runs to the limit or is followed by no more than a version), else
     * 400. Deciding on exactly these bytes gives the same answer however the input was cut.
     */
    private RtspException tooLong(byte[] a, int from, int to) {
        if (state == HEADER_LINE) {
            return fail(400, "header line longer than " + MAX_HEADER_LINE + " bytes");
        }
        int sp = indexOf(a, from, Math.min(to, from + MAX_METHOD + 1), ' ');
        if (sp > from && !startsWith(a, from, to, RESPONSE_PREFIX) && allToken(a, from, sp)) {
            int sp2 = indexOf(a, sp + 1, to, ' ');
            if (sp2 < 0 || to - sp2 - 1 <= VERSION_SLACK) {
                return fail(414, "request URI longer than " + MAX_LINE + " bytes");
            }
        }
        return fail(400, "start line longer than " + MAX_LINE + " bytes");
    }

    /**
     * Refuses a request line as soon as its first bytes cannot start a valid one: a method is 1 to MAX_METHOD token
     * characters then a space. Only the first MAX_METHOD + 1 bytes are looked at, so feeding a byte at a time stays cheap.
     */
    private void checkMethodPrefix(byte[] a, int n) throws RtspException {
        if (isResponsePrefix(a, n)) {
            return;
        }
        int max = Math.min(n, MAX_METHOD + 1);
        for (int i = 0; i < max; i++) {
            byte c = a[i];
            if (c == ' ') {
                if (i == 0) {
                    throw fail(400, "request line starts with a space");
                }
                return;
            }
            if (!Syntax.isTokenChar(c)) {
                throw fail(400, "method holds byte 0x" + Integer.toHexString(c & 0xFF));
            }
        }
        if (n > MAX_METHOD) {
            throw fail(400, "method longer than " + MAX_METHOD + " characters");
        }
    }

    /** The held bytes are "RTSP/" or a beginning of it, or begin with it: a status line, whose first word is no method. */
    private static boolean isResponsePrefix(byte[] a, int n) {
        int m = Math.min(n, RESPONSE_PREFIX.length);
        for (int i = 0; i < m; i++) {
            if (a[i] != RESPONSE_PREFIX[i]) {
                return false;
            }
        }
        return true;
    }

    private void startLine(byte[] a, int from, int to) throws RtspException {
        if (startsWith(a, from, to, RESPONSE_PREFIX)) {
            statusLine(a, from, to);
        } else {
            requestLine(a, from, to);
        }
        state = HEADER_LINE;
    }

    /** Method SP Request-URI SP RTSP-Version, single spaces (RFC 2326 section 6.1). */
    private void requestLine(byte[] a, int from, int to) throws RtspException {
        int sp1 = indexOf(a, from, to, ' ');
        int methodEnd = sp1 < 0 ? to : sp1;
        // the method first, as checkMethodPrefix does on a partial line, so a cut gives the same answer
        if (methodEnd == from || methodEnd - from > MAX_METHOD || !allToken(a, from, methodEnd)) {
            throw fail(400, "bad method");
        }
        checkNoControls(a, from, to, false, "request line");
        int sp2 = sp1 < 0 ? -1 : indexOf(a, sp1 + 1, to, ' ');
        if (sp2 < 0 || sp2 == sp1 + 1 || indexOf(a, sp2 + 1, to, ' ') >= 0) {
            throw fail(400, "request line is not 'method URI version'");
        }
        checkVersion(a, sp2 + 1, to);
        method = new String(a, from, methodEnd - from, StandardCharsets.US_ASCII);
        uri = strictUtf8(a, sp1 + 1, sp2, "request URI");
    }

    /**
     * The URI names what is asked for: bytes that are not UTF-8 are refused rather than replaced with U+FFFD, which
     * would make different URIs name one resource (header values, which name nothing, are decoded leniently).
     */
    private String strictUtf8(byte[] a, int from, int to, String what) throws RtspException {
        boolean ascii = true;
        for (int i = from; i < to && ascii; i++) {
            ascii = a[i] >= 0;
        }
        if (ascii) {
            return new String(a, from, to - from, StandardCharsets.US_ASCII);
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(a, from, to - from)).toString();
        } catch (CharacterCodingException e) {
            throw fail(400, what + " is not UTF-8");
        }
    }

    /** RTSP-Version SP Status-Code SP Reason-Phrase (RFC 2326 section 7.1); an empty reason is tolerated. */
    private void statusLine(byte[] a, int from, int to) throws RtspException {
        response = true;
        checkNoControls(a, from, to, true, "status line");
        int sp = indexOf(a, from, to, ' ');
        if (sp < 0) {
            throw fail(400, "status line without a status code");
        }
        checkVersion(a, from, sp);
        int c = sp + 1;
        if (to - c < 3 || a[c] < '1' || a[c] > '9' || a[c + 1] < '0' || a[c + 1] > '9' || a[c + 2] < '0'
                || a[c + 2] > '9' || (to - c > 3 && a[c + 3] != ' ')) {
            throw fail(400, "status code is not three digits");
        }
        status = (a[c] - '0') * 100 + (a[c + 1] - '0') * 10 + (a[c + 2] - '0');
        reason = to - c > 4 ? new String(a, c + 4, to - c - 4, StandardCharsets.UTF_8) : "";
    }

    /** RTSP/1.0 passes; another well-formed version (RTSP/2.0, HTTP/1.1) is 505; anything else is 400. */
    private void checkVersion(byte[] a, int from, int to) throws RtspException {
        int n = to - from;
        if (n == VERSION.length() && startsWith(a, from, to, RESPONSE_PREFIX) && a[from + 5] == '1' && a[from + 6] == '.'
                && a[from + 7] == '0') {
            return;
        }
        // name "/" 1*DIGIT "." 1*DIGIT, the shape RFC 2326 section 3.1 gives versions
        int slash = indexOf(a, from, to, '/');
        int dot = slash < 0 ? -1 : indexOf(a, slash + 1, to, '.');
        boolean wellFormed = slash > from && dot > slash + 1 && dot < to - 1 && allToken(a, from, slash)
                && allDigits(a, slash + 1, dot) && allDigits(a, dot + 1, to);
        if (wellFormed) {
            throw fail(505, "version " + new String(a, from, n, StandardCharsets.US_ASCII) + " not supported");
        }
        throw fail(400, "malformed version");
    }

    private void headerLine(byte[] a, int from, int to, Handler handler) throws RtspException {
        if (from == to) {
            endOfHeaders(handler);
            return;
        }
        if (headers.size() == MAX_HEADERS) {
            throw fail(400, "more than " + MAX_HEADERS + " header lines");
        }
        if (a[from] == ' ' || a[from] == '\t') {
            throw fail(400, "folded header line (obsolete line folding is not accepted)");
        }
        int colon = indexOf(a, from, to, ':');
        if (colon <= from || !allToken(a, from, colon)) {
            throw fail(400, "header line is not 'name: value'");
        }
        checkNoControls(a, colon + 1, to, true, "header value");
        int vFrom = colon + 1;
        int vTo = to;
        while (vFrom < vTo && (a[vFrom] == ' ' || a[vFrom] == '\t')) {
            vFrom++;
        }
        while (vTo > vFrom && (a[vTo - 1] == ' ' || a[vTo - 1] == '\t')) {
            vTo--;
        }
        String name = new String(a, from, colon - from, StandardCharsets.US_ASCII);
        String value = new String(a, vFrom, vTo - vFrom, StandardCharsets.UTF_8);
        if (name.equalsIgnoreCase("CSeq")) {
            // read now, so that an error in a later header can still be answered with the CSeq the client waits for
            int v = Syntax.cseq(value);
            if (v < 0) {
                throw fail(400, "CSeq '" + value + "' is not a number of at most 2^31-1");
            }
            if (cseq >= 0 && cseq != v) {
                throw fail(400, "two different CSeq values");
            }
            cseq = v;
        }
        headers.append(name, value);
    }

    private void endOfHeaders(Handler handler) throws RtspException {
        if (!response && cseq < 0) {
            throw fail(400, "request without CSeq");
        }
        builtHeaders = headers.build();
        headers = null;
        int length = contentLength(builtHeaders.all("Content-Length"));
        if (length == 0) {
            emit(EMPTY, handler);
        } else {
            state = BODY;
            bodyLength = length;
            bodyFilled = 0;
        }
    }

    /**
     * The body length, 0 without Content-Length (RFC 2326 section 12.14: a message with a body must say its length).
     * Repeated values must agree: two different lengths leave the body's end ambiguous, which is how requests are
     * smuggled past a proxy.
     */
    private int contentLength(List<String> values) throws RtspException {
        if (values.isEmpty()) {
            return 0;
        }
        String first = null;
        for (String v : values) {
            if (!allDigits(v)) {
                throw fail(400, "Content-Length '" + v + "' is not a number");
            }
            String n = stripZeros(v);
            if (first == null) {
                first = n;
            } else if (!first.equals(n)) {
                throw fail(400, "two different Content-Length values");
            }
        }
        // more digits than MAX_BODY has means larger: never parse a number that could overflow
        if (first.length() > Integer.toString(MAX_BODY).length() || Integer.parseInt(first) > MAX_BODY) {
            throw fail(413, "body of " + first + " bytes is over the limit of " + MAX_BODY);
        }
        return Integer.parseInt(first);
    }

    private int body(byte[] b, int pos, int end, Handler handler) throws RtspException {
        int need = bodyLength - bodyFilled;
        int avail = end - pos;
        if (bodyFilled == 0 && avail >= need) {
            emit(Arrays.copyOfRange(b, pos, pos + need), handler);
            return pos + need;
        }
        int n = Math.min(need, avail);
        if (body == null || body.length < bodyFilled + n) {
            // grown as bytes arrive, never to more than the declared length: a length alone commits little memory
            int capacity = body == null ? 4096 : body.length * 2;
            body = Arrays.copyOf(body == null ? EMPTY : body,
                    Math.min(bodyLength, Math.max(bodyFilled + n, capacity)));
        }
        System.arraycopy(b, pos, body, bodyFilled, n);
        bodyFilled += n;
        if (bodyFilled == bodyLength) {
            emit(body, handler);
        }
        return pos + n;
    }

    /** Hands the message out, the decoder already back between messages (the handler may throw). */
    private void emit(byte[] content, Handler handler) throws RtspException {
        RtspHeaders h = builtHeaders;
        boolean isResponse = response;
        String m = method;
        String u = uri;
        int s = status;
        String r = reason;
        state = IDLE;
        builtHeaders = null;
        body = null;
        bodyFilled = 0;
        messageBytes = 0;
        if (isResponse) {
            handler.response(new RtspResponse(s, r, h, content));
        } else {
            handler.request(new RtspRequest(m, u, h, content));
        }
    }

    private RtspException fail(int status, String message) {
        return new RtspException(status, cseq, message);
    }

    private void checkNoControls(byte[] a, int from, int to, boolean tabAllowed, String what) throws RtspException {
        for (int i = from; i < to; i++) {
            int c = a[i] & 0xFF;
            if (Syntax.isForbiddenControl(c) || (c == '\t' && !tabAllowed)) {
                throw fail(400, what + " holds control character 0x" + Integer.toHexString(c));
            }
        }
    }

    private static int indexOf(byte[] a, int from, int to, char c) {
        for (int i = from; i < to; i++) {
            if (a[i] == c) {
                return i;
            }
        }
        return -1;
    }

    private static boolean startsWith(byte[] a, int from, int to, byte[] prefix) {
        if (to - from < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (a[from + i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private static boolean allToken(byte[] a, int from, int to) {
        for (int i = from; i < to; i++) {
            if (!Syntax.isTokenChar(a[i])) {
                return false;
            }
        }
        return true;
    }

    private static boolean allDigits(byte[] a, int from, int to) {
        for (int i = from; i < to; i++) {
            if (a[i] < '0' || a[i] > '9') {
                return false;
            }
        }
        return true;
    }

    private static boolean allDigits(String s) {
        return Syntax.allDigits(s);
    }

    private static String stripZeros(String digits) {
        int i = 0;
        while (i < digits.length() - 1 && digits.charAt(i) == '0') {
            i++;
        }
        return digits.substring(i);
    }
}
