package io.cascade.protocol.sdp;

/** An {@code a=rtpmap:<pt> <encoding>/<clock rate>[/<channels>]} line; channels is 0 when not given. */
public record RtpMap(int payloadType, String encodingName, int clockRate, int channels) {
    String value() {
        return payloadType + " " + encodingName + "/" + clockRate + (channels > 0 ? "/" + channels : "");
    }
}
