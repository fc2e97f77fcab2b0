package io.cascade.protocol.flv;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cascade.media.Codec;
import io.cascade.media.MediaFrame;
import io.cascade.media.TrackType;
import io.cascade.protocol.mp4.ClipFrames;
import io.cascade.protocol.rtmp.chunk.ChunkDecoder;
import io.cascade.protocol.rtmp.chunk.RtmpMessage;
import io.cascade.protocol.rtmp.frames.FramesToRtmp;
import io.cascade.protocol.rtmp.chunk.ChunkEncoder;
import io.cascade.protocol.rtmp.message.MessageType;
import io.cascade.protocol.rtmp.message.SetChunkSize;
import io.cascade.protocol.rtmp.session.RtmpSession;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** FLV tags from frames: the layout, and the same bodies RTMP playback sends. */
class FlvWriterTest {
    @Test
    void fileHeaderFlagsTheTracksPresent() {
        assertArrayEquals(new byte[] {'F', 'L', 'V', 1, 5, 0, 0, 0, 9, 0, 0, 0, 0}, FlvWriter.fileHeader(true, true));
        assertEquals(1, FlvWriter.fileHeader(false, true)[4]);
        assertEquals(4, FlvWriter.fileHeader(true, false)[4]);
    }

    @Test
    void aTagIsHeaderBodyAndPreviousTagSizeWithTheExtendedTimestampByte() throws Exception {
        byte[] nalus = {0, 0, 0, 2, 0x65, 0x11};
        MediaFrame key = new MediaFrame(0, Codec.H264, 100, 140, 1000, MediaFrame.FLAG_KEYFRAME, 0, 7, nalus);
        long ts = 0x12345678L; // past 2^24 ms (4.6 h): the top byte goes to TimestampExtended
        byte[] tag = FlvWriter.tag(key, ts);
        int dataSize = 5 + nalus.length;
        assertEquals(11 + dataSize + 4, tag.length);
        assertEquals(FlvWriter.TAG_VIDEO, tag[0]);
        assertEquals(dataSize, (tag[1] & 0xFF) << 16 | (tag[2] & 0xFF) << 8 | (tag[3] & 0xFF));
        assertArrayEquals(new byte[] {0x34, 0x56, 0x78, 0x12}, Arrays.copyOfRange(tag, 4, 8));
        assertArrayEquals(new byte[] {0, 0, 0}, Arrays.copyOfRange(tag, 8, 11), "StreamID");
        FlvVideo v = FlvTags.parseVideo(tag, 11, dataSize);
        assertEquals(Codec.H264, v.codec());
        assertTrue(v.keyframe());
        assertEquals(40, v.compositionTimeMs());
        assertArrayEquals(nalus, Arrays.copyOfRange(tag, v.dataOffset(), v.dataOffset() + v.dataLength()));
        int p = tag.length - 4;
        assertEquals(11 + dataSize, (tag[p] & 0xFF) << 24 | (tag[p + 1] & 0xFF) << 16 | (tag[p + 2] & 0xFF) << 8
                | (tag[p + 3] & 0xFF));

        MediaFrame config = new MediaFrame(1, Codec.AAC, 0, 0, 1000, MediaFrame.FLAG_CONFIG, 0, 8, new byte[] {0x12, 0x10});
        byte[] audio = FlvWriter.tag(config, 500);
        assertEquals(FlvWriter.TAG_AUDIO, audio[0]);
        assertEquals(PacketKind.CONFIG, FlvTags.parseAudio(audio, 11, 4).kind());
        assertEquals(500, (audio[5] & 0xFF) << 8 | (audio[6] & 0xFF));
    }

    @Test
    void metadataGoesAtTimestampZero() {
        byte[] amf = {2, 0, 10, 'o', 'n', 'M', 'e', 't', 'a', 'D', 'a', 't', 'a', 5};
        byte[] tag = FlvWriter.tag(new MediaFrame(2, Codec.AMF0_METADATA, 9000, 9000, 1000, 0, 0, 1, amf), 9000);
        assertEquals(FlvWriter.TAG_SCRIPT, tag[0]);
        assertArrayEquals(new byte[4], Arrays.copyOfRange(tag, 4, 8));
        assertArrayEquals(amf, Arrays.copyOfRange(tag, 11, 11 + amf.length), "the AMF0 payload is the whole body");
    }

    /** Every frame of the clip: the FLV tag's body is the body of the RTMP message playback sends for it. */
    @Test
    void tagBodiesAreTheRtmpMessageBodies() throws Exception {
        FramesToRtmp toRtmp = new FramesToRtmp();
        List<MediaFrame> clip = ClipFrames.load();
        for (MediaFrame f : clip) {
            long ts = f.dtsMillis() + 1234;
            byte[] tag = FlvWriter.tag(f, ts);
            byte[] body = Arrays.copyOfRange(tag, 11, tag.length - 4);
            RtmpMessage m = decodeOne(toRtmp.encode(f, 1, ts));
            assertArrayEquals(m.payload(), body, f.toString());
            assertEquals(m.typeId(), tag[0]);
            assertEquals(f.trackType() == TrackType.DATA ? 0 : ts, m.timestamp());
        }
    }

    /** Decodes one message as a player would after the server's SetChunkSize. */
    private static RtmpMessage decodeOne(byte[] chunked) throws Exception {
        ChunkDecoder decoder = new ChunkDecoder();
        List<RtmpMessage> out = new ArrayList<>();
        byte[] setChunkSize = new ChunkEncoder(128).encode(new RtmpMessage(2, MessageType.SET_CHUNK_SIZE, 0, 0,
                new SetChunkSize(RtmpSession.OUT_CHUNK_SIZE).encode()));
        decoder.feed(setChunkSize, 0, setChunkSize.length, out::add);
        decoder.feed(chunked, 0, chunked.length, out::add);
        assertEquals(2, out.size());
        return out.get(1);
    }
}
