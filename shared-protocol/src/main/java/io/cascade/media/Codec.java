package io.cascade.media;

/**
 * Codecs a {@link MediaFrame} can carry, with the canonical payload of each.
 *
 * <p>The wire id is part of the cluster contract (the frame codec writes it): never renumber, never reuse. Media
 * codecs take ids from 1 up; data codecs from 16 up.
 */
public enum Codec {
    /** Access unit as NAL units with 4-byte big-endian length prefixes; config = AVCDecoderConfigurationRecord. */
    H264(1, TrackType.VIDEO),
    /** Access unit as NAL units with 4-byte big-endian length prefixes; config = HEVCDecoderConfigurationRecord. */
    H265(2, TrackType.VIDEO),
    /** One raw AAC access unit (no ADTS); config = AudioSpecificConfig. */
    AAC(3, TrackType.AUDIO),
    /** AMF0-encoded script data ("onMetaData" followed by its object), as RTMP carries it. */
    AMF0_METADATA(4, TrackType.DATA),
    /**
     * One timed JSON message for the stream's metadata subscribers, in UTF-8: {@code {"type":...,"data":...}} (see
     * {@link JsonMetadata}). A message stands alone: GOP caches do not keep it and only metadata subscribers get it.
     */
    JSON_METADATA(16, TrackType.DATA);

    private final int wireId;
    private final TrackType trackType;

    Codec(int wireId, TrackType trackType) {
        this.wireId = wireId;
        this.trackType = trackType;
    }

    public int wireId() {
        return wireId;
    }

    public TrackType trackType() {
        return trackType;
    }

    public static Codec fromWireId(int id) {
        for (Codec c : values()) {
            if (c.wireId == id) {
                return c;
            }
        }
        throw new IllegalArgumentException("unknown codec wire id " + id);
    }
}
