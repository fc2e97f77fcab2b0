package io.cascade.protocol.flv;

/** What an FLV / RTMP audio or video tag body carries. */
public enum PacketKind {
    /** Decoder configuration: AVC/HEVC configuration record or AudioSpecificConfig. */
    CONFIG,
    /** One access unit. */
    FRAME,
    /** End of sequence marker (no payload). */
    END_OF_SEQUENCE,
    /** Enhanced RTMP in-band metadata (AMF-encoded, e.g. colorInfo). */
    METADATA,
    /** Anything else (video info / command frames, MPEG-2 TS sequence start, unsupported audio packet types). */
    OTHER
}
