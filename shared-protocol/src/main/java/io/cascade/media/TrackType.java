package io.cascade.media;

/** What kind of elementary stream a frame belongs to. */
public enum TrackType {
    VIDEO,
    AUDIO,
    /** Timed metadata such as RTMP onMetaData. */
    DATA
}
