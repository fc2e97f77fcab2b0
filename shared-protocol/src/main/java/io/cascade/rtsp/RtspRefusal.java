package io.cascade.rtsp;

/** A request a role turns down, with the RTSP status the client gets (404 not live, 403 name in use, ...). */
public final class RtspRefusal extends Exception {
    private final int status;
    private final String elsewhere;

    public RtspRefusal(int status, String message) {
        this(status, message, null);
    }

    private RtspRefusal(int status, String message, String elsewhere) {
        super(message, null, false, false);
        this.status = status;
        this.elsewhere = elsewhere;
    }

    /**
     * A 302: the client should ask another node, whose base URL ({@code rtsp://host:port}) this is; the Location
     * header repeats the request's path and query there.
     */
    public static RtspRefusal movedTo(String base) {
        return new RtspRefusal(302, "sent to " + base, base);
    }

    /** The base URL a 302 sends the client to; null for any other refusal. */
    public String elsewhere() {
        return elsewhere;
    }

    public int status() {
        return status;
    }
}
