package io.cascade.protocol.rtmp.frames;

import io.cascade.media.Codec;
import io.cascade.media.MediaFrame;
import io.cascade.protocol.amf0.Amf0EcmaArray;
import io.cascade.protocol.amf0.Amf0Reader;
import io.cascade.protocol.amf0.Amf0Writer;
import io.cascade.protocol.flv.FlvTags;
import io.cascade.protocol.h264.AvcDecoderConfig;
import io.cascade.protocol.rtmp.chunk.RtmpMessage;
import io.cascade.protocol.rtmp.message.MessageType;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.util.HexFormat;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RtmpToFramesTest {
    private static final byte[] SPS = hex("6742c01e8c8d40");
    private static final byte[] PPS = hex("68ce3c80");

    private static byte[] hex(String s) {
        return HexFormat.of().parseHex(s.replace(" ", ""));
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    private static RtmpMessage video(long ts, byte[] body) {
        return new RtmpMessage(6, MessageType.VIDEO, 1, ts, body);
    }

    private static byte[] avcConfig(int nalLengthSize) {
        byte[] record = new AvcDecoderConfig(66, 0xC0, 30, nalLengthSize, List.of(SPS), List.of(PPS)).encode();
        return concat(FlvTags.videoHeader(Codec.H264, true, true, 0), record);
    }

    @Test
    void avcWithTwoByteNalLengthsBecomesFourByteLengthsWithItsCompositionTime() throws Exception {
        RtmpToFrames toFrames = new RtmpToFrames();
        MediaFrame config = toFrames.convert(video(0, avcConfig(2)));
        assertTrue(config.isConfig());
        assertEquals(Codec.H264, config.codec());

        byte[] nals = hex("0003 65B801" + "0002 0605");
        MediaFrame f = toFrames.convert(video(40, concat(FlvTags.videoHeader(Codec.H264, false, true, 80), nals)));
        assertArrayEquals(hex("00000003 65B801" + "00000002 0605"), f.payload());
        assertEquals(40, f.dts());
        assertEquals(120, f.pts());
        assertTrue(f.isKeyframe());
        assertEquals(config.sequence() + 1, f.sequence());
    }

    @Test
    void aFrameBeforeItsConfigOrWithALyingNalLengthIsDamaged() throws Exception {
        RtmpToFrames toFrames = new RtmpToFrames();
        byte[] frame = concat(FlvTags.videoHeader(Codec.H264, false, true, 0), hex("00000003 65B801"));
        assertThrows(RtmpToFrames.SkippedFrameException.class, () -> toFrames.convert(video(0, frame)));
        toFrames.convert(video(0, avcConfig(4)));
        byte[] lying = concat(FlvTags.videoHeader(Codec.H264, false, false, 0), hex("000000FF 41"));
        assertThrows(RtmpToFrames.SkippedFrameException.class, () -> toFrames.convert(video(40, lying)));
        // the stream goes on after a damaged frame
        assertTrue(toFrames.convert(video(80, frame)).isKeyframe());
    }

    @Test
    void aacConfigAndFramesAndUnsupportedAudio() throws Exception {
        RtmpToFrames toFrames = new RtmpToFrames();
        MediaFrame asc = toFrames.convert(new RtmpMessage(4, MessageType.AUDIO, 1, 0,
                concat(FlvTags.audioHeader(Codec.AAC, true), hex("1190"))));
        assertTrue(asc.isConfig());
        assertArrayEquals(hex("1190"), asc.payload());
        MediaFrame au = toFrames.convert(new RtmpMessage(4, MessageType.AUDIO, 1, 23,
                concat(FlvTags.audioHeader(Codec.AAC, false), hex("21100480"))));
        assertEquals(Codec.AAC, au.codec());
        assertEquals(23, au.dts());
        RtmpToFrames.SkippedFrameException mp3 = assertThrows(RtmpToFrames.SkippedFrameException.class,
                () -> toFrames.convert(new RtmpMessage(4, MessageType.AUDIO, 1, 0, hex("2F00FF"))));
        assertEquals(RtmpToFrames.SkippedFrameException.Reason.UNSUPPORTED_CODEC, mp3.reason());
    }

    @Test
    void setDataFrameBecomesOnMetaData() throws Exception {
        Amf0EcmaArray meta = new Amf0EcmaArray();
        meta.put("width", 1280.0);
        byte[] body = Amf0Writer.encode("@setDataFrame", "onMetaData", meta);
        MediaFrame f = new RtmpToFrames().convert(new RtmpMessage(5, MessageType.DATA_AMF0, 1, 0, body));
        assertEquals(Codec.AMF0_METADATA, f.codec());
        List<Object> values = Amf0Reader.readAll(f.payload(), 0, f.payload().length);
        assertEquals("onMetaData", values.get(0));
        assertEquals(meta, values.get(1));
        assertNull(new RtmpToFrames().convert(new RtmpMessage(5, MessageType.DATA_AMF0, 1, 0,
                Amf0Writer.encode("onFI", meta))), "other script data is not forwarded");
    }

    @Test
    void cuePointsAndTextDataBecomeJsonDataMessagesAtTheVideoTime() throws Exception {
        RtmpToFrames toFrames = new RtmpToFrames();
        toFrames.convert(video(4000, avcConfig(4)));
        java.util.Map<String, Object> cue = new java.util.LinkedHashMap<>();
        cue.put("name", "ad-break");
        cue.put("time", 4.5);
        cue.put("type", "event");
        MediaFrame f = toFrames.convert(new RtmpMessage(5, MessageType.DATA_AMF0, 1, 4100,
                Amf0Writer.encode("onCuePoint", cue)));
        assertEquals(Codec.JSON_METADATA, f.codec());
        assertTrue(f.isDataMessage());
        assertEquals(4000, f.dts(), "on the video clock, as onMetaData");
        assertEquals("{\"type\":\"onCuePoint\",\"data\":{\"name\":\"ad-break\",\"time\":4.5,\"type\":\"event\"}}",
                new String(f.payload(), java.nio.charset.StandardCharsets.UTF_8));
        Amf0EcmaArray text = new Amf0EcmaArray();
        text.put("text", "hello \"world\"");
        text.put("trackid", 1.0);
        MediaFrame t = toFrames.convert(new RtmpMessage(5, MessageType.DATA_AMF0, 1, 4200,
                Amf0Writer.encode("@setDataFrame", "onTextData", text)));
        assertEquals("{\"type\":\"onTextData\",\"data\":{\"text\":\"hello \\\"world\\\"\",\"trackid\":1}}",
                new String(t.payload(), java.nio.charset.StandardCharsets.UTF_8));
    }

    @Test
    void scriptDataTooLargeAsJsonIsDamaged() {
        // 30 000 control characters: 60 KB of AMF0, six times that as JSON escapes
        String control = "\u0001".repeat(30_000);
        RtmpToFrames.SkippedFrameException e = assertThrows(RtmpToFrames.SkippedFrameException.class,
                () -> new RtmpToFrames().convert(new RtmpMessage(5, MessageType.DATA_AMF0, 1, 0,
                        Amf0Writer.encode("onTextData", java.util.Map.of("text", control)))));
        assertEquals(RtmpToFrames.SkippedFrameException.Reason.DAMAGED, e.reason());
    }

    @Test
    void timestampsKeepGrowingPastThe32BitWrap() {
        RtmpToFrames.TimestampWidener clock = new RtmpToFrames.TimestampWidener();
        assertEquals(0xFFFFFF00L, clock.widen(0xFFFFFF00L));
        assertEquals((1L << 32) + 0x10, clock.widen(0x10));
        assertEquals((1L << 32) + 0x0F, clock.widen(0x0F), "a small step back is not a wrap");
    }
}
