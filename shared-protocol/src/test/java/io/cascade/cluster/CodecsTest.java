package io.cascade.cluster;

import io.cascade.media.Codec;
import io.cascade.media.MediaFrame;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

class CodecsTest {
    private static final MediaFrame FRAME = new MediaFrame(1, Codec.AAC, 90_000L * 3600 * 30, 90_000L * 3600 * 30 + 3000,
            90_000, MediaFrame.FLAG_KEYFRAME | MediaFrame.FLAG_SEGMENT_START, 42, 7_000_000_000L, 1_795_000_000_000L,
            new byte[] {1, 2, 3});

    private static void assertSameFrame(MediaFrame a, MediaFrame b) {
        assertEquals(a.toString(), b.toString());
        assertEquals(a.segmentIndex(), b.segmentIndex());
        assertEquals(a.clockAnchorMillis(), b.clockAnchorMillis());
        assertArrayEquals(a.payload(), b.payload());
    }

    @Test
    void mediaFrameRoundTripsOnTheWireAtAnOffset() {
        MediaFrameCodec codec = new MediaFrameCodec();
        Buffer buffer = Buffer.buffer().appendString("junk");
        codec.encodeToWire(buffer, FRAME);
        assertSameFrame(FRAME, codec.decodeFromWire(4, buffer));
    }

    @Test
    void aJsonDataMessageRoundTripsOnTheWire() {
        MediaFrame message = io.cascade.media.JsonMetadata.frame("message", "{\"score\":[1,2]}", 12_345, 77);
        Buffer buffer = Buffer.buffer();
        new MediaFrameCodec().encodeToWire(buffer, message);
        MediaFrame back = new MediaFrameCodec().decodeFromWire(0, buffer);
        assertSameFrame(message, back);
        assertEquals(Codec.JSON_METADATA, back.codec());
        assertEquals(16, buffer.getUnsignedByte(5), "the codec's wire id");
    }

    @Test
    void localDeliveryDoesNotCopy() {
        assertSame(FRAME, new MediaFrameCodec().transform(FRAME));
    }

    @Test
    void aDamagedLengthIsRefusedBeforeAllocating() {
        Buffer buffer = Buffer.buffer();
        new MediaFrameCodec().encodeToWire(buffer, FRAME);
        buffer.setInt(MediaFrameCodec.HEADER_BYTES - 4, Integer.MAX_VALUE);
        assertThrows(IllegalStateException.class, () -> new MediaFrameCodec().decodeFromWire(0, buffer));
    }

    @Test
    void batchRoundTrips() {
        FrameBatchCodec codec = new FrameBatchCodec();
        Buffer buffer = Buffer.buffer();
        codec.encodeToWire(buffer, new FrameBatch(List.of(FRAME, FRAME), 99, "node-a/7", 3, 2000));
        FrameBatch back = codec.decodeFromWire(0, buffer);
        assertEquals(99, back.lastSequence());
        assertEquals("node-a/7", back.publish());
        assertEquals(3, back.publishOrdinal());
        assertEquals(2000, back.segmentTargetMillis());
        assertEquals(2, back.frames().size());
        assertSameFrame(FRAME, back.frames().get(1));
    }

    @Test
    void feedAckRoundTrips() {
        FeedAckCodec codec = new FeedAckCodec();
        Buffer buffer = Buffer.buffer().appendString("x");
        codec.encodeToWire(buffer, new FeedAck("edge-7", 1L << 40, true));
        assertEquals(new FeedAck("edge-7", 1L << 40, true), codec.decodeFromWire(1, buffer));
    }

    @Test
    void streamEventRoundTrips() {
        StreamEventCodec codec = new StreamEventCodec();
        Buffer buffer = Buffer.buffer();
        codec.encodeToWire(buffer, new StreamEvent(StreamEvent.Kind.STOPPED, "cam-1", "node-a/7"));
        assertEquals(new StreamEvent(StreamEvent.Kind.STOPPED, "cam-1", "node-a/7"), codec.decodeFromWire(0, buffer));
    }
}
