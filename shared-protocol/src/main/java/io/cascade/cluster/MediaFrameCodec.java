package io.cascade.cluster;

import io.cascade.media.Codec;
import io.cascade.media.MediaFrame;
import io.vertx.core.buffer.Buffer;

/**
 * Binary event-bus codec of {@link MediaFrame}. Local delivery hands over the same immutable object (no copy);
 * the wire form is a fixed header and the payload, so one frame costs one copy per remote node.
 *
 * <pre>
 * u8 version | i32 track | u8 codec | i64 dts | i64 pts | i32 timescale | i32 flags | i64 segment | i64 sequence
 * | i64 clock anchor | i32 payload length | payload
 * </pre>
 */
public final class MediaFrameCodec extends ImmutableMessageCodec<MediaFrame> {
    public static final String NAME = "cascade-media-frame";
    static final byte VERSION = 2;
    /** A frame is one access unit: the largest we accept from any ingest (MPEG-TS access unit limit). */
    public static final int MAX_PAYLOAD = 8 << 20;
    static final int HEADER_BYTES = 1 + 4 + 1 + 8 + 8 + 4 + 4 + 8 + 8 + 8 + 4;

    public MediaFrameCodec() {
        super(NAME);
    }

    @Override
    public void encodeToWire(Buffer buffer, MediaFrame f) {
        write(buffer, f);
    }

    @Override
    public MediaFrame decodeFromWire(int pos, Buffer buffer) {
        return read(buffer, pos);
    }

    static void write(Buffer buffer, MediaFrame f) {
        buffer.appendByte(VERSION)
                .appendInt(f.track())
                .appendByte((byte) f.codec().wireId())
                .appendLong(f.dts())
                .appendLong(f.pts())
                .appendInt(f.timescale())
                .appendInt(f.flags())
                .appendLong(f.segmentIndex())
                .appendLong(f.sequence())
                .appendLong(f.clockAnchorMillis())
                .appendInt(f.payload().length)
                .appendBytes(f.payload());
    }

    static MediaFrame read(Buffer buffer, int pos) {
        byte version = buffer.getByte(pos);
        if (version != VERSION) {
            throw new IllegalStateException("media frame wire version " + version + ", expected " + VERSION);
        }
        int track = buffer.getInt(pos + 1);
        Codec codec = Codec.fromWireId(buffer.getUnsignedByte(pos + 5));
        long dts = buffer.getLong(pos + 6);
        long pts = buffer.getLong(pos + 14);
        int timescale = buffer.getInt(pos + 22);
        int flags = buffer.getInt(pos + 26);
        long segment = buffer.getLong(pos + 30);
        long sequence = buffer.getLong(pos + 38);
        long anchor = buffer.getLong(pos + 46);
        int length = buffer.getInt(pos + 54);
        if (length < 0 || length > MAX_PAYLOAD) {
            throw new IllegalStateException("media frame payload length " + length + " outside 0.." + MAX_PAYLOAD);
        }
        byte[] payload = buffer.getBytes(pos + HEADER_BYTES, pos + HEADER_BYTES + length);
        return new MediaFrame(track, codec, dts, pts, timescale, flags, segment, sequence, anchor, payload);
    }

    static int wireLength(MediaFrame f) {
        return HEADER_BYTES + f.payload().length;
    }
}
