package io.cascade.cluster;

import io.cascade.media.MediaFrame;
import io.vertx.core.buffer.Buffer;

import java.util.ArrayList;
import java.util.List;

/**
 * Binary codec of {@link FrameBatch}: i64 last sequence, u16 publish id length + UTF-8 id, i64 publish ordinal,
 * i64 segment target, i32 count, then each
 * frame as {@link MediaFrameCodec} writes it.
 */
public final class FrameBatchCodec extends ImmutableMessageCodec<FrameBatch> {
    public static final String NAME = "cascade-frame-batch";
    /** A snapshot is config + metadata + a few segments; the ingest's cache never holds more than this. */
    public static final int MAX_FRAMES = 4096;

    public FrameBatchCodec() {
        super(NAME);
    }

    @Override
    public void encodeToWire(Buffer buffer, FrameBatch batch) {
        byte[] publish = batch.publish().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        ImmutableMessageCodec.checkShortString(publish);
        buffer.appendLong(batch.lastSequence()).appendUnsignedShort(publish.length).appendBytes(publish)
                .appendLong(batch.publishOrdinal()).appendLong(batch.segmentTargetMillis()).appendInt(batch.frames().size());
        for (MediaFrame f : batch.frames()) {
            MediaFrameCodec.write(buffer, f);
        }
    }

    @Override
    public FrameBatch decodeFromWire(int pos, Buffer buffer) {
        long last = buffer.getLong(pos);
        int publishLength = buffer.getUnsignedShort(pos + 8);
        String publish = buffer.getString(pos + 10, pos + 10 + publishLength, "UTF-8");
        long ordinal = buffer.getLong(pos + 10 + publishLength);
        long target = buffer.getLong(pos + 18 + publishLength);
        int countAt = pos + 26 + publishLength;
        int count = buffer.getInt(countAt);
        if (count < 0 || count > MAX_FRAMES) {
            throw new IllegalStateException("frame batch count " + count + " outside 0.." + MAX_FRAMES);
        }
        int at = countAt + 4;
        List<MediaFrame> frames = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            MediaFrame f = MediaFrameCodec.read(buffer, at);
            at += MediaFrameCodec.wireLength(f);
            frames.add(f);
        }
        return new FrameBatch(frames, last, publish, ordinal, target);
    }
}
