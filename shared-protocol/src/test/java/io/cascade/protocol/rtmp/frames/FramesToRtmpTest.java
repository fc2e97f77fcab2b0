package io.cascade.protocol.rtmp.frames;

import io.cascade.media.Codec;
import io.cascade.media.MediaFrame;
import io.cascade.protocol.flv.FlvTags;
import io.cascade.protocol.flv.FlvVideo;
import io.cascade.protocol.rtmp.chunk.ChunkDecoder;
import io.cascade.protocol.rtmp.chunk.ChunkEncoder;
import io.cascade.protocol.rtmp.chunk.RtmpMessage;
import io.cascade.protocol.rtmp.message.MessageType;
import io.cascade.protocol.rtmp.message.SetChunkSize;
import io.cascade.protocol.rtmp.session.RtmpSession;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FramesToRtmpTest {
    /** Decodes what a player would after the server's SetChunkSize. */
    private static List<RtmpMessage> play(byte[]... messages) throws Exception {
        ChunkDecoder decoder = new ChunkDecoder();
        List<RtmpMessage> out = new ArrayList<>();
        decoder.feed(new ChunkEncoder(128).encode(new RtmpMessage(2, MessageType.SET_CHUNK_SIZE, 0, 0,
                new SetChunkSize(RtmpSession.OUT_CHUNK_SIZE).encode())), 0, 16, out::add);
        for (byte[] m : messages) {
            decoder.feed(m, 0, m.length, out::add);
        }
        return out.subList(1, out.size());
    }

    @Test
    void aLargeKeyframeWithAnExtendedTimestampDecodesBackIntoTheSameTag() throws Exception {
        byte[] au = new byte[10_000];
        Arrays.fill(au, (byte) 7);
        long ts = 0x1234567L; // beyond 24 bits: extended timestamp on every chunk
        MediaFrame f = new MediaFrame(0, Codec.H264, ts, ts + 80, 1000, MediaFrame.FLAG_KEYFRAME, 0, 5, au);
        byte[] bytes = new FramesToRtmp().encode(f, 1, ts);

        RtmpMessage m = play(bytes).get(0);
        assertEquals(MessageType.VIDEO, m.typeId());
        assertEquals(ts, m.timestamp());
        assertEquals(1, m.messageStreamId());
        FlvVideo v = FlvTags.parseVideo(m.payload(), 0, m.payload().length);
        assertTrue(v.keyframe());
        assertEquals(80, v.compositionTimeMs());
        assertArrayEquals(au, Arrays.copyOfRange(m.payload(), v.dataOffset(), v.dataOffset() + v.dataLength()));
    }

    @Test
    void theBytesDependOnlyOnTheFrameSoEveryViewerCanShareThem() {
        MediaFrame f = new MediaFrame(1, Codec.AAC, 100, 100, 1000, 0, 0, 9, new byte[] {1, 2, 3});
        assertArrayEquals(new FramesToRtmp().encode(f, 1, 100), new FramesToRtmp().encode(f, 1, 100));
    }

    @Test
    void audioAndMetadataGoOnTheirOwnMessageTypes() throws Exception {
        MediaFrame aac = new MediaFrame(1, Codec.AAC, 100, 100, 1000, MediaFrame.FLAG_CONFIG, 0, 1, new byte[] {0x11, (byte) 0x90});
        MediaFrame meta = new MediaFrame(2, Codec.AMF0_METADATA, 0, 0, 1000, 0, 0, 2, new byte[] {2, 0, 1, 'x'});
        FramesToRtmp toRtmp = new FramesToRtmp();
        List<RtmpMessage> ms = play(toRtmp.encode(aac, 1, 100), toRtmp.encode(meta, 1, 0));
        assertEquals(MessageType.AUDIO, ms.get(0).typeId());
        assertArrayEquals(new byte[] {(byte) 0xAF, 0, 0x11, (byte) 0x90}, ms.get(0).payload());
        assertEquals(MessageType.DATA_AMF0, ms.get(1).typeId());
        assertArrayEquals(meta.payload(), ms.get(1).payload());
    }
}
