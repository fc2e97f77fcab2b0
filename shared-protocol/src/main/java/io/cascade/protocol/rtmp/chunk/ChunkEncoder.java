package io.cascade.protocol.rtmp.chunk;

/**
 * Encodes messages into chunks with a fixed outbound chunk size. Always fmt 0 for a message's first chunk and fmt 3 for the
 * rest (so the bytes of a message do not depend on what was sent before: the server writes the SAME bytes to many viewers);
 * extended timestamp (when timestamp >= 0xFFFFFF) is repeated on every fmt-3 chunk of the message; csid encoded in 1, 2 or
 * 3 bytes.
 *
 * <p>Stateless apart from the chunk size, so one instance may be shared by threads. Arguments come from our own server
 * code, not from the wire: bad ones are programming errors and throw {@link IllegalArgumentException}.
 */
public final class ChunkEncoder {
    public static final int MIN_CSID = 2;
    /** Largest chunk stream id: the 3-byte basic header form carries 64 + 65535. */
    public static final int MAX_CSID = 65599;
    /** The message length field is 24 bits. */
    public static final int MAX_PAYLOAD_LENGTH = 0xFFFFFF;

    private static final byte[] EMPTY = new byte[0];

    private final int chunkSize;

    public ChunkEncoder(int chunkSize) {
        if (chunkSize < 1 || chunkSize > ChunkDecoder.MAX_CHUNK_SIZE) {
            throw new IllegalArgumentException("chunk size " + chunkSize + " outside 1.." + ChunkDecoder.MAX_CHUNK_SIZE);
        }
        this.chunkSize = chunkSize;
    }

    public int chunkSize() {
        return chunkSize;
    }

    /** Exact number of bytes encode() will write for a payload of this length. */
    public int encodedLength(int chunkStreamId, long timestamp, int payloadLength) {
        checkCsid(chunkStreamId);
        checkLength(payloadLength);
        int basic = basicHeaderLength(chunkStreamId);
        int ext = (timestamp & 0xFFFFFFFFL) >= 0xFFFFFF ? 4 : 0;
        int chunks = payloadLength == 0 ? 1 : (payloadLength - 1) / chunkSize + 1;
        return basic + 11 + ext + (chunks - 1) * (basic + ext) + payloadLength;
    }

    /**
     * Writes the message whose payload is head[0..head.length) followed by body[bodyOffset..bodyOffset+bodyLength) into dst
     * at dstOffset; returns the number of bytes written. head may be empty; it exists so a 2-5 byte FLV tag header and a
     * shared frame payload need no concatenation first. The timestamp is taken modulo 2^32.
     */
    public int encode(int chunkStreamId, int typeId, int messageStreamId, long timestamp, byte[] head, byte[] body,
                      int bodyOffset, int bodyLength, byte[] dst, int dstOffset) {
        if (head == null) {
            head = EMPTY;
        }
        if (body == null) {
            body = EMPTY;
        }
        if (bodyOffset < 0 || bodyLength < 0 || bodyOffset > body.length - bodyLength) {
            throw new IllegalArgumentException("body range " + bodyOffset + "+" + bodyLength + " outside " + body.length);
        }
        if (typeId < 0 || typeId > 255) {
            throw new IllegalArgumentException("type id " + typeId + " is not one byte");
        }
        long total = (long) head.length + bodyLength;
        checkLength(total);
        int payloadLength = (int) total;
        int needed = encodedLength(chunkStreamId, timestamp, payloadLength);
        if (dstOffset < 0 || dstOffset > dst.length - needed) {
            throw new IllegalArgumentException("destination has no room for " + needed + " bytes at " + dstOffset);
        }
        long ts = timestamp & 0xFFFFFFFFL;
        boolean ext = ts >= 0xFFFFFF;
        int p = dstOffset;

        // First chunk: fmt 0.
        p = writeBasicHeader(dst, p, 0, chunkStreamId);
        writeU24(dst, p, ext ? 0xFFFFFF : (int) ts);
        writeU24(dst, p + 3, payloadLength);
        dst[p + 6] = (byte) typeId;
        dst[p + 7] = (byte) messageStreamId;           // message stream id is little-endian
        dst[p + 8] = (byte) (messageStreamId >>> 8);
        dst[p + 9] = (byte) (messageStreamId >>> 16);
        dst[p + 10] = (byte) (messageStreamId >>> 24);
        p += 11;
        if (ext) {
            p = writeU32(dst, p, ts);
        }

        int written = 0;        // payload bytes written so far
        int inChunk = 0;        // payload bytes written in the current chunk
        // Copy head then body, cutting a fmt 3 header in every chunkSize bytes.
        for (int part = 0; part < 2; part++) {
            byte[] src = part == 0 ? head : body;
            int srcPos = part == 0 ? 0 : bodyOffset;
            int srcEnd = part == 0 ? head.length : bodyOffset + bodyLength;
            while (srcPos < srcEnd) {
                if (inChunk == chunkSize) {
                    p = writeBasicHeader(dst, p, 3, chunkStreamId);
                    if (ext) {
                        p = writeU32(dst, p, ts);
                    }
                    inChunk = 0;
                }
                int n = Math.min(chunkSize - inChunk, srcEnd - srcPos);
                System.arraycopy(src, srcPos, dst, p, n);
                p += n;
                srcPos += n;
                inChunk += n;
                written += n;
            }
        }
        assert written == payloadLength && p - dstOffset == needed;
        return p - dstOffset;
    }

    /** Convenience: one message to a new array. */
    public byte[] encode(RtmpMessage message) {
        byte[] payload = message.payload();
        byte[] out = new byte[encodedLength(message.chunkStreamId(), message.timestamp(), payload.length)];
        encode(message.chunkStreamId(), message.typeId(), message.messageStreamId(), message.timestamp(), EMPTY, payload, 0,
                payload.length, out, 0);
        return out;
    }

    static int basicHeaderLength(int csid) {
        return csid < 64 ? 1 : csid < 64 + 256 ? 2 : 3;
    }

    private static int writeBasicHeader(byte[] dst, int p, int fmt, int csid) {
        if (csid < 64) {
            dst[p] = (byte) (fmt << 6 | csid);
            return p + 1;
        }
        int v = csid - 64;
        if (v < 256) {
            dst[p] = (byte) (fmt << 6);
            dst[p + 1] = (byte) v;
            return p + 2;
        }
        dst[p] = (byte) (fmt << 6 | 1);
        dst[p + 1] = (byte) v;
        dst[p + 2] = (byte) (v >>> 8);
        return p + 3;
    }

    private static void writeU24(byte[] dst, int p, int v) {
        dst[p] = (byte) (v >>> 16);
        dst[p + 1] = (byte) (v >>> 8);
        dst[p + 2] = (byte) v;
    }

    private static int writeU32(byte[] dst, int p, long v) {
        dst[p] = (byte) (v >>> 24);
        dst[p + 1] = (byte) (v >>> 16);
        dst[p + 2] = (byte) (v >>> 8);
        dst[p + 3] = (byte) v;
        return p + 4;
    }

    private static void checkCsid(int csid) {
        if (csid < MIN_CSID || csid > MAX_CSID) {
            throw new IllegalArgumentException("chunk stream id " + csid + " outside " + MIN_CSID + ".." + MAX_CSID);
        }
    }

    private static void checkLength(long length) {
        if (length < 0 || length > MAX_PAYLOAD_LENGTH) {
            throw new IllegalArgumentException("payload length " + length + " outside 0.." + MAX_PAYLOAD_LENGTH);
        }
    }
}
