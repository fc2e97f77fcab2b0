package io.cascade.protocol.mp4;

/**
 * One sample (access unit) of a media segment. Times are in the track timescale.
 *
 * <p>data is 4-byte-length-prefixed NAL units for video and one raw AAC access unit (no ADTS header) for audio. It is not
 * copied (a segment of samples would be copied twice): do not change it after handing it over.
 *
 * @param decodeTime        decode time; the first sample's becomes the segment's tfdt, and each later one must equal the
 *                          previous decodeTime + duration because fMP4 stores only durations after the first
 * @param duration          time to the next sample's decode time
 * @param compositionOffset presentation time minus decode time (negative allowed: trun version 1)
 * @param sync              a sync sample (IDR/IRAP for video; every AAC access unit)
 */
public record CmafSample(long decodeTime, int duration, int compositionOffset, boolean sync, byte[] data) {
    /** Largest sample. An RTMP message is at most 16 MiB (24-bit length), so no ingested access unit is larger. */
    public static final int MAX_DATA_LENGTH = 16 * 1024 * 1024;

    public CmafSample {
        if (decodeTime < 0) {
            throw new IllegalArgumentException("negative decode time " + decodeTime);
        }
        if (duration < 0) {
            throw new IllegalArgumentException("negative duration " + duration);
        }
        if (data == null) {
            throw new IllegalArgumentException("sample without data");
        }
        if (data.length == 0) {
            throw new IllegalArgumentException("empty sample");
        }
        if (data.length > MAX_DATA_LENGTH) {
            throw new IllegalArgumentException("sample of " + data.length + " bytes exceeds " + MAX_DATA_LENGTH);
        }
    }
}
