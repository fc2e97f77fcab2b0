package io.cascade.protocol.mp4;

import io.cascade.media.Codec;
import io.cascade.protocol.flv.FlvAudio;
import io.cascade.protocol.flv.FlvTags;
import io.cascade.protocol.flv.FlvVideo;
import io.cascade.protocol.flv.PacketKind;
import io.cascade.protocol.h264.AvcDecoderConfig;
import io.cascade.protocol.h264.NalUnits;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The committed clip testsrc2-320x240-h264-aac.flv, as an RTMP publisher sends it, packaged into CMAF tracks: H.264 at
 * 90 kHz cut at each keyframe (2 segments of 25 frames) and AAC at 48 kHz cut at the same time.
 *
 * <p>The clip (2 s, GOP 25, B-frames, mono AAC, 47 KB) was made with ffmpeg 5.1:
 * {@code ffmpeg -f lavfi -i testsrc2=size=320x240:rate=25 -f lavfi -i sine=frequency=440:sample_rate=48000 -t 2
 * -c:v libx264 -preset veryfast -crf 32 -g 25 -keyint_min 25 -sc_threshold 0 -pix_fmt yuv420p -c:a aac -b:a 32k -ac 1
 * -fflags +bitexact -flags:v +bitexact -flags:a +bitexact -f flv testsrc2-320x240-h264-aac.flv}
 */
record CmafFixture(CmafTrack video, List<List<CmafSample>> videoSegments, CmafTrack audio,
                   List<List<CmafSample>> audioSegments) {
    static final int VIDEO_TIMESCALE = 90_000;
    static final int AUDIO_TIMESCALE = 48_000;
    static final int VIDEO_FRAMES = 50;
    /** The clip's video timestamps are exact 40 ms steps (25 fps). */
    static final int FRAME_DURATION = VIDEO_TIMESCALE / 25;
    static final int AAC_FRAME_SAMPLES = 1024;

    /** A video tag of the clip: FLV timestamps are milliseconds. */
    private record FlvFrame(long dtsMs, int ctsMs, boolean keyframe, byte[] accessUnit) {
    }

    static CmafFixture load() throws Exception {
        byte[] flv;
        try (InputStream in = CmafFixture.class.getResourceAsStream("testsrc2-320x240-h264-aac.flv")) {
            flv = in.readAllBytes();
        }
        byte[] avcConfig = null;
        byte[] asc = null;
        List<FlvFrame> videoFrames = new ArrayList<>();
        List<byte[]> audioFrames = new ArrayList<>();
        int nalLengthSize = 4;
        // FLV file: 9-byte header, then PreviousTagSize (4) and tags of an 11-byte header + body
        for (int p = 9 + 4; p + 11 <= flv.length; ) {
            int type = flv[p] & 0x1F;
            int size = (flv[p + 1] & 0xFF) << 16 | (flv[p + 2] & 0xFF) << 8 | (flv[p + 3] & 0xFF);
            long timestamp = (flv[p + 7] & 0xFFL) << 24 | (flv[p + 4] & 0xFF) << 16 | (flv[p + 5] & 0xFF) << 8
                    | (flv[p + 6] & 0xFF);
            int body = p + 11;
            if (type == 9) {
                FlvVideo v = FlvTags.parseVideo(flv, body, size);
                if (v.kind() == PacketKind.CONFIG) {
                    avcConfig = Arrays.copyOfRange(flv, v.dataOffset(), v.dataOffset() + v.dataLength());
                    nalLengthSize = AvcDecoderConfig.parse(avcConfig, 0, avcConfig.length).nalLengthSize();
                } else if (v.kind() == PacketKind.FRAME) {
                    byte[] au = NalUnits.toFourByteLengths(flv, v.dataOffset(), v.dataLength(), nalLengthSize);
                    videoFrames.add(new FlvFrame(timestamp, v.compositionTimeMs(), v.keyframe(), au));
                }
            } else if (type == 8) {
                FlvAudio a = FlvTags.parseAudio(flv, body, size);
                byte[] data = Arrays.copyOfRange(flv, a.dataOffset(), a.dataOffset() + a.dataLength());
                if (a.kind() == PacketKind.CONFIG) {
                    asc = data;
                } else if (a.kind() == PacketKind.FRAME) {
                    audioFrames.add(data);
                }
            }
            p = body + size + 4;
        }

        // video: a new segment at each keyframe, milliseconds to 90 kHz, durations from the next frame's decode time
        List<List<CmafSample>> videoSegments = new ArrayList<>();
        for (int i = 0; i < videoFrames.size(); i++) {
            FlvFrame f = videoFrames.get(i);
            long dts = f.dtsMs() * 90;
            long nextDts = i + 1 < videoFrames.size() ? videoFrames.get(i + 1).dtsMs() * 90 : dts + FRAME_DURATION;
            if (f.keyframe()) {
                videoSegments.add(new ArrayList<>());
            }
            CmafSample sample = new CmafSample(dts, (int) (nextDts - dts), f.ctsMs() * 90, f.keyframe(), f.accessUnit());
            videoSegments.get(videoSegments.size() - 1).add(sample);
        }
        // audio: exact sample-count timestamps (no millisecond rounding), cut where the second video segment starts
        long cut = videoSegments.get(1).get(0).decodeTime() * AUDIO_TIMESCALE / VIDEO_TIMESCALE;
        List<List<CmafSample>> audioSegments = List.of(new ArrayList<>(), new ArrayList<>());
        for (int i = 0; i < audioFrames.size(); i++) {
            long time = (long) i * AAC_FRAME_SAMPLES;
            CmafSample sample = new CmafSample(time, AAC_FRAME_SAMPLES, 0, true, audioFrames.get(i));
            audioSegments.get(time < cut ? 0 : 1).add(sample);
        }
        return new CmafFixture(new CmafTrack(1, Codec.H264, VIDEO_TIMESCALE, avcConfig), videoSegments,
                new CmafTrack(2, Codec.AAC, AUDIO_TIMESCALE, asc), audioSegments);
    }

    int audioFrameCount() {
        return audioSegments.stream().mapToInt(List::size).sum();
    }

    /** Init segment followed by the media segments (sequence numbers from 1): what a player appends. */
    static byte[] trackFile(CmafTrack track, List<List<CmafSample>> segments) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(CmafWriter.initSegment(track));
        for (int i = 0; i < segments.size(); i++) {
            out.writeBytes(CmafWriter.mediaSegment(track, i + 1, segments.get(i)));
        }
        return out.toByteArray();
    }
}
