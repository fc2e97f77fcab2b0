package io.cascade.edge.fanout;

import io.vertx.core.Context;

/**
 * A viewer's connection as the fan-out sees it: the protocol's socket adapter implements it. Every method is
 * called on {@link #context()}.
 */
public interface ViewerOutput {
    /** The event loop of the viewer's connection. */
    Context context();

    /** Who the viewer is, for logs. */
    String peer();

    /** Tell the client that playback starts (RTMP: Play.Reset and Play.Start); media follows. */
    void startPlaying();

    /** True while more than the viewer's queue bound waits to be sent. */
    boolean writeQueueFull();

    /** Queue the frame's bytes without flushing. */
    void write(EncodedFrame frame);

    /** Send what {@link #write} queued. */
    void flush();

    /** Close at once, dropping what is queued: the viewer cannot keep up. */
    void disconnect();

    /** Nobody publishes the name (within the play wait, or the node serves no more streams). */
    void notFound();

    /**
     * Authorisation refused the play (no token, a bad or expired one, the callback denied): answer with the
     * protocol's refusal and end the play (RTMP: NetStream.Play.Failed and close; RTSP and HTTP: close).
     */
    void unauthorised();

    /**
     * The node goes out of service (a drain): end the play with the protocol's notice and close, so the client
     * reconnects, through the load balancer, to another node.
     */
    void goingAway();

    /** The publisher went away; the viewer stays and waits. */
    void unpublished();

    /** The stream is published again; media follows. */
    void republished();
}
