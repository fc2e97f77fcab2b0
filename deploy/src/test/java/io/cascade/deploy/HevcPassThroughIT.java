package io.cascade.deploy;

import io.cascade.media.Codec;
import io.cascade.protocol.flv.FlvTags;
import io.cascade.protocol.flv.FlvVideo;
import io.cascade.protocol.flv.PacketKind;
import io.cascade.protocol.h265.HevcVectors;
import io.cascade.protocol.rtmp.chunk.RtmpMessage;
import io.cascade.protocol.rtmp.message.MessageType;
import io.cascade.testing.TestRtmpClient;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * H.265 over enhanced RTMP ('hvc1') is carried through untouched. The ffmpeg on these machines (5.1) cannot
 * publish HEVC over RTMP, so the publisher is the test client sending a libx265 configuration record.
 */
@Tag("interop")
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HevcPassThroughIT {
    private static byte[] concat(byte[] a, byte[] b) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(a);
        out.writeBytes(b);
        return out.toByteArray();
    }

    @Test
    void enhancedRtmpHevcReachesAViewerByteForByte() throws Exception {
        int rtmp = Clients.freePort();
        CascadeNode node = new CascadeNode(NodeConfig.of(Clients.isolated(Map.of("rtmp.port", String.valueOf(rtmp), "http.port", "0",
                "api.port", "0", "bind.host", "127.0.0.1"))));
        node.start().await(30, TimeUnit.SECONDS);
        try (TestRtmpClient publisher = new TestRtmpClient(rtmp, 5_000);
             TestRtmpClient viewer = new TestRtmpClient(rtmp, 5_000)) {
            publisher.handshake(true);
            publisher.connect("live");
            int pid = publisher.createStream();
            assertEquals("NetStream.Publish.Start", publisher.publish(pid, "hevc"));
            byte[] hvcC = HevcVectors.CONFIGS.get(0).record();
            byte[] config = concat(FlvTags.videoHeader(Codec.H265, true, true, 0), hvcC);
            // one IDR slice NAL (type 19) with a 4-byte length, composition offset 40 ms
            byte[] idr = concat(FlvTags.videoHeader(Codec.H265, false, true, 40),
                    new byte[] {0, 0, 0, 5, 0x26, 0x01, (byte) 0xAF, 0x11, 0x22});
            publisher.send(new RtmpMessage(6, MessageType.VIDEO, pid, 0, config));
            publisher.send(new RtmpMessage(6, MessageType.VIDEO, pid, 0, idr));

            viewer.handshake(false);
            viewer.connect("live");
            int vid = viewer.createStream();
            assertEquals("NetStream.Play.Reset", viewer.play(vid, "hevc"));
            RtmpMessage first = viewer.readMedia();
            RtmpMessage second = viewer.readMedia();
            assertNotNull(second, "the viewer got the config and the GOP from the cache");
            FlvVideo c = FlvTags.parseVideo(first.payload(), 0, first.payload().length);
            assertEquals(Codec.H265, c.codec());
            assertEquals(PacketKind.CONFIG, c.kind());
            assertArrayEquals(hvcC, Arrays.copyOfRange(first.payload(), c.dataOffset(), c.dataOffset() + c.dataLength()));
            FlvVideo f = FlvTags.parseVideo(second.payload(), 0, second.payload().length);
            assertEquals(Codec.H265, f.codec());
            assertTrue(f.keyframe());
            assertEquals(40, f.compositionTimeMs());
            assertArrayEquals(Arrays.copyOfRange(idr, idr.length - 9, idr.length),
                    Arrays.copyOfRange(second.payload(), f.dataOffset(), f.dataOffset() + f.dataLength()));
        } finally {
            node.stop();
        }
    }
}
