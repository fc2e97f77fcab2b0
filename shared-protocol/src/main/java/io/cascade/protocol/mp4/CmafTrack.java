package io.cascade.protocol.mp4;

import io.cascade.media.Codec;
import java.util.Arrays;

/**
 * Everything an init segment needs about one track: CMAF puts each track in its own file, so one track is one init segment
 * and one series of media segments.
 *
 * <p>decoderConfig is the configuration as the publisher sent it: for {@link Codec#H264} the AVCDecoderConfigurationRecord,
 * for {@link Codec#H265} the HEVCDecoderConfigurationRecord, for {@link Codec#AAC} the AudioSpecificConfig. It is parsed
 * here, so a track that exists can always be written; a bad one throws IllegalArgumentException (the BitstreamException,
 * if any, is the cause). The array is copied in and out: a track is immutable and equal to another with the same content.
 *
 * @param trackId   track_ID in tkhd, trex and tfhd; 1 or more (0 is not a valid track_ID)
 * @param timescale units per second of every sample time and duration of this track
 */
public final class CmafTrack {
    /**
     * Largest decoderConfig accepted. Real records are under 1 KiB; 128 KiB still holds a maximum-length (65535-byte)
     * parameter set, and bounds what a hostile publisher can make every node copy into every init segment.
     */
    public static final int MAX_DECODER_CONFIG_LENGTH = 128 * 1024;

    private final int trackId;
    private final Codec codec;
    private final int timescale;
    private final byte[] decoderConfig;
    /** Parsed once: the writers ask for the sample entry, codec string and picture size many times. */
    private final TrackFormat format;

    public CmafTrack(int trackId, Codec codec, int timescale, byte[] decoderConfig) {
        if (trackId < 1) {
            throw new IllegalArgumentException("track_ID must be 1 or more: " + trackId);
        }
        if (codec != Codec.H264 && codec != Codec.H265 && codec != Codec.AAC) {
            throw new IllegalArgumentException("CMAF track codec must be H264, H265 or AAC: " + codec);
        }
        if (timescale < 1) {
            throw new IllegalArgumentException("timescale must be 1 or more: " + timescale);
        }
        if (decoderConfig == null) {
            throw new IllegalArgumentException("no decoder configuration");
        }
        if (decoderConfig.length > MAX_DECODER_CONFIG_LENGTH) {
            throw new IllegalArgumentException("decoder configuration of " + decoderConfig.length + " bytes exceeds "
                    + MAX_DECODER_CONFIG_LENGTH);
        }
        this.trackId = trackId;
        this.codec = codec;
        this.timescale = timescale;
        this.decoderConfig = decoderConfig.clone();
        this.format = TrackFormat.of(codec, this.decoderConfig); // throws for a configuration no init segment can use
    }

    public int trackId() {
        return trackId;
    }

    public Codec codec() {
        return codec;
    }

    public int timescale() {
        return timescale;
    }

    TrackFormat format() {
        return format;
    }

    /** A copy of the configuration. */
    public byte[] decoderConfig() {
        return decoderConfig.clone();
    }

    /** The configuration without a copy, for this package's writers, which only read it. */
    byte[] decoderConfigUnsafe() {
        return decoderConfig;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CmafTrack t && trackId == t.trackId && codec == t.codec && timescale == t.timescale
                && Arrays.equals(decoderConfig, t.decoderConfig);
    }

    @Override
    public int hashCode() {
        return ((trackId * 31 + codec.hashCode()) * 31 + timescale) * 31 + Arrays.hashCode(decoderConfig);
    }

    @Override
    public String toString() {
        return "CmafTrack[trackId=" + trackId + ", codec=" + codec + ", timescale=" + timescale + ", decoderConfig="
                + decoderConfig.length + " bytes]";
    }
}
