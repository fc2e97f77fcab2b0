package io.cascade.protocol.rtmp.chunk;

import io.cascade.protocol.rtmp.RtmpProtocolException;

import java.util.Arrays;
import java.util.function.Consumer;

/**
 * Incremental chunk-stream decoder for one connection (NOT thread-safe). It applies the peer's SetChunkSize (type 1) and
 * Abort (type 2) itself, because the next chunk's parsing depends on them, and still passes those messages out.
 *
 * <p>Memory: payload bytes are copied straight from the fed array into one reassembly buffer per chunk stream, grown as
 * bytes arrive (never sized from the declared length alone); an incomplete chunk header (at most 18 bytes) is kept in a small
 * fixed buffer. Bytes held = partial message bytes + that header tail, bounded by {@link #MAX_BUFFERED_BYTES}.
 *
 * <p>After an {@link RtmpProtocolException} the decoder is failed: every later {@link #feed} throws too.
 */
public final class ChunkDecoder {
    public static final int DEFAULT_CHUNK_SIZE = 128;
    /** Smaller chunk sizes multiply per-chunk work (a header per few bytes); SRS refuses them too. */
    public static final int MIN_CHUNK_SIZE = 128;
    /** The largest chunk size that makes sense: a message length is a 24-bit field, so no chunk can carry more. */
    public static final int MAX_CHUNK_SIZE = 0xFFFFFF;       // 16,777,215
    /** Distinct chunk stream ids with state per connection; real clients use fewer than 10, each costs a state object. */
    public static final int MAX_CHUNK_STREAMS = 64;
    /** All partial messages + unparsed input of one connection: twice the largest message, caps a hostile peer's memory. */
    public static final int MAX_BUFFERED_BYTES = 32 << 20;
    /** The largest message length the 24-bit length field can declare. */
    public static final int MAX_MESSAGE_LENGTH = 0xFFFFFF;
    /**
     * Up to this declared length a message's buffer is allocated whole when it starts (one allocation, handed out without a
     * copy); longer messages grow as bytes arrive. Worst case unreceived allocation: MAX_CHUNK_STREAMS x this = 4 MiB.
     */
    static final int EAGER_ALLOCATION_LIMIT = 64 * 1024;
    /** Longest chunk header: 3-byte basic header + 11-byte message header + 4-byte extended timestamp. */
    static final int MAX_HEADER_LENGTH = 18;

    private static final int[] MESSAGE_HEADER_LENGTH = {11, 7, 3, 0};
    private static final int TYPE_SET_CHUNK_SIZE = 1;
    private static final int TYPE_ABORT = 2;
    private static final int LOW_CSIDS = 64;

    /** Per chunk stream id state: the last header seen and the message being reassembled. */
    private static final class ChunkStream {
        final int csid;
        boolean hasHeader;
        /** The last header's timestamp field was 0xFFFFFF: every chunk of this stream carries a 4-byte extended timestamp. */
        boolean extended;
        long timestamp;
        long delta;
        int length;
        int typeId;
        int messageStreamId;
        /** A message is in progress (some of its chunks seen, not yet complete). */
        boolean inMessage;
        byte[] buffer;
        int filled;

        ChunkStream(int csid) {
            this.csid = csid;
        }
    }

    private final ChunkStream[] lowStreams = new ChunkStream[LOW_CSIDS];
    private final ChunkStream[] highStreams = new ChunkStream[MAX_CHUNK_STREAMS];
    private int highCount;
    private int streamCount;

    private final byte[] header = new byte[MAX_HEADER_LENGTH];
    private int headerFilled;

    /** Stream whose chunk payload is being read, or null when a chunk header is expected next. */
    private ChunkStream current;
    private int chunkRemaining;

    private int chunkSize = DEFAULT_CHUNK_SIZE;
    private long bytesReceived;
    private long buffered;
    private boolean failed;

    public ChunkDecoder() {
    }

    /** Current inbound chunk size. */
    public int chunkSize() {
        return chunkSize;
    }

