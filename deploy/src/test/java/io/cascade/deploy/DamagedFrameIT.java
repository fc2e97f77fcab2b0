package io.cascade.deploy;

import io.cascade.media.Codec;
import io.cascade.protocol.flv.FlvTags;
import io.cascade.protocol.h264.AvcDecoderConfig;
import io.cascade.protocol.rtmp.chunk.RtmpMessage;
import io.cascade.protocol.rtmp.message.MessageType;
import io.cascade.testing.TestRtmpClient;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * A publisher sends one damaged frame (a NAL unit length past the end of its message) among good ones over a real
 * socket: the frame is dropped and counted, the publisher stays connected, and the viewer gets every good frame.
 */
@Tag("interop")
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DamagedFrameIT {
    private static final byte[] SPS = HexFormat.of().parseHex("6742c01e8c8d40");
    private static final byte[] PPS = HexFormat.of().parseHex("68ce3c80");
    private static final int GOOD_BEFORE = 10;
    private static final int GOOD_AFTER = 20;

    @Test
    void aDamagedFrameIsDroppedAndCountedAndThePublisherStays() throws Exception {
        int rtmp = Clients.freePort();
        CascadeNode node = Clients.startSingle("damaged", rtmp, 0);
        try (TestRtmpClient viewer = new TestRtmpClient(rtmp, 10_000);
             TestRtmpClient publisher = new TestRtmpClient(rtmp, 10_000)) {
            viewer.handshake(false);
            viewer.connect("live");
            viewer.command(viewer.createStream(), "play", null, "hurt", -2.0); // waits for the publisher

            publisher.handshake(false);
            publisher.connect("live");
            int id = publisher.createStream();
            assertEquals("NetStream.Publish.Start", publisher.publish(id, "hurt"));
            byte[] config = new AvcDecoderConfig(66, 0xC0, 30, 4, List.of(SPS), List.of(PPS)).encode();
            publisher.send(video(id, 0, concat(FlvTags.videoHeader(Codec.H264, true, true, 0), config)));
            long ts = 0;
            for (int i = 0; i < GOOD_BEFORE; i++) {
                publisher.send(video(id, ts += 40, frame(i == 0)));
            }
            byte[] lying = concat(FlvTags.videoHeader(Codec.H264, false, false, 0),
                    HexFormat.of().parseHex("000000FF41")); // says 255 bytes follow, 1 does
            publisher.send(video(id, ts += 40, lying));
            for (int i = 0; i < GOOD_AFTER; i++) {
                publisher.send(video(id, ts += 40, frame(i % 10 == 0)));
            }

            int pictures = 0;
            while (pictures < GOOD_BEFORE + GOOD_AFTER) {
                RtmpMessage m = viewer.readMedia();
                if (m == null) {
                    break;
                }
                if (m.typeId() == MessageType.VIDEO && m.payload()[1] != 0) { // not the sequence header
                    pictures++;
                }
            }
            assertEquals(GOOD_BEFORE + GOOD_AFTER, pictures, "the viewer got every good frame");
            assertEquals(1, node.counters().framesDroppedDamaged.sum(), "the damaged frame was counted");
            assertEquals(1, node.counters().protocol("rtmp").publishers.sum(), "the publisher is still on");
            publisher.setReadTimeout(500);
            assertFalse(publisher.closedByServer(), "the publisher's connection stays open");
        } finally {
            node.stop();
        }
    }

    /** A picture of one NAL unit with a correct 4-byte length: a keyframe (IDR slice) or not. */
    private static byte[] frame(boolean keyframe) {
        byte[] nal = keyframe ? HexFormat.of().parseHex("0000000365B801") : HexFormat.of().parseHex("00000003419A02");
        return concat(FlvTags.videoHeader(Codec.H264, false, keyframe, 0), nal);
    }

    private static RtmpMessage video(int streamId, long ts, byte[] body) {
        return new RtmpMessage(6, MessageType.VIDEO, streamId, ts, body);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
