package io.cascade.protocol.flv;

import io.cascade.media.MediaFrame;
import io.cascade.media.TrackType;

/**
 * Writes an FLV byte stream (FLV spec v10.1 annex E.2/E.3) from frames: a file header, then one tag per frame. A tag
 * is the frame's RTMP message body ({@link FlvTags#bodyHeader} + payload) behind an 11-byte tag header and followed
 * by its 4-byte PreviousTagSize, so every tag is complete on its own and one encoding serves every HTTP-FLV viewer.
 *
 * <p>Stateless: the bytes depend only on the frame and the timestamp given.
 */
public final class FlvWriter {
    /** Tag types: the RTMP message type ids of the same payloads. */
    public static final int TAG_AUDIO = 8;
    public static final int TAG_VIDEO = 9;
    public static final int TAG_SCRIPT = 18;
    public static final int TAG_HEADER_LENGTH = 11;
    public static final int PREVIOUS_TAG_SIZE_LENGTH = 4;
    /** The 9-byte header and the PreviousTagSize0 (always 0) that follows it. */
    public static final int FILE_HEADER_LENGTH = 9 + PREVIOUS_TAG_SIZE_LENGTH;

    private static final int FLAG_AUDIO = 0x04;
    private static final int FLAG_VIDEO = 0x01;

    private FlvWriter() {
    }

    /** "FLV", version 1, the flags of the tracks present, DataOffset 9, then PreviousTagSize0. */
    public static byte[] fileHeader(boolean audio, boolean video) {
        byte[] h = new byte[FILE_HEADER_LENGTH];
        h[0] = 'F';
        h[1] = 'L';
        h[2] = 'V';
        h[3] = 1;
        h[4] = (byte) ((audio ? FLAG_AUDIO : 0) | (video ? FLAG_VIDEO : 0));
        h[8] = 9;
        return h;
    }

    /**
     * The frame as one tag and its PreviousTagSize. Script data (onMetaData) goes at timestamp 0, as RTMP playback
     * sends it; other tags carry {@code timestampMillis} in the 24 bits of Timestamp and the 8 of TimestampExtended.
     *
     * @throws IllegalArgumentException when the body does not fit a tag's 24-bit DataSize
     */
    public static byte[] tag(MediaFrame f, long timestampMillis) {
        byte[] head = FlvTags.bodyHeader(f);
        byte[] payload = f.payload();
        int dataSize = head.length + payload.length;
        if (dataSize > FlvTags.MAX_TAG_BODY_LENGTH) {
            throw new IllegalArgumentException("tag body of " + dataSize + " bytes exceeds the 24-bit DataSize");
        }
        long ts = f.trackType() == TrackType.DATA ? 0 : timestampMillis & 0xFFFFFFFFL;
        byte[] out = new byte[TAG_HEADER_LENGTH + dataSize + PREVIOUS_TAG_SIZE_LENGTH];
        out[0] = (byte) tagType(f);
        out[1] = (byte) (dataSize >>> 16);
        out[2] = (byte) (dataSize >>> 8);
        out[3] = (byte) dataSize;
        out[4] = (byte) (ts >>> 16);
        out[5] = (byte) (ts >>> 8);
        out[6] = (byte) ts;
        out[7] = (byte) (ts >>> 24); // TimestampExtended: the upper 8 bits
        // StreamID (3 bytes) stays 0
        System.arraycopy(head, 0, out, TAG_HEADER_LENGTH, head.length);
        System.arraycopy(payload, 0, out, TAG_HEADER_LENGTH + head.length, payload.length);
        int tagSize = TAG_HEADER_LENGTH + dataSize;
        int p = out.length - PREVIOUS_TAG_SIZE_LENGTH;
        out[p] = (byte) (tagSize >>> 24);
        out[p + 1] = (byte) (tagSize >>> 16);
        out[p + 2] = (byte) (tagSize >>> 8);
        out[p + 3] = (byte) tagSize;
        return out;
    }

    /** The tag type of the frame's track. */
    public static int tagType(MediaFrame f) {
        return switch (f.trackType()) {
            case VIDEO -> TAG_VIDEO;
            case AUDIO -> TAG_AUDIO;
            default -> TAG_SCRIPT;
        };
    }
}