    /** Total bytes fed (for acknowledgements). */
    public long bytesReceived() {
        return bytesReceived;
    }

    /** Bytes currently held: received bytes of partial messages plus an incomplete chunk header. */
    long bytesBuffered() {
        return buffered;
    }

    /** Bytes currently allocated for reassembly (capacity, not content). */
    long bytesAllocated() {
        long total = header.length;
        for (ChunkStream cs : lowStreams) {
            if (cs != null && cs.buffer != null) {
                total += cs.buffer.length;
            }
        }
        for (int i = 0; i < highCount; i++) {
            if (highStreams[i].buffer != null) {
                total += highStreams[i].buffer.length;
            }
        }
        return total;
    }

    /** Feeds bytes; every complete message is passed to out, in order. Keeps any incomplete tail internally. */
    public void feed(byte[] data, int offset, int length, Consumer<RtmpMessage> out) throws RtmpProtocolException {
        if (failed) {
            throw new RtmpProtocolException("chunk decoder already failed on earlier input");
        }
        if (offset < 0 || length < 0 || offset > data.length - length) {
            throw new IndexOutOfBoundsException("offset " + offset + " length " + length + " array " + data.length);
        }
        bytesReceived += length;
        try {
            decode(data, offset, offset + length, out);
        } catch (RtmpProtocolException e) {
            failed = true;
            throw e;
        }
    }

    private void decode(byte[] data, int pos, int end, Consumer<RtmpMessage> out) throws RtmpProtocolException {
        while (pos < end) {
            if (current == null) {
                if (headerFilled == 0) {
                    // Fast path: the whole header is in the fed array.
                    int need = headerLength(data, pos, end - pos);
                    if (need > 0 && need <= end - pos) {
                        parseHeader(data, pos, out);
                        pos += need;
                        continue;
                    }
                }
                // Slow path: gather the header in the small buffer, a few bytes at a time.
                int need = headerFilled == 0 ? 1 : headerLength(header, 0, headerFilled);
                if (need < 0) {
                    need = headerFilled + 1;
                }
                int n = Math.min(need - headerFilled, end - pos);
                System.arraycopy(data, pos, header, headerFilled, n);
                headerFilled += n;
                buffered += n;
                pos += n;
                if (headerFilled == need) {
                    int full = headerLength(header, 0, headerFilled);
                    if (full == headerFilled) {
                        buffered -= headerFilled;
                        headerFilled = 0;
                        parseHeader(header, 0, out);
                    }
                }
                continue;
            }
            int n = Math.min(chunkRemaining, end - pos);
            ChunkStream cs = current;
            if (buffered + n > MAX_BUFFERED_BYTES) {
                throw new RtmpProtocolException("chunk stream " + cs.csid + ": more than " + MAX_BUFFERED_BYTES
                        + " bytes of partial messages buffered");
            }
            ensureCapacity(cs, cs.filled + n, n);
            System.arraycopy(data, pos, cs.buffer, cs.filled, n);
            cs.filled += n;
            buffered += n;
            pos += n;
            chunkRemaining -= n;
            if (chunkRemaining == 0) {
                current = null;
                if (cs.filled == cs.length) {
                    complete(cs, out);
                }
            }
        }
    }

    /**
     * Total header length of the chunk starting at b[off], or -1 when more of it must be seen to know. Throws for a fmt 3
     * chunk on a stream with no earlier header (its length depends on that header).
     */
    private int headerLength(byte[] b, int off, int avail) throws RtmpProtocolException {
        if (avail < 1) {
            return -1;
        }
        int b0 = b[off] & 0xFF;
        int fmt = b0 >>> 6;
        int low = b0 & 0x3F;
        int basic = low == 0 ? 2 : low == 1 ? 3 : 1;
        int base = basic + MESSAGE_HEADER_LENGTH[fmt];
        if (fmt == 3) {
            if (avail < basic) {
                return -1;
            }
            ChunkStream cs = lookup(csid(b, off, low));
            if (cs == null || !cs.hasHeader) {
                throw new RtmpProtocolException("chunk stream " + csid(b, off, low) + ": fmt 3 chunk with no earlier fmt 0 header");
            }
            return cs.extended ? base + 4 : base;
        }
        if (avail < basic + 3) {
            return -1;
        }
        return u24(b, off + basic) == 0xFFFFFF ? base + 4 : base;
    }

