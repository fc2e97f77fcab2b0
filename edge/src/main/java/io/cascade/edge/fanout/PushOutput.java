package io.cascade.edge.fanout;

import io.cascade.relay.RelayConnection;
import io.vertx.core.Context;

/**
 * A push's target as a viewer's output, for every protocol: the fan-out writes the shared encoding to the relay's
 * connection, a slow target is cut off as a slow viewer is, and the target stays while our publisher comes and goes.
 * A protocol overrides {@link #write} when its target needs bytes of its own.
 */
public class PushOutput implements ViewerOutput {
    private final RelayConnection connection;
    private final String peer;
    private final Runnable started;

    /**
     * @param peer    the push as logs name it
     * @param started told when the stream starts going out
     */
    public PushOutput(RelayConnection connection, String peer, Runnable started) {
        this.connection = connection;
        this.peer = peer;
        this.started = started;
    }

    @Override
    public Context context() {
        return connection.context();
    }

    @Override
    public String peer() {
        return peer;
    }

    @Override
    public void startPlaying() {
        started.run();
    }

    @Override
    public boolean writeQueueFull() {
        return connection.writeQueueFull();
    }

    @Override
    public void write(EncodedFrame frame) {
        connection.queueMedia(frame.bytes());
    }

    @Override
    public void flush() {
        connection.flush();
    }

    @Override
    public void disconnect() {
        connection.abort("the target took the stream too slowly");
    }

    @Override
    public void notFound() {
        connection.close("the stream is not live here");
    }

    @Override
    public void unauthorised() {
        connection.close("unauthorised"); // a relay asks no authorisation; kept for the interface's sake
    }

    @Override
    public void goingAway() {
        connection.close("this node is going out of service");
    }

    @Override
    public void unpublished() {
        // the target keeps its connection: our publisher may come back, and the fan-out rebases its timestamps
    }

    @Override
    public void republished() {
    }
}
