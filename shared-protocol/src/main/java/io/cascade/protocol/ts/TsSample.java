package io.cascade.protocol.ts;

import java.util.Objects;

/**
 * One access unit for {@link TsSegmentWriter}. The data array is read, never copied or changed. Timestamps are in 90 kHz units; any long is accepted and written modulo
 * 2^33, the width of MPEG-TS timestamps, so a caller can pass a stream's running time without wrapping it.
 *
 * @param video    true for a video access unit, false for an audio frame
 * @param dts90k   decode timestamp (for audio equal to the PTS; only the PTS is written)
 * @param pts90k   presentation timestamp
 * @param keyframe a video random access point (IDR / IRAP): gets the parameter sets and random_access_indicator. Ignored
 *                 for audio, where every AAC frame is one
 * @param data     video: NAL units with 4-byte big-endian length prefixes; audio: one raw AAC frame (no ADTS header)
 */
public record TsSample(boolean video, long dts90k, long pts90k, boolean keyframe, byte[] data) {
    public TsSample {
        Objects.requireNonNull(data, "data");
    }

    public static TsSample video(long dts90k, long pts90k, boolean keyframe, byte[] accessUnit) {
        return new TsSample(true, dts90k, pts90k, keyframe, accessUnit);
    }

    public static TsSample audio(long pts90k, byte[] rawAacFrame) {
        return new TsSample(false, pts90k, pts90k, true, rawAacFrame);
    }
}