    private static int csid(byte[] b, int off, int low) {
        if (low == 0) {
            return 64 + (b[off + 1] & 0xFF);
        }
        if (low == 1) {
            return 64 + (b[off + 1] & 0xFF) + ((b[off + 2] & 0xFF) << 8);
        }
        return low;
    }

    /** Parses a complete header (its length already checked by headerLength) and sets up reading the chunk's payload. */
    private void parseHeader(byte[] b, int off, Consumer<RtmpMessage> out) throws RtmpProtocolException {
        int b0 = b[off] & 0xFF;
        int fmt = b0 >>> 6;
        int low = b0 & 0x3F;
        int csid = csid(b, off, low);
        int p = off + (low == 0 ? 2 : low == 1 ? 3 : 1);
        ChunkStream cs = fmt == 0 ? lookupOrCreate(csid) : lookup(csid);
        if (cs == null || !cs.hasHeader) {
            throw new RtmpProtocolException("chunk stream " + csid + ": fmt " + fmt + " chunk with no earlier fmt 0 header");
        }
        boolean newMessage = !cs.inMessage;
        if (fmt != 3 && !newMessage) {
            throw new RtmpProtocolException("chunk stream " + csid + ": fmt " + fmt + " header while a " + cs.length
                    + "-byte message is incomplete (" + cs.filled + " bytes received)");
        }
        switch (fmt) {
            case 0 -> {
                int tsField = u24(b, p);
                cs.length = u24(b, p + 3);
                cs.typeId = b[p + 6] & 0xFF;
                cs.messageStreamId = (b[p + 7] & 0xFF) | (b[p + 8] & 0xFF) << 8 | (b[p + 9] & 0xFF) << 16
                        | (b[p + 10] & 0xFF) << 24;
                cs.extended = tsField == 0xFFFFFF;
                cs.timestamp = cs.extended ? u32(b, p + 11) : tsField;
                // Spec: a fmt 3 chunk starting a message after a fmt 0 uses the fmt 0 timestamp as its delta.
                cs.delta = cs.timestamp;
            }
            case 1, 2 -> {
                int tsField = u24(b, p);
                if (fmt == 1) {
                    cs.length = u24(b, p + 3);
                    cs.typeId = b[p + 6] & 0xFF;
                }
                cs.extended = tsField == 0xFFFFFF;
                cs.delta = cs.extended ? u32(b, p + MESSAGE_HEADER_LENGTH[fmt]) : tsField;
                cs.timestamp = (cs.timestamp + cs.delta) & 0xFFFFFFFFL;
            }
            default -> {
                // fmt 3: continuation, or a new message repeating the previous header and delta. A repeated extended
                // timestamp (cs.extended) was already counted in the header length and carries nothing new.
                if (newMessage) {
                    cs.timestamp = (cs.timestamp + cs.delta) & 0xFFFFFFFFL;
                }
            }
        }
        if (newMessage) {
            cs.inMessage = true;
            cs.filled = 0;
            if (cs.length == 0) {
                complete(cs, out);
                return;
            }
            if (cs.buffer == null && cs.length <= EAGER_ALLOCATION_LIMIT) {
                cs.buffer = new byte[cs.length];
            }
        }
        chunkRemaining = Math.min(chunkSize, cs.length - cs.filled);
        current = cs;
    }

