package io.cascade.ingest;

import io.cascade.media.MediaFrame;
import io.cascade.relay.RelayAttempts;
import io.cascade.relay.RelayConfig;
import io.cascade.relay.RelayConnection;

import java.util.ArrayList;
import java.util.List;

/**
 * What one attempt of a pull publishes, whatever its protocol: the name is claimed through
 * {@link Admission#admitRelay} with the first frame, so a source that is not live does not look live here, and the
 * frames that come while admission decides (the configurations, the keyframe) wait for its answer, up to
 * {@link #MAX_PENDING_FRAMES}. Used on the pull's event loop.
 */
public final class PulledStream implements FrameTarget {
    /** The source's first second at most: admission answers in milliseconds. */
    public static final int MAX_PENDING_FRAMES = 256;

    /** What the pull hears of admission's answer. */
    public interface Events {
        /** The stream is live here. */
        void admitted();

        /** Refused (the name is live elsewhere, the node is full): the pull ends this attempt. */
        void refused(String reason);
    }

    private final Admission admission;
    private final String name;
    private final String protocol;
    private final String peer;
    private final String detail;
    private final Runnable endByNode;
    private final Events events;
    private final List<MediaFrame> pending = new ArrayList<>();
    private Publication publication;
    private boolean admitting;
    private boolean closed;

    /**
     * @param peer      the source as logs name it (no credentials, no query)
     * @param detail    logged with the publish's start
     * @param endByNode ends the pull's connection when the node ends publishers (a drain, a lost name)
     */
    public PulledStream(Admission admission, String name, String protocol, String peer, String detail,
                        Runnable endByNode, Events events) {
        this.admission = admission;
        this.name = name;
        this.protocol = protocol;
        this.peer = peer;
        this.detail = detail;
        this.endByNode = endByNode;
        this.events = events;
    }

    /**
     * A pull over a connection: admitted, its attempt is running; refused, or ended by the node (a drain, a lost
     * name), its connection closes, which ends the attempt.
     *
     * @param source the source as logs name it (no credentials, no query)
     */
    public static PulledStream overConnection(Admission admission, RelayConfig config, String protocol, String source,
                                              String detail, RelayAttempts attempts, RelayConnection connection) {
        return new PulledStream(admission, config.localStreamName(), protocol, "pull " + source, detail,
                () -> attempts.context().runOnContext(v -> connection.close("ended by this node")), new Events() {
                    @Override
                    public void admitted() {
                        attempts.running();
                    }

                    @Override
                    public void refused(String reason) {
                        connection.close(reason);
                    }
                });
    }

    @Override
    public void publish(MediaFrame frame) {
        if (closed) {
            return;
        }
        if (publication != null) {
            publication.publish(frame);
            return;
        }
        if (pending.size() < MAX_PENDING_FRAMES) {
            pending.add(frame);
        }
        if (!admitting) {
            admit();
        }
    }

    @Override
    public void skipped(Publication.Skip why, String what) {
        if (publication != null) {
            publication.skipped(why, what);
        }
    }

    private void admit() {
        admitting = true;
        admission.admitRelay(name, protocol, peer).onComplete(admitted -> {
            if (admitted.failed()) {
                pending.clear();
                if (!closed) {
                    events.refused("refused here: " + admitted.cause().getMessage());
                }
                return;
            }
            if (closed) {
                admitted.result().close(0);
                return;
            }
            publication = admitted.result();
            publication.start(detail, endByNode);
            events.admitted();
            pending.forEach(publication::publish);
            pending.clear();
        });
    }

    /** The attempt ended: the stream stops here and its name is free again. */
    public void close(long bytesIn) {
        closed = true;
        pending.clear();
        if (publication != null) {
            publication.close(bytesIn);
            publication = null;
        }
    }

    public boolean live() {
        return publication != null;
    }
}
