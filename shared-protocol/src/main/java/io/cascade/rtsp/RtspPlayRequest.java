package io.cascade.rtsp;

import io.cascade.auth.Credentials;
import java.util.Map;
import java.util.TreeMap;

/**
 * A PLAY as the edge role needs it: which stream, in which form, and on which interleaved channel each track goes.
 *
 * @param name     the stream's name
 * @param credentials what the DESCRIBE presented, for authorisation: the query after the name, the user its
 *                    {@code Authorization} header proved
 * @param ts       true for {@code /ts/<stream>}: the whole stream as MPEG-TS in one RTP track (payload type 33)
 * @param channels the RTP channel of each track set up (frame track number, or 0 for the TS track; RTCP goes on the
 *                 channel after it). Over TCP they are the client's interleaved channels; over UDP the connection
 *                 chooses them and sends each channel's packets to the client's ports.
 */
public record RtspPlayRequest(String name, Credentials credentials, boolean ts, Map<Integer, Integer> channels) {
    public RtspPlayRequest {
        channels = Map.copyOf(channels);
    }

    /**
     * Names the bytes this viewer needs: viewers with the same form and channels share one encoding of the stream
     * (the common case: every ffmpeg or GStreamer player sets up the same channels).
     */
    public String encoding() {
        StringBuilder key = new StringBuilder(ts ? "rtsp-ts" : "rtsp");
        new TreeMap<>(channels).forEach((track, channel) -> key.append(' ').append(track).append(':').append(channel));
        return key.toString();
    }
}
