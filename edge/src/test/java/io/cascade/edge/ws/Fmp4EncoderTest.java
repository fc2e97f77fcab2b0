package io.cascade.edge.ws;

import io.cascade.media.Codec;
import io.cascade.media.MediaFrame;
import io.cascade.media.TrackType;
import io.cascade.protocol.mp4.ClipFrames;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The WebSocket encoding's units, without sockets. */
class Fmp4EncoderTest {
    private static String box(ByteBuf b) {
        return b.toString(b.readerIndex() + 4, 4, StandardCharsets.ISO_8859_1);
    }

    @Test
    void configsBecomeInitUnitsMediaBecomesFragmentsAndMetadataNothing() throws Exception {
        Fmp4Encoder encoder = new Fmp4Encoder();
        List<MediaFrame> clip = ClipFrames.load();
        int inits = 0;
        int fragments = 0;
        ByteBuf lastInit = null;
        for (MediaFrame f : clip) {
            byte[] unit = encoder.encode(f, f.dtsMillis());
            if (f.trackType() == TrackType.DATA) {
                assertNull(unit, "metadata has no place in fMP4");
                continue;
            }
            assertNotNull(unit, f.toString());
            ByteBuf b = Unpooled.wrappedBuffer(unit);
            if (f.isConfig()) {
                assertEquals(Fmp4Encoder.INIT, Fmp4Encoder.kind(b));
                assertEquals("ftyp", box(Fmp4Encoder.body(b)));
                lastInit = b;
                inits++;
            } else {
                assertEquals(Fmp4Encoder.FRAGMENT, Fmp4Encoder.kind(b));
                assertEquals("moof", box(Fmp4Encoder.body(b)));
                fragments++;
            }
        }
        assertEquals(2, inits, "one per config frame, each with every track known by then");
        assertTrue(fragments > ClipFrames.VIDEO_FRAMES);
        String mime = Fmp4Encoder.text(lastInit);
        assertTrue(mime.matches("video/mp4; codecs=\"avc1\\.[0-9A-Fa-f]{6},mp4a\\.40\\.2\""), mime);
    }

    /**
     * Keyframes carry the clock once a segment start told the encoder the stream's anchor: wall clock = anchor + the
     * frame's own media time, time = the viewer-facing timestamp (here 5 s later, as after a republish).
     */
    @Test
    void keyframesCarryTheWallClockOfTheirDecodeTimeOnceTheAnchorIsKnown() throws Exception {
        Fmp4Encoder encoder = new Fmp4Encoder();
        long anchor = 1_796_599_500_000L;
        long shift = 5_000;
        int clocks = 0;
        int keyframesBeforeAnchor = 0;
        boolean anchored = false;
        int keyframesSeen = 0;
        for (MediaFrame f : ClipFrames.load()) {
            MediaFrame placed = f;
            if (f.trackType() == TrackType.VIDEO && f.isKeyframe() && !f.isConfig() && ++keyframesSeen == 2) {
                placed = f.inSegment(0, true, false, anchor); // the second keyframe starts a segment
                anchored = true;
            }
            byte[] unit = encoder.encode(placed, placed.dtsMillis() + shift);
            if (unit == null || placed.isConfig()) {
                continue;
            }
            ByteBuf b = Unpooled.wrappedBuffer(unit);
            assertEquals("moof", box(Fmp4Encoder.body(b)));
            boolean keyframe = placed.trackType() == TrackType.VIDEO && placed.isKeyframe();
            if (keyframe && anchored) {
                assertEquals(Fmp4Encoder.CLOCK, Fmp4Encoder.kind(b), placed.toString());
                long ts = placed.dtsMillis() + shift;
                assertEquals("{\"wallclock\":" + (anchor + placed.dtsMillis()) + ",\"time\":" + ts / 1000 + "."
                        + String.format("%03d", ts % 1000) + "}", Fmp4Encoder.text(b));
                clocks++;
            } else {
                if (keyframe) {
                    keyframesBeforeAnchor++;
                }
                assertEquals(Fmp4Encoder.FRAGMENT, Fmp4Encoder.kind(b),
                        "no clock before the anchor, none between keyframes");
            }
        }
        assertEquals(1, keyframesBeforeAnchor);
        assertTrue(clocks >= 1, "every keyframe from the anchor on: " + clocks);
        assertEquals("{\"wallclock\":1,\"time\":0.040}", Fmp4Encoder.clockJson(1, 40));
        assertEquals("{\"wallclock\":1,\"time\":123.456}", Fmp4Encoder.clockJson(1, 123_456));
    }

    @Test
    void aFrameTheWriterCannotCarryIsSkippedNotThrown() throws Exception {
        Fmp4Encoder encoder = new Fmp4Encoder();
        for (MediaFrame f : ClipFrames.load().subList(0, 3)) {
            encoder.encode(f, 0);
        }
        byte[] notNalUnits = {0, 0, 0, 9, 1, 2};
        assertNull(encoder.encode(new MediaFrame(0, Codec.H264, 40, 40, 1000, 0, 0, 99, notNalUnits), 40));
        assertNull(encoder.encode(new MediaFrame(0, Codec.H264, 0, 0, 1000, MediaFrame.FLAG_CONFIG, 0, 100,
                new byte[] {1, 2, 3}), 0), "a damaged config");
    }

    @Test
    void afterAPublishEndedNothingIsSentUntilTheNextConfig() throws Exception {
        Fmp4Encoder encoder = new Fmp4Encoder();
        List<MediaFrame> clip = ClipFrames.load();
        MediaFrame media = null;
        for (MediaFrame f : clip) {
            encoder.encode(f, f.dtsMillis());
            if (!f.isConfig() && f.trackType() == TrackType.VIDEO) {
                media = f;
            }
        }
        encoder.publishEnded();
        assertNull(encoder.encode(media, 5000), "no track until the new publish's config");
    }

    @Test
    void jsonDataMessagesAreNoFragment() {
        org.junit.jupiter.api.Assertions.assertNull(new Fmp4Encoder().encode(
                io.cascade.media.JsonMetadata.frame("message", "{\"a\":1}", 1000, 5), 1000));
    }
}
