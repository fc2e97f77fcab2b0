package io.cascade.protocol.ts;

import io.cascade.media.Codec;

/**
 * The tracks of a segment and their decoder configurations, as the publisher sent them. The arrays are read, never copied
 * or changed (and, as in any record with arrays, equals compares them by identity).
 *
 * @param videoCodec  {@link Codec#H264}, {@link Codec#H265}, or null for an audio-only stream
 * @param videoConfig the AVCDecoderConfigurationRecord / HEVCDecoderConfigurationRecord (null without video)
 * @param audioCodec  {@link Codec#AAC}, or null for a video-only stream
 * @param audioConfig the AudioSpecificConfig (null without audio)
 * @throws IllegalArgumentException when there is no track, a codec cannot go in this muxer's PMT, or a track has no config.
 *                                  The configs are parsed (and rejected) by {@link TsSegmentWriter#segment}.
 */
public record TsTrackConfig(Codec videoCodec, byte[] videoConfig, Codec audioCodec, byte[] audioConfig) {
    public TsTrackConfig {
        if (videoCodec == null && audioCodec == null) {
            throw new IllegalArgumentException("a segment needs a video or an audio track");
        }
        if (videoCodec != null && videoCodec != Codec.H264 && videoCodec != Codec.H265) {
            throw new IllegalArgumentException("video codec must be H264 or H265: " + videoCodec);
        }
        if (audioCodec != null && audioCodec != Codec.AAC) {
            throw new IllegalArgumentException("audio codec must be AAC: " + audioCodec);
        }
        if (videoCodec != null && videoConfig == null) {
            throw new IllegalArgumentException("no decoder configuration record for the " + videoCodec + " track");
        }
        if (audioCodec != null && audioConfig == null) {
            throw new IllegalArgumentException("no AudioSpecificConfig for the AAC track");
        }
    }

    /** H.264 (or H.265) with AAC. */
    public static TsTrackConfig of(Codec videoCodec, byte[] videoConfig, byte[] audioSpecificConfig) {
        return new TsTrackConfig(videoCodec, videoConfig, Codec.AAC, audioSpecificConfig);
    }

    public static TsTrackConfig videoOnly(Codec videoCodec, byte[] videoConfig) {
        return new TsTrackConfig(videoCodec, videoConfig, null, null);
    }

    public static TsTrackConfig audioOnly(byte[] audioSpecificConfig) {
        return new TsTrackConfig(null, null, Codec.AAC, audioSpecificConfig);
    }

    public boolean hasVideo() {
        return videoCodec != null;
    }

    public boolean hasAudio() {
        return audioCodec != null;
    }
}
