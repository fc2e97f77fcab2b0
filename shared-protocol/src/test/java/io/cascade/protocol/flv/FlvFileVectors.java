package io.cascade.protocol.flv;

import io.cascade.media.Codec;
import io.cascade.media.MediaFrame;
import io.cascade.protocol.aac.AacVectors;
import io.cascade.protocol.h264.AvcVectors;
import io.cascade.protocol.h265.HevcVectors;
import java.io.ByteArrayOutputStream;

/**
 * Tiny FLV files written tag by tag for the reader's unit and fuzz tests (a few hundred bytes; no media committed):
 * a script tag, the sequence headers, an MP3 tag the reader skips, then video and audio frames whose timestamps
 * cross 2^24 ms, so the TimestampExtended byte is needed.
 */
final class FlvFileVectors {
    static final int VIDEO_FRAMES = 6;
    static final int AUDIO_FRAMES = 8;
    /** First frame time: just under 2^24 ms, so later tags carry TimestampExtended. */
    static final long START_MS = 0xFFFFF0L;
    static final int FRAME_MS = 40;
    static final int AUDIO_FRAME_MS = 21;
    /** An AMF0 "onMetaData" string and a null: a script tag the reader passes over. */
    private static final byte[] SCRIPT = {0x02, 0x00, 0x0A, 'o', 'n', 'M', 'e', 't', 'a', 'D', 'a', 't', 'a', 0x05};

    private FlvFileVectors() {
    }

    static int compositionTime(int i) {
        return i % 2 == 1 ? 2 * FRAME_MS : FRAME_MS;
    }

    /** Video frame i with {@code lengthSize}-byte NAL lengths: a keyframe every 4 frames. */
    static byte[] videoFrame(int i, int lengthSize) {
        byte[] nal = {(byte) (i % 4 == 0 ? 0x65 : 0x41), (byte) 0x9A, (byte) i};
        byte[] out = new byte[lengthSize + nal.length];
        out[lengthSize - 1] = (byte) nal.length;
        System.arraycopy(nal, 0, out, lengthSize, nal.length);
        return out;
    }

    static byte[] audioFrame(int i) {
        return new byte[] {0x21, 0x1A, (byte) i, 0x40};
    }

    /** H.264 with 2-byte NAL lengths (legacy tags), or H.265 with the record's lengths (enhanced 'hvc1' tags). */
    static byte[] file(Codec videoCodec) {
        byte[] record = videoCodec == Codec.H264 ? AvcVectors.CONFIGS.get(3).record()
                : HevcVectors.CONFIGS.get(0).record();
        int lengthSize = videoCodec == Codec.H264 ? 2 : HevcVectors.CONFIGS.get(0).nalLengthSize();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(FlvWriter.fileHeader(true, true));
        out.writeBytes(rawTag(FlvWriter.TAG_SCRIPT, 0, SCRIPT));
        out.writeBytes(FlvWriter.tag(config(0, videoCodec, record), START_MS));
        out.writeBytes(FlvWriter.tag(config(1, Codec.AAC, AacVectors.CONFIGS.get(0).data()), START_MS));
        out.writeBytes(rawTag(FlvWriter.TAG_AUDIO, START_MS, new byte[] {0x2F, (byte) 0xFF, (byte) 0xFB})); // MP3
        int a = 0;
        for (int v = 0; v < VIDEO_FRAMES; v++) {
            long t = START_MS + (long) v * FRAME_MS;
            out.writeBytes(FlvWriter.tag(new MediaFrame(0, videoCodec, t, t + compositionTime(v), 1000,
                    v % 4 == 0 ? MediaFrame.FLAG_KEYFRAME : 0, 0, v, videoFrame(v, lengthSize)), t));
            while (a < AUDIO_FRAMES && (long) a * AUDIO_FRAME_MS <= (long) (v + 1) * FRAME_MS) {
                long at = START_MS + (long) a * AUDIO_FRAME_MS;
                out.writeBytes(FlvWriter.tag(new MediaFrame(1, Codec.AAC, at, at, 1000, 0, 0, a, audioFrame(a)), at));
                a++;
            }
        }
        return out.toByteArray();
    }

    private static MediaFrame config(int track, Codec codec, byte[] payload) {
        return new MediaFrame(track, codec, 0, 0, 1000, MediaFrame.FLAG_CONFIG, 0, 0, payload);
    }

    /** A tag FlvWriter would not write (a codec we do not carry, script data of our own). */
    static byte[] rawTag(int type, long timestamp, byte[] body) {
        byte[] t = new byte[FlvWriter.TAG_HEADER_LENGTH + body.length + FlvWriter.PREVIOUS_TAG_SIZE_LENGTH];
        t[0] = (byte) type;
        t[1] = (byte) (body.length >> 16);
        t[2] = (byte) (body.length >> 8);
        t[3] = (byte) body.length;
        t[4] = (byte) (timestamp >> 16);
        t[5] = (byte) (timestamp >> 8);
        t[6] = (byte) timestamp;
        t[7] = (byte) (timestamp >> 24);
        System.arraycopy(body, 0, t, FlvWriter.TAG_HEADER_LENGTH, body.length);
        int size = FlvWriter.TAG_HEADER_LENGTH + body.length;
        t[t.length - 1] = (byte) size;
        t[t.length - 2] = (byte) (size >> 8);
        return t;
    }
}
