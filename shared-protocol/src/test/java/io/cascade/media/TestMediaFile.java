package io.cascade.media;

import java.util.ArrayList;
import java.util.List;

/**
 * A media file made up in a test: 25 fps video (a keyframe every {@code gop} frames, each frame {@code 1000 + n}
 * bytes) and AAC at 48 kHz (1024 samples a frame) in decode order, with the configs given; reads give each sample's
 * bytes filled with its index (a video sample as one length-prefixed NAL unit).
 */
public class TestMediaFile implements MediaFile {
    private final List<MediaFrame> configs;
    private final List<Sample> samples = new ArrayList<>();
    private final long durationMillis;

    /** @param videoConfig null for an audio-only file; @param audioConfig null for a video-only file */
    public TestMediaFile(MediaFrame videoConfig, MediaFrame audioConfig, int seconds, int gop) {
        List<MediaFrame> c = new ArrayList<>();
        if (videoConfig != null) {
            c.add(videoConfig);
        }
        if (audioConfig != null) {
            c.add(audioConfig);
        }
        this.configs = List.copyOf(c);
        int videoFrames = videoConfig == null ? 0 : 25 * seconds;
        int audioFrames = audioConfig == null ? 0 : seconds * 48_000 / 1024;
        int v = 0;
        int a = 0;
        long offset = 0;
        while (v < videoFrames || a < audioFrames) {
            long videoTime = v < videoFrames ? v * 3_600L : Long.MAX_VALUE; // 90 kHz
            long audioTime = a < audioFrames ? a * 1024L * 90_000 / 48_000 : Long.MAX_VALUE;
            if (videoTime <= audioTime) {
                int size = 1000 + v;
                samples.add(new Sample(0, v * 3_600L, v * 3_600L + 7_200, 90_000, v % gop == 0, offset, size));
                offset += size;
                v++;
            } else {
                samples.add(new Sample(1, a * 1024L, a * 1024L, 48_000, true, offset, 200));
                offset += 200;
                a++;
            }
        }
        this.durationMillis = Math.max(videoFrames * 40L, audioFrames * 1024L * 1000 / 48_000);
    }

    @Override
    public List<MediaFrame> configs() {
        return configs;
    }

    @Override
    public int sampleCount() {
        return samples.size();
    }

    @Override
    public Sample sample(int i) {
        return samples.get(i);
    }

    @Override
    public MediaFrame read(int i) {
        Sample s = samples.get(i);
        byte[] payload = new byte[s.size()];
        java.util.Arrays.fill(payload, (byte) i);
        if (s.video()) { // one NAL unit with its 4-byte length: an IDR slice or a non-IDR one
            java.nio.ByteBuffer.wrap(payload).putInt(s.size() - 4).put((byte) (s.keyframe() ? 0x65 : 0x41));
        }
        return new MediaFrame(s.track(), configs.stream().filter(c -> c.track() == s.track()).findFirst()
                .orElseThrow().codec(), s.dts(), s.pts(), s.timescale(), s.keyframe() ? MediaFrame.FLAG_KEYFRAME : 0,
                MediaFrame.NO_SEGMENT, i, payload);
    }

    @Override
    public long durationMillis() {
        return durationMillis;
    }

    @Override
    public void close() {
    }
}
