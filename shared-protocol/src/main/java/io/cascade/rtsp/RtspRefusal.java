package io.cascade.rtsp;

/** A request a role turns down, with the RTSP status the client gets (404 not live, 403 name in use, ...). */
public final class RtspRefusal extends Exception {
    private final int status;
    private final String elsewhere;
    private final String mark;

    public RtspRefusal(int status, String message) {
        this(status, message, null, null);
    }

    private RtspRefusal(int status, String message, String elsewhere, String mark) {
        super(message, null, false, false);
        this.status = status;
        this.elsewhere = elsewhere;
        this.mark = mark;
    }

    /**
     * A 302: the client should ask another node, whose base URL ({@code rtsp://host:port}) this is; the Location
     * header repeats the request's path and query there, with {@code mark} ({@code name=value}, or null) added to
     * the query.
     */
    public static RtspRefusal movedTo(String base, String mark) {
        return new RtspRefusal(302, "sent to " + base, base, mark);
    }

    /** What a 302's Location adds to the request's query; null for none. */
    public String mark() {
        return mark;
    }

    /** The base URL a 302 sends the client to; null for any other refusal. */
    public String elsewhere() {
        return elsewhere;
    }

    public int status() {
        return status;
    }
}
