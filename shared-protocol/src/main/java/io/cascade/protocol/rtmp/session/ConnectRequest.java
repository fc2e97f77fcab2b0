package io.cascade.protocol.rtmp.session;

/**
 * A client's {@code connect}, as far as deciding on it goes.
 *
 * @param app      application without its query (e.g. "live")
 * @param query    what followed '?' in the application ("" when none): where RTMP clients carry a password answer
 * @param flashVer the client's {@code flashVer} ("" when none): encoders say {@code FMLE/...}
 */
public record ConnectRequest(String app, String query, String flashVer) {
    /** Whether the client announces itself as an encoder (ffmpeg publishing, OBS, Wirecast, FMLE). */
    public boolean fromEncoder() {
        return flashVer.startsWith("FMLE/");
    }
}