    private static void ensureCapacity(ChunkStream cs, int needed, int arriving) {
        byte[] buf = cs.buffer;
        if (buf != null && buf.length >= needed) {
            return;
        }
        int cap = buf == null ? Math.max(arriving, Math.min(cs.length, EAGER_ALLOCATION_LIMIT))
                : Math.max(needed, buf.length <= cs.length / 2 ? buf.length * 2 : cs.length);
        cap = Math.min(Math.max(cap, needed), cs.length);
        cs.buffer = buf == null ? new byte[cap] : Arrays.copyOf(buf, cap);
    }

    private void complete(ChunkStream cs, Consumer<RtmpMessage> out) throws RtmpProtocolException {
        byte[] payload;
        if (cs.length == 0) {
            payload = EMPTY;
        } else if (cs.buffer.length == cs.length) {
            payload = cs.buffer;
        } else {
            payload = Arrays.copyOf(cs.buffer, cs.length);
        }
        cs.buffer = null;
        buffered -= cs.filled;
        cs.filled = 0;
        cs.inMessage = false;
        if (cs.typeId == TYPE_SET_CHUNK_SIZE) {
            applySetChunkSize(cs, payload);
        } else if (cs.typeId == TYPE_ABORT) {
            applyAbort(cs, payload);
        }
        out.accept(new RtmpMessage(cs.csid, cs.typeId, cs.messageStreamId, cs.timestamp, payload));
    }

    private void applySetChunkSize(ChunkStream cs, byte[] payload) throws RtmpProtocolException {
        if (payload.length < 4) {
            throw new RtmpProtocolException("chunk stream " + cs.csid + ": SetChunkSize payload of " + payload.length
                    + " bytes, need 4");
        }
        long size = u32(payload, 0);
        if (size < MIN_CHUNK_SIZE || size > MAX_CHUNK_SIZE) {
            throw new RtmpProtocolException("chunk stream " + cs.csid + ": SetChunkSize " + size + " outside "
                    + MIN_CHUNK_SIZE + ".." + MAX_CHUNK_SIZE);
        }
        chunkSize = (int) size;
    }

    private void applyAbort(ChunkStream cs, byte[] payload) throws RtmpProtocolException {
        if (payload.length < 4) {
            throw new RtmpProtocolException("chunk stream " + cs.csid + ": Abort payload of " + payload.length
                    + " bytes, need 4");
        }
        long target = u32(payload, 0);
        if (target > 65599) {
            return; // not a valid chunk stream id: nothing to abort
        }
        ChunkStream t = lookup((int) target);
        if (t != null && t.inMessage && t != current) {
            buffered -= t.filled;
            t.filled = 0;
            t.buffer = null;
            t.inMessage = false;
        }
    }

    private ChunkStream lookup(int csid) {
        if (csid < LOW_CSIDS) {
            return lowStreams[csid];
        }
        for (int i = 0; i < highCount; i++) {
            if (highStreams[i].csid == csid) {
                return highStreams[i];
            }
        }
        return null;
    }

    private ChunkStream lookupOrCreate(int csid) throws RtmpProtocolException {
        ChunkStream cs = lookup(csid);
        if (cs != null) {
            return cs;
        }
        if (streamCount >= MAX_CHUNK_STREAMS) {
            throw new RtmpProtocolException("chunk stream " + csid + ": more than " + MAX_CHUNK_STREAMS
                    + " distinct chunk stream ids on one connection");
        }
        cs = new ChunkStream(csid);
        cs.hasHeader = true;
        streamCount++;
        if (csid < LOW_CSIDS) {
            lowStreams[csid] = cs;
        } else {
            highStreams[highCount++] = cs;
        }
        return cs;
    }

    private static final byte[] EMPTY = new byte[0];

    private static int u24(byte[] b, int off) {
        return (b[off] & 0xFF) << 16 | (b[off + 1] & 0xFF) << 8 | (b[off + 2] & 0xFF);
    }

    private static long u32(byte[] b, int off) {
        return ((long) (b[off] & 0xFF) << 24) | (b[off + 1] & 0xFF) << 16 | (b[off + 2] & 0xFF) << 8 | (b[off + 3] & 0xFF);
    }
}
