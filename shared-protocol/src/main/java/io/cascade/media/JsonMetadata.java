package io.cascade.media;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;

/**
 * The stream's JSON data channel: {@link Codec#JSON_METADATA} frames and the messages metadata subscribers get.
 *
 * <p>A frame's payload is one JSON object in UTF-8, {@code {"type":T,"data":D}}: {@code T} is {@link #CLIENT_TYPE}
 * for a message a client sent (its JSON as {@code D}, byte for byte), or the name of the RTMP script data it was
 * converted from ({@code onTextData}, {@code onCuePoint}). A subscriber gets it with the time put in front,
 * {@code {"time":S,"type":T,"data":D}}, {@code S} being the frame's media time in seconds (milliseconds as the
 * fraction) on the timeline of the node's other viewers.
 */
public final class JsonMetadata {
    /** Largest message a client may put into a stream, in UTF-8 bytes: metadata, not media. */
    public static final int MAX_MESSAGE_BYTES = 64 << 10;
    /** Largest payload: a largest message and its envelope, or RTMP script data as JSON. */
    public static final int MAX_PAYLOAD_BYTES = MAX_MESSAGE_BYTES + 256;
    /** The type of messages clients send. */
    public static final String CLIENT_TYPE = "message";
    /** The data track, as RTMP sources number it. */
    public static final int TRACK = 2;
    /** Frames of the data channel count milliseconds. */
    public static final int TIMESCALE = 1000;

    private JsonMetadata() {
    }

    /**
     * A frame of the data channel. {@code type} is a plain name (letters, digits, '_', '-'); {@code dataJson} must be
     * valid JSON text, which is not checked here.
     */
    public static MediaFrame frame(String type, String dataJson, long dtsMillis, long sequence) {
        return new MediaFrame(TRACK, Codec.JSON_METADATA, dtsMillis, dtsMillis, TIMESCALE, 0, 0, sequence,
                payload(type, dataJson));
    }

    /** {@code {"type":T,"data":D}} in UTF-8. */
    public static byte[] payload(String type, String dataJson) {
        return ("{\"type\":\"" + checkType(type) + "\",\"data\":" + dataJson + "}").getBytes(StandardCharsets.UTF_8);
    }

    /** What a subscriber gets of a {@link Codec#JSON_METADATA} frame: its payload with the time put in front. */
    public static byte[] subscriberMessage(MediaFrame f, long timestampMillis) {
        byte[] payload = f.payload();
        if (f.codec() != Codec.JSON_METADATA || payload.length < 2 || payload[0] != '{') {
            throw new IllegalArgumentException("not a JSON data message: " + f);
        }
        byte[] time = ("{\"time\":" + seconds(timestampMillis) + ",").getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[time.length + payload.length - 1];
        System.arraycopy(time, 0, out, 0, time.length);
        System.arraycopy(payload, 1, out, time.length, payload.length - 1);
        return out;
    }

    /** What a subscriber gets of script data converted to JSON elsewhere: {@code {"time":S,"type":T,"data":D}}. */
    public static byte[] subscriberMessage(String type, String dataJson, long timestampMillis) {
        return ("{\"time\":" + seconds(timestampMillis) + ",\"type\":\"" + checkType(type) + "\",\"data\":" + dataJson
                + "}").getBytes(StandardCharsets.UTF_8);
    }

    private static String checkType(String type) {
        if (!type.matches("[A-Za-z0-9_-]{1,64}")) {
            throw new IllegalArgumentException("not a data message type: " + type);
        }
        return type;
    }

    /** Milliseconds as seconds with three decimals: 12345 is "12.345". */
    static String seconds(long millis) {
        return BigDecimal.valueOf(millis, 3).toPlainString();
    }
}
