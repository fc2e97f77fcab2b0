package io.cascade.rtsp;

/** A request a role turns down, with the RTSP status the client gets (404 not live, 403 name in use, ...). */
public final class RtspRefusal extends Exception {
    private final int status;

    public RtspRefusal(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
