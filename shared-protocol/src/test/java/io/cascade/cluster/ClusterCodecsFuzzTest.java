package io.cascade.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.cascade.media.Codec;
import io.cascade.media.JsonMetadata;
import io.cascade.media.MediaFrame;
import io.cascade.testing.FuzzSeeds;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * The cluster's event-bus codecs decoding whatever a peer (or a damaged link) might send, at a data-derived offset:
 * a message either decodes to one that encodes and decodes back to itself, or is refused with
 * {@link IllegalStateException} (bad version, kind, length or count), {@link IllegalArgumentException} (a value no
 * frame may have) or {@link IndexOutOfBoundsException} (cut short) — nothing else, and no allocation beyond the bounds
 * the codecs declare. Seeds: every kind of message encoded by the codecs themselves.
 * {@code JAZZER_FUZZ=1 mvn -pl shared-protocol test -Dtest='ClusterCodecsFuzzTest#frame'} fuzzes (one method a run).
 */
class ClusterCodecsFuzzTest {
    private static final Path SEED_DIR = Path.of("src/test/resources/io/cascade/cluster/ClusterCodecsFuzzTestInputs");

    @FuzzTest(maxDuration = "10s")
    void frame(byte[] data) {
        decode(data, new MediaFrameCodec(), ClusterCodecsFuzzTest::sameFrame);
    }

    @FuzzTest(maxDuration = "10s")
    void batch(byte[] data) {
        decode(data, new FrameBatchCodec(), (a, b) -> {
            assertEquals(a.lastSequence(), b.lastSequence());
            assertEquals(a.publish(), b.publish());
            assertEquals(a.publishOrdinal(), b.publishOrdinal());
            assertEquals(a.segmentTargetMillis(), b.segmentTargetMillis());
            assertEquals(a.frames().size(), b.frames().size());
            assertTrue(a.frames().size() <= FrameBatchCodec.MAX_FRAMES);
            for (int i = 0; i < a.frames().size(); i++) {
                sameFrame(a.frames().get(i), b.frames().get(i));
            }
        });
    }

    @FuzzTest(maxDuration = "10s")
    void event(byte[] data) {
        decode(data, new StreamEventCodec(), Assertions2::same);
    }

    @FuzzTest(maxDuration = "10s")
    void ack(byte[] data) {
        decode(data, new FeedAckCodec(), Assertions2::same);
    }

    /** The first byte is the offset the message starts at in the buffer (bytes before it are junk). */
    private static <T> void decode(byte[] data, ImmutableMessageCodec<T> codec, java.util.function.BiConsumer<T, T> same) {
        if (data.length == 0) {
            return;
        }
        int offset = Math.min(data[0] & 0x0F, data.length - 1);
        Buffer buffer = Buffer.buffer(Arrays.copyOfRange(data, 1, data.length));
        T decoded;
        try {
            decoded = codec.decodeFromWire(offset, buffer);
        } catch (IllegalStateException | IllegalArgumentException | IndexOutOfBoundsException refused) {
            return;
        }
        Buffer again = Buffer.buffer();
        try {
            codec.encodeToWire(again, decoded);
        } catch (IllegalArgumentException tooLong) {
            // a decoded string whose replacement characters take more than 65535 bytes: refused, never wrapped
            assertTrue(tooLong.getMessage().contains("16-bit length"), tooLong.getMessage());
            return;
        }
        same.accept(decoded, codec.decodeFromWire(0, again));
    }

    private static void sameFrame(MediaFrame a, MediaFrame b) {
        assertEquals(a.toString(), b.toString());
        assertEquals(a.segmentIndex(), b.segmentIndex());
        assertEquals(a.clockAnchorMillis(), b.clockAnchorMillis());
        assertTrue(Arrays.equals(a.payload(), b.payload()));
        assertTrue(a.payload().length <= MediaFrameCodec.MAX_PAYLOAD);
    }

    /** Equality for the records. */
    private static final class Assertions2 {
        static <T> void same(T a, T b) {
            assertEquals(a, b);
        }
    }

    private static final MediaFrame KEYFRAME = new MediaFrame(0, Codec.H264, 90_000, 93_000, 90_000,
            MediaFrame.FLAG_KEYFRAME | MediaFrame.FLAG_SEGMENT_START, 3, 41, 1_795_000_000_000L,
            new byte[] {0, 0, 0, 2, 0x65, (byte) 0x88});
    private static final MediaFrame AUDIO = new MediaFrame(1, Codec.AAC, 44_100, 44_100, 44_100, 0, 3, 42, 0,
            new byte[] {0x21, 0x10});

    private static <T> byte[] wire(ImmutableMessageCodec<T> codec, T message, int offset) {
        Buffer b = Buffer.buffer();
        b.appendBytes(new byte[offset]);
        codec.encodeToWire(b, message);
        byte[] out = new byte[b.length() + 1];
        out[0] = (byte) offset;
        b.getBytes(0, b.length(), out, 1);
        return out;
    }

    static Map<String, Map<String, byte[]>> seeds() {
        Map<String, byte[]> frames = new TreeMap<>();
        frames.put("keyframe", wire(new MediaFrameCodec(), KEYFRAME, 0));
        frames.put("audio_at_offset", wire(new MediaFrameCodec(), AUDIO, 5));
        frames.put("json_message", wire(new MediaFrameCodec(), JsonMetadata.frame("message", "{\"a\":[1]}", 1_000, 7), 0));
        byte[] badLength = wire(new MediaFrameCodec(), AUDIO, 0);
        badLength[1 + MediaFrameCodec.HEADER_BYTES - 4] = (byte) 0x7F;
        frames.put("length_too_large", badLength);
        Map<String, byte[]> batches = new TreeMap<>();
        batches.put("two_frames", wire(new FrameBatchCodec(), new FrameBatch(List.of(KEYFRAME, AUDIO), 42, "ingest/3", 2,
                2_000), 0));
        batches.put("empty", wire(new FrameBatchCodec(), new FrameBatch(List.of(), 0, "", 0, 1_000), 2));
        Map<String, byte[]> events = new TreeMap<>();
        for (StreamEvent.Kind kind : StreamEvent.Kind.values()) {
            events.put(kind.name().toLowerCase(), wire(new StreamEventCodec(), new StreamEvent(kind, "cam1", "node-a/1"), 0));
        }
        byte[] unknownKind = wire(new StreamEventCodec(), new StreamEvent(StreamEvent.Kind.values()[0], "x", "y"), 0);
        unknownKind[1] = (byte) 0xFE;
        events.put("unknown_kind", unknownKind);
        Map<String, byte[]> acks = new TreeMap<>();
        acks.put("ack", wire(new FeedAckCodec(), new FeedAck("edge-7", 1L << 40, false), 0));
        acks.put("leaving", wire(new FeedAckCodec(), new FeedAck("edge-é", 9, true), 3));
        return Map.of("frame", frames, "batch", batches, "event", events, "ack", acks);
    }

    @Test
    void fuzzBodiesAcceptEverySeedAndTruncation() throws IOException {
        Map<String, Consumer<byte[]>> bodies = Map.of("frame", this::frame, "batch", this::batch, "event", this::event,
                "ack", this::ack);
        FuzzSeeds.replay(SEED_DIR, seeds(), bodies, 500);
    }

    @Test
    void committedSeedFilesMatchTheTable() throws IOException {
        FuzzSeeds.checkCommitted(SEED_DIR, seeds());
    }
}
